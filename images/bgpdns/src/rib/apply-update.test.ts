import test from 'ava';
import { Afi } from '../bgp/types.js';
import { decodeUpdate, encodeUpdate } from '../bgp/index.js';
import { parsePrefix } from './address.js';
import { Rib } from './rib.js';
import { path, prefix } from '../../testing/rib/test-helpers.js';

const ctx = { fourOctetAs: true, ebgp: true };

function ribWithPeer() {
  const rib = new Rib({ localAsn: 64500 });
  const peer = rib.addPeer({ address: '198.18.1.1', asn: 4200000001 });
  rib.peerUp(peer, '198.18.1.1');
  return { rib, peer };
}

test('a decoded UPDATE applies like the same routes given as Prefix objects', (t) => {
  const { rib, peer } = ribWithPeer();
  const attrs = path([4200000001, 64510], { nextHop: '198.18.1.1' });
  const v4 = ['198.18.0.0/15', '198.18.64.0/20', '198.18.64.128/25', '198.18.7.9/32'].map(prefix);
  rib.applyUpdate(peer, decodeUpdate(encodeUpdate({ attrs, nlri: v4 }, ctx), ctx));
  const v6 = ['2001:db8::/32', '2001:db8:40::/45', '2001:db8:1:2:3:4:5:0/127'].map(prefix);
  rib.applyUpdate(peer, decodeUpdate(encodeUpdate({ attrs: { ...attrs, nextHop: '2001:db8::1' }, mpReach: { afi: Afi.IPv6, prefixes: v6 } }, ctx), ctx));
  t.deepEqual(
    [...rib.bestRoutes(Afi.IPv4)].map((r) => r.prefix),
    ['198.18.0.0/15', '198.18.7.9/32', '198.18.64.0/20', '198.18.64.128/25'],
  );
  t.deepEqual([...rib.bestRoutes(Afi.IPv6)].map((r) => r.prefix), ['2001:db8::/32', '2001:db8:1:2:3:4:5:0/127', '2001:db8:40::/45']);
  t.is(rib.prefixCountV4[peer], 4);
  t.is(rib.prefixCountV6[peer], 3);
  const best = rib.bestFor(Afi.IPv4, parsePrefix('198.18.64.0/20').words, 20)!;
  t.deepEqual(best.attrs.asPath, attrs.asPath);
  t.is(best.attrs.nextHop, '198.18.1.1');

  // Withdrawals (classic and MP_UNREACH) leave only what was not withdrawn.
  rib.applyUpdate(peer, decodeUpdate(encodeUpdate({ withdrawn: [v4[1]], mpUnreach: { afi: Afi.IPv6, prefixes: [v6[0]] } }, ctx), ctx));
  t.is(rib.prefixCountV4[peer], 3);
  t.is(rib.prefixCountV6[peer], 2);
  t.is(rib.bestFor(Afi.IPv4, parsePrefix('198.18.64.0/20').words, 20), undefined);
});

test('an UPDATE that loops through our AS withdraws instead', (t) => {
  const { rib, peer } = ribWithPeer();
  const nlri = [prefix('198.18.64.0/20')];
  rib.applyUpdate(peer, decodeUpdate(encodeUpdate({ attrs: path([4200000001]), nlri }, ctx), ctx));
  t.is(rib.prefixCount[peer], 1);
  rib.applyUpdate(peer, decodeUpdate(encodeUpdate({ attrs: path([4200000001, 64500]), nlri }, ctx), ctx));
  t.is(rib.prefixCount[peer], 0);
});

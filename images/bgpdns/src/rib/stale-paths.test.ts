/** Stale marking and sweeping in the RIB (Graceful Restart, enhanced route refresh). */
import test from 'ava';
import { Afi } from '../bgp/types.js';
import { Rib } from './rib.js';
import { path, prefix } from '../../testing/rib/test-helpers.js';
import { parsePrefix } from './address.js';

function rib() {
  const r = new Rib({ localAsn: 64500 });
  const a = r.addPeer({ address: '198.18.1.1', asn: 64501 });
  const b = r.addPeer({ address: '198.18.2.1', asn: 64502 });
  r.peerUp(a, '198.18.255.1');
  r.peerUp(b, '198.18.255.2');
  r.update(a, path([64501]), ['198.18.10.0/24', '198.18.11.0/24', '198.18.12.0/24'].map(prefix));
  r.update(b, path([64502, 64510]), [prefix('198.18.10.0/24')]);
  r.update(a, path([64501]), [prefix('2001:db8:1::/48')]);
  return { r, a, b };
}

const best = (r: Rib, text: string) => {
  const p = parsePrefix(text);
  return r.bestFor(p.afi, p.words, p.len)?.peerAsn;
};

test('stale paths stay in selection; refreshed ones survive the sweep, the rest go', (t) => {
  const { r, a } = rib();
  const generation = r.generation;
  t.is(r.markStale(a, Afi.IPv4), 3);
  t.is(r.stale.count(a, Afi.IPv4), 3);
  t.is(r.generation, generation, 'marking changes no best path');
  t.is(best(r, '198.18.10.0/24'), 64501);
  r.update(a, path([64501]), [prefix('198.18.10.0/24')]);
  r.withdraw(a, [prefix('198.18.11.0/24')]);
  t.is(r.stale.count(a, Afi.IPv4), 1);
  t.is(r.sweepStale(a, Afi.IPv4), 1);
  t.is(best(r, '198.18.10.0/24'), 64501);
  t.is(best(r, '198.18.11.0/24'), undefined);
  t.is(best(r, '198.18.12.0/24'), undefined, 'never re-announced: swept');
  t.is(r.prefixCountV4[a], 1);
  t.is(best(r, '2001:db8:1::/48'), 64501, 'the other family is untouched');
  t.is(r.sweepStale(a, Afi.IPv4), 0, 'nothing left to sweep');
});

test('sweeping a stale best path hands the prefix to the next path', (t) => {
  const { r, a } = rib();
  r.markStale(a, Afi.IPv4);
  const generation = r.generation;
  r.sweepStale(a, Afi.IPv4);
  t.is(best(r, '198.18.10.0/24'), 64502);
  t.true(r.generation > generation);
});

test('a peer going down for good drops its stale sets with its paths', (t) => {
  const { r, a } = rib();
  r.markStale(a, Afi.IPv4);
  r.markStale(a, Afi.IPv6);
  t.is(r.peerDown(a), 4);
  t.is(r.stale.active, 0);
  t.is(r.stale.count(a, Afi.IPv6), 0);
});

/**
 * The query service ranks the wire form as numbers: no address becomes text on the
 * way in or out (issue 12 point 6), for plain clients and ECS subnets (/24, /56), and
 * the answers are the ones the text path gives.
 */
import test from 'ava';
import { addressTextConversions } from '../rib/address.js';
import { Rib } from '../rib/rib.js';
import { path, prefix } from '../../testing/rib/test-helpers.js';
import type { RankRequest } from './api.js';
import { decodeAnswer, encodeQuery } from './protocol.js';
import { sign } from './protocol-auth.js';
import { QueryServer } from './server.js';
import { Sorter } from './sorter.js';

const KEY = Buffer.alloc(32, 7);
const CANDIDATES = ['198.18.101.10', '198.18.102.10', '2001:db8:103::10'];

function sorter(): Sorter {
  const rib = new Rib({ localAsn: 64500 });
  const p1 = rib.addPeer({ address: '198.18.1.1', asn: 64501 });
  const p2 = rib.addPeer({ address: '198.18.2.1', asn: 64502 });
  rib.peerUp(p1, '198.18.255.1');
  rib.peerUp(p2, '198.18.255.2');
  rib.update(p1, path([64501]), [prefix('198.18.101.0/24'), prefix('2001:db8:103::/48')]);
  rib.update(p2, path([64502]), [prefix('198.18.102.0/24')]);
  rib.update(p1, path([64501, 64510]), [prefix('198.18.64.0/20'), prefix('2001:db8:40::/44')]);
  rib.update(p2, path([64502, 64510]), [prefix('198.18.64.0/20'), prefix('198.18.70.0/24'), prefix('2001:db8:40::/44')]);
  return new Sorter(rib);
}

const requests: RankRequest[] = [
  { client: '198.18.64.7', candidates: CANDIDATES },
  { client: '198.18.70.0', clientPrefixLen: 24, candidates: CANDIDATES },
  { client: '2001:db8:40:1::', clientPrefixLen: 56, candidates: CANDIDATES },
  { client: '2001:db8:40::99', candidates: CANDIDATES },
  { client: '198.19.9.9', candidates: CANDIDATES },
];

test('queries are ranked without converting an address to or from text, with the text path answers', (t) => {
  const s = sorter();
  const server = new QueryServer({ ranker: s, keys: new Map([[1, KEY]]) });
  const datagrams = requests.map((r, i) => sign(encodeQuery({ ...r, requestId: i + 1, keyId: 1, timestamp: Date.now(), nonce: BigInt(i + 1) }), KEY));
  const before = addressTextConversions.count;
  const replies = datagrams.map((d) => server.handle(d));
  t.is(addressTextConversions.count, before, 'address text conversions on the query path');
  replies.forEach((reply, i) => {
    const wire = decodeAnswer(reply!);
    const text = s.rankNow(requests[i]);
    t.is(wire.status, text.status, `request ${i}`);
    t.deepEqual(wire.preferences, text.preferences, `request ${i}`);
    t.is(wire.matchedPrefix, text.matchedPrefix, `request ${i}`);
    t.is(wire.scopeLength, text.scopeLength, `request ${i}`);
  });
  t.is(decodeAnswer(replies[1]!).matchedPrefix, '198.18.70.0/24');
  t.is(decodeAnswer(replies[2]!).matchedPrefix, '2001:db8:40::/44');
});

/**
 * Rib.retirePeer + flushStep: a peer's paths leave in slices, and the end state is
 * what the one-shot peerDown gives; the renewed id's paths, announced between
 * slices, survive the flush of the old id; flushed ids are reused.
 */
import test from 'ava';
import { Afi } from '../bgp/types.js';
import { Rib } from './rib.js';
import { path } from '../../testing/rib/test-helpers.js';

const PEERS = [64501, 64502, 4200000001];

function ribWithTables(prefixes: number): Rib {
  const rib = new Rib({ localAsn: 64500 });
  PEERS.forEach((asn, i) => {
    const id = rib.addPeer({ address: `198.18.10.${i + 1}`, asn });
    rib.peerUp(id, `198.18.255.${i + 1}`);
  });
  for (let peer = 0; peer < 3; peer++) {
    for (let i = 0; i < prefixes; i++) {
      rib.update(peer, path([PEERS[peer], ...Array<number>((i + peer) % 3).fill(PEERS[peer]), 64510]), [{ afi: Afi.IPv4, bytes: Uint8Array.of(198, 18 + (i >> 16), (i >> 8) & 255, i & 255), len: 32 }]);
    }
  }
  return rib;
}

const bests = (rib: Rib) => [...rib.bestRoutes(Afi.IPv4)].map((r) => `${r.prefix} ${r.peerAddress} ${JSON.stringify(r.attrs.asPath)}`);

test('a flush in slices ends where peerDown ends: same best paths, paths, generation', (t) => {
  const once = ribWithTables(20_000);
  const sliced = ribWithTables(20_000);
  once.peerDown(1);
  const renewed = sliced.retirePeer(1);
  t.not(renewed, 1);
  t.false(sliced.peers.established[1]);
  t.is(sliced.pathsToFlush, 20_000);
  let slices = 0;
  // A deadline already past: one sweep of a few thousand slots per call.
  while (!sliced.flushStep(0)) slices++;
  t.true(slices >= 10, `${slices} slices`);
  t.is(sliced.pathsToFlush, 0);
  t.is(sliced.v4.paths, once.v4.paths);
  t.is(sliced.generation, once.generation);
  t.deepEqual(bests(sliced), bests(once));
});

test("the renewed id's paths announced between slices survive, and a flushed id is reused", (t) => {
  const rib = ribWithTables(10_000);
  const renewed = rib.retirePeer(1);
  rib.peerUp(renewed, '198.18.255.2');
  rib.flushStep(0);
  // The peer's next session re-announces part of its table while the old one is still being flushed.
  for (let i = 0; i < 10_000; i += 2) rib.update(renewed, path([PEERS[1]]), [{ afi: Afi.IPv4, bytes: Uint8Array.of(198, 18, (i >> 8) & 255, i & 255), len: 32 }]);
  while (!rib.flushStep(0));
  t.is(rib.prefixCountV4[renewed], 5_000);
  t.is(rib.prefixCountV4[1], 0);
  t.is(rib.v4.paths, 25_000);
  // The shortest path (the renewed peer's) is best where it was re-announced.
  const best = rib.bestFor(Afi.IPv4, Uint32Array.of(0xc6120002), 32);
  t.is(best?.peer, renewed);
  const again = rib.retirePeer(renewed);
  t.is(again, 1, 'the fully flushed id comes back');
  while (!rib.flushStep(0));
  t.is(rib.v4.paths, 20_000);
});

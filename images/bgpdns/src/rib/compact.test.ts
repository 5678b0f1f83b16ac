/**
 * RouteTable.compact re-lays path slots; nothing a reader of the RIB can see may
 * change. Two RIBs get the same random updates, withdrawals and session drops; one
 * is compacted at random points. After every step both must hold the same paths per
 * prefix (in the same list order, which the incumbent and deterministic-MED rules
 * read), the same best paths, generation, and the sorter must rank alike.
 */
import test from 'ava';
import fc from 'fast-check';
import { Afi } from '../bgp/types.js';
import { Sorter } from '../sorter/sorter.js';
import { Rib } from './rib.js';
import { parsePrefix } from './address.js';
import { path, prefix } from '../../testing/rib/test-helpers.js';

const PEERS = [64501, 64502, 4200000001];
const PREFIXES = ['198.18.0.0/15', '198.18.0.0/16', '198.18.4.0/22', '198.18.4.0/24', '198.18.5.0/24', '198.19.0.0/16', '198.19.7.128/25', '2001:db8::/32', '2001:db8:1::/48', '2001:db8:1:8000::/49'];
const CANDIDATES = ['198.19.201.10', '198.19.202.10', '2001:db8:c903::10'];
const OWN = ['198.19.201.0/24', '198.19.202.0/24', '2001:db8:c903::/48'];
const CLIENTS = ['198.18.4.9', '198.18.5.200', '198.18.200.1', '198.19.7.200', '198.19.8.1', '2001:db8:1::1', '2001:db8:1:8000::1', '2001:db8:ffff::1'];

type Op = { kind: 'announce'; peer: number; prefix: number; extra: number; med: number } | { kind: 'withdraw'; peer: number; prefix: number } | { kind: 'down'; peer: number } | { kind: 'compact' } | { kind: 'slice'; nodes: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('announce' as const), peer: fc.nat(2), prefix: fc.nat(PREFIXES.length - 1), extra: fc.nat(2), med: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), peer: fc.nat(2), prefix: fc.nat(PREFIXES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('down' as const), peer: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'compact' as const }) },
  // A slice of a compaction spread over time: churn happens between slices.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('slice' as const), nodes: fc.integer({ min: 1, max: 4 }) }) },
);

function newRib(): Rib {
  const rib = new Rib({ localAsn: 64500 });
  PEERS.forEach((asn, i) => {
    const id = rib.addPeer({ address: `198.18.10.${i + 1}`, asn });
    rib.peerUp(id, `198.18.255.${i + 1}`);
    rib.update(id, path([asn]), [prefix(OWN[i])]);
  });
  return rib;
}

function apply(rib: Rib, op: Op, compact: boolean): void {
  if (op.kind === 'compact') {
    if (compact) {
      rib.v4.compact();
      rib.v6.compact();
    }
  } else if (op.kind === 'slice') {
    if (compact) {
      for (const table of [rib.v4, rib.v6]) {
        table.startCompaction();
        table.compactStep(Infinity, op.nodes);
      }
    }
  } else if (op.kind === 'announce') {
    const asn = PEERS[op.peer];
    const p = prefix(PREFIXES[op.prefix]);
    rib.update(op.peer, path([asn, ...Array<number>(op.extra).fill(asn), 64510], { med: op.med, nextHop: p.afi === Afi.IPv4 ? `198.18.10.${op.peer + 1}` : `2001:db8::${op.peer + 1}` }), [p]);
  } else if (op.kind === 'withdraw') {
    rib.withdraw(op.peer, [prefix(PREFIXES[op.prefix])]);
  } else {
    rib.peerDown(op.peer);
    rib.peerUp(op.peer, `198.18.255.${op.peer + 1}`);
    rib.update(op.peer, path([PEERS[op.peer]]), [prefix(OWN[op.peer])]);
  }
}

/** Every prefix's paths in list order (peer and attributes) and its best path. */
function view(rib: Rib): unknown {
  const out: Record<string, unknown> = {};
  for (const afi of [Afi.IPv4, Afi.IPv6]) {
    const table = rib.table(afi);
    table.trie.forEach((node) => {
      const paths: string[] = [];
      for (let s = table.head(node); s >= 0; s = table.slotNext(s)) paths.push(`${table.slotPeer(s)} ${JSON.stringify(rib.attrs.attributes(table.slotAttr(s)))}`);
      const best = table.best(node);
      out[rib.prefixText(afi, node)] = { paths, best: best >= 0 ? `${table.slotPeer(best)} ${JSON.stringify(rib.attrs.attributes(table.slotAttr(best)))}` : null };
    });
  }
  return { out, generation: rib.generation, paths: rib.v4.paths + rib.v6.paths, prefixes: rib.v4.prefixes + rib.v6.prefixes };
}

function ranks(rib: Rib): unknown {
  const sorter = new Sorter(rib);
  return CLIENTS.map((client) => {
    const a = sorter.rankNow({ client, candidates: CANDIDATES });
    return [a.status, a.preferences, a.matchedPrefix ?? null, a.neighborAs ?? null];
  });
}

test('compaction changes nothing a reader sees, at any point of random churn', (t) => {
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 80 }), (ops) => {
      const plain = newRib();
      const compacted = newRib();
      for (const op of ops) {
        apply(plain, op, false);
        apply(compacted, op, true);
        t.deepEqual(view(compacted), view(plain));
        t.deepEqual(ranks(compacted), ranks(plain));
      }
    }),
    { numRuns: 150 },
  );
});

test("after compaction a prefix's paths are adjacent, prefixes in trie node order, and the table keeps working", (t) => {
  const rib = newRib();
  // Peer by peer, as full tables arrive: a prefix's three paths end up far apart.
  for (let peer = 0; peer < 3; peer++) for (const p of PREFIXES) rib.update(peer, path([PEERS[peer], 64510]), [prefix(p)]);
  rib.v4.compact();
  const table = rib.v4;
  const heads: [number, number][] = [];
  table.trie.forEach((node) => heads.push([node, table.head(node)]));
  heads.sort((a, b) => a[0] - b[0]);
  // Slot ids are absolute (they keep growing over compactions): one run from the first head.
  let expected = heads[0][1];
  for (const [node] of heads) {
    for (let s = table.head(node); s >= 0; s = table.slotNext(s)) t.is(s, expected++, `slot of ${rib.prefixText(Afi.IPv4, node)}`);
  }
  t.is(expected - heads[0][1], table.paths);
  t.is(table.churnSinceCompact, 0);
  rib.withdraw(1, [prefix('198.18.4.0/24')]);
  rib.update(2, path([PEERS[2]]), [prefix('198.18.6.0/24')]);
  t.is(rib.bestFor(Afi.IPv4, parsePrefix('198.18.6.0/24').words, 24)?.peerAsn, PEERS[2]);
  t.is(rib.bestFor(Afi.IPv4, parsePrefix('198.18.4.0/24').words, 24)?.peerAsn, PEERS[0], 'equal external paths: the incumbent (first received) stays best');
  t.is(table.churnSinceCompact, 1);
});

test('compactIfWorthwhile waits for enough churn (a quarter of the paths, at least 10,000)', (t) => {
  const rib = newRib();
  for (let i = 0; i < 9_000; i++) rib.update(0, path([PEERS[0]]), [{ afi: Afi.IPv4, bytes: Uint8Array.of(198, 18, i >> 8, i & 255), len: 32 }]);
  t.is(rib.compactIfWorthwhile(), undefined, '9,003 slots handed out: not yet');
  t.is(rib.compactions, 0);
  for (let i = 0; i < 2_000; i++) rib.update(1, path([PEERS[1]]), [{ afi: Afi.IPv4, bytes: Uint8Array.of(198, 18, i >> 8, i & 255), len: 32 }]);
  t.true((rib.compactIfWorthwhile() ?? -1) >= 0);
  t.is(rib.compactions, 1);
  t.is(rib.v4.churnSinceCompact, 0);
  t.is(rib.compactIfWorthwhile(), undefined, 'nothing new since');
});

test('settling: true from the start of a compaction until the pages it freed are given back', (t) => {
  const rib = newRib();
  for (let i = 0; i < 11_000; i++) rib.update(0, path([PEERS[0]]), [{ afi: Afi.IPv4, bytes: Uint8Array.of(198, 18, i >> 8, i & 255), len: 32 }]);
  t.false(rib.settling);
  t.true(rib.startCompactionIfWorthwhile());
  t.true(rib.settling);
  // A deadline already past: each step does its minimum (256 trie nodes, one trim step) and returns.
  let steps = 0;
  while (!rib.backgroundStep(performance.now() - 1)) {
    steps++;
    t.is(rib.settling, true, `still settling after ${steps} steps`);
    if (steps > 100_000) break;
  }
  t.is(rib.compactions, 1);
  t.false(rib.settling);
  t.true(steps > 0, 'a deadline already past makes each step return early');
});

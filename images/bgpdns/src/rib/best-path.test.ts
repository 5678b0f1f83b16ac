/**
 * One test per best-path tie-breaker, each built so that every earlier rule ties
 * and the rule under test decides; `lastDecision` proves which rule did.
 */
import test from 'ava';
import { Afi, AsPathSegmentType, Origin } from '../bgp/types.js';
import { parsePrefix } from './address.js';
import { Decision, lastDecision } from './best-path.js';
import { Rib } from './rib.js';
import type { RibPeerConfig } from './peers.js';
import { path, prefix } from '../../testing/rib/test-helpers.js';

const LOCAL_AS = 64500;
const P = '198.18.10.0/24';

function ribWith(peers: (RibPeerConfig & { routerId: string })[]): { rib: Rib; ids: number[] } {
  const rib = new Rib({ localAsn: LOCAL_AS });
  const ids = peers.map((p) => {
    const id = rib.addPeer(p);
    rib.peerUp(id, p.routerId);
    return id;
  });
  return { rib, ids };
}

function bestPeer(rib: Rib, text = P): number | undefined {
  const p = parsePrefix(text);
  return rib.bestFor(p.afi, p.words, p.len)?.peer;
}

const ebgpA = { address: '198.18.1.1', asn: 64501, routerId: '198.18.255.1' };
const ebgpB = { address: '198.18.2.1', asn: 64502, routerId: '198.18.255.2' };

test('weight from peer config beats a shorter AS path', (t) => {
  const { rib, ids } = ribWith([{ ...ebgpA, weight: 100 }, ebgpB]);
  rib.update(ids[1], path([64502]), [prefix(P)]);
  rib.update(ids[0], path([64501, 64510, 64511]), [prefix(P)]);
  t.is(bestPeer(rib), ids[0]);
  t.is(lastDecision, Decision.Weight);
});

test('local preference from peer config beats a shorter AS path', (t) => {
  const { rib, ids } = ribWith([ebgpA, { ...ebgpB, localPref: 200 }]);
  rib.update(ids[0], path([64501]), [prefix(P)]);
  rib.update(ids[1], path([64502, 64510, 64511]), [prefix(P)]);
  t.is(bestPeer(rib), ids[1]);
  t.is(lastDecision, Decision.LocalPref);
});

test('LOCAL_PREF received over eBGP is ignored; over iBGP it counts', (t) => {
  const ibgp = { address: '198.18.3.1', asn: LOCAL_AS, routerId: '198.18.255.3' };
  const { rib, ids } = ribWith([ebgpA, ibgp]);
  // eBGP path claims LOCAL_PREF 500 (ignored → 100); iBGP path carries 150.
  rib.update(ids[0], path([64501], { localPref: 500 }), [prefix(P)]);
  rib.update(ids[1], path([64501, 64510], { localPref: 150 }), [prefix(P)]);
  t.is(bestPeer(rib), ids[1]);
  t.is(lastDecision, Decision.LocalPref);
});

test('shorter AS path wins', (t) => {
  const { rib, ids } = ribWith([ebgpA, ebgpB]);
  rib.update(ids[0], path([64501, 64510, 64511]), [prefix(P)]);
  rib.update(ids[1], path([64502, 64510]), [prefix(P)]);
  t.is(bestPeer(rib), ids[1]);
  t.is(lastDecision, Decision.AsPathLength);
});

test('an AS_SET counts as one hop', (t) => {
  const { rib, ids } = ribWith([ebgpA, ebgpB]);
  // 64501 + {64510 64511 64512 64513} = 2 hops, against a 3-hop sequence.
  rib.update(ids[1], path([64502, 64520, 64521]), [prefix(P)]);
  rib.update(
    ids[0],
    {
      origin: Origin.Igp,
      asPath: [
        { type: AsPathSegmentType.AsSequence, asns: [64501] },
        { type: AsPathSegmentType.AsSet, asns: [64510, 64511, 64512, 64513] },
      ],
      nextHop: '198.18.1.1',
    },
    [prefix(P)],
  );
  t.is(bestPeer(rib), ids[0]);
  t.is(lastDecision, Decision.AsPathLength);
});

test('confederation segments count zero hops', (t) => {
  const ibgp1 = { address: '198.18.3.1', asn: LOCAL_AS, routerId: '198.18.255.3' };
  const ibgp2 = { address: '198.18.4.1', asn: LOCAL_AS, routerId: '198.18.255.4' };
  const { rib, ids } = ribWith([ibgp1, ibgp2]);
  // Path 1: confed (65001 65002 65003) + 64501 = 1 hop; path 2: 64502 64510 = 2 hops.
  rib.update(ids[1], path([64502, 64510]), [prefix(P)]);
  rib.update(
    ids[0],
    {
      origin: Origin.Igp,
      asPath: [
        { type: AsPathSegmentType.ConfedSequence, asns: [65001, 65002, 65003] },
        { type: AsPathSegmentType.AsSequence, asns: [64501] },
      ],
      nextHop: '198.18.3.1',
    },
    [prefix(P)],
  );
  t.is(bestPeer(rib), ids[0]);
  t.is(lastDecision, Decision.AsPathLength);
});

test('lower origin wins: IGP over EGP over INCOMPLETE', (t) => {
  const ebgpC = { address: '198.18.5.1', asn: 64503, routerId: '198.18.255.5' };
  const { rib, ids } = ribWith([ebgpA, ebgpB, ebgpC]);
  rib.update(ids[0], path([64501], { origin: Origin.Incomplete }), [prefix(P)]);
  rib.update(ids[1], path([64502], { origin: Origin.Egp }), [prefix(P)]);
  t.is(bestPeer(rib), ids[1]);
  t.is(lastDecision, Decision.Origin);
  rib.update(ids[2], path([64503], { origin: Origin.Igp }), [prefix(P)]);
  t.is(bestPeer(rib), ids[2]);
  t.is(lastDecision, Decision.Origin);
});

test('lower MED wins between paths from the same neighbour AS', (t) => {
  // Two sessions to the same neighbour AS; the later one has the higher router id,
  // so only MED can make it win.
  const a1 = { address: '198.18.1.1', asn: 64501, routerId: '198.18.255.1' };
  const a2 = { address: '198.18.1.5', asn: 64501, routerId: '198.18.255.9' };
  const { rib, ids } = ribWith([a1, a2]);
  rib.update(ids[0], path([64501], { med: 50 }), [prefix(P)]);
  rib.update(ids[1], path([64501], { med: 10 }), [prefix(P)]);
  t.is(bestPeer(rib), ids[1]);
  t.is(lastDecision, Decision.Med);
});

test('a missing MED counts as 0 (best)', (t) => {
  const a1 = { address: '198.18.1.1', asn: 64501, routerId: '198.18.255.1' };
  const a2 = { address: '198.18.1.5', asn: 64501, routerId: '198.18.255.9' };
  const { rib, ids } = ribWith([a1, a2]);
  rib.update(ids[0], path([64501], { med: 5 }), [prefix(P)]);
  rib.update(ids[1], path([64501]), [prefix(P)]);
  t.is(bestPeer(rib), ids[1]);
  t.is(lastDecision, Decision.Med);
});

test('MED is not compared between different neighbour ASes', (t) => {
  const { rib, ids } = ribWith([ebgpA, ebgpB]);
  // A arrives first with the worse MED; MED is skipped, A stays as the incumbent.
  rib.update(ids[0], path([64501], { med: 500 }), [prefix(P)]);
  rib.update(ids[1], path([64502], { med: 1 }), [prefix(P)]);
  t.is(bestPeer(rib), ids[0]);
  t.is(lastDecision, Decision.Incumbent);
});

test('deterministic MED: paths are grouped by neighbour AS before groups are compared', (t) => {
  // A: AS 64501 MED 50 router id .1; B: AS 64502 MED 0 router id .2; C: AS 64501 MED 10 router id .3.
  // With list order C, A, B and no incumbent among the group winners, FRR first groups {C, A} → C
  // (MED), then compares C with B: MED is not comparable across ASes, router id → B.
  // A plain pairwise pass would have taken C, A, B → C (MED) → then B (router id) as well, but with
  // A at the head (A, B, C) it gives A vs B → A, A vs C → C: grouping makes the answer order-free.
  const a = { address: '198.18.1.1', asn: 64501, routerId: '198.18.255.1' };
  const b = { address: '198.18.2.1', asn: 64502, routerId: '198.18.255.2' };
  const c = { address: '198.18.1.3', asn: 64501, routerId: '198.18.255.3' };
  const { rib, ids } = ribWith([a, b, c]);
  rib.update(ids[2], path([64501], { med: 10 }), [prefix(P)]);
  rib.update(ids[1], path([64502], { med: 0 }), [prefix(P)]);
  rib.update(ids[0], path([64501], { med: 50 }), [prefix(P)]);
  // C was first and is still the incumbent; it wins its group and then B only by router id,
  // but the incumbent rule keeps C against B.
  t.is(bestPeer(rib), ids[2]);
  // Take C away and bring it back with the same attributes: now B is incumbent.
  rib.withdraw(ids[2], [prefix(P)]);
  t.is(bestPeer(rib), ids[0]); // A vs B: router id .1 < .2 (no incumbent after the withdrawal)
  rib.update(ids[2], path([64501], { med: 10 }), [prefix(P)]);
  // List order C, A, B. Group {C, A} → C by MED; C vs B: A was the incumbent but lost its group,
  // so router id decides: B (.2) over C (.3).
  t.is(bestPeer(rib), ids[1]);
  t.is(lastDecision, Decision.RouterId);
});

test('eBGP path wins over iBGP path', (t) => {
  const ibgp = { address: '198.18.3.1', asn: LOCAL_AS, routerId: '198.18.255.0' };
  const { rib, ids } = ribWith([ibgp, ebgpB]);
  rib.update(ids[0], path([64502]), [prefix(P)]);
  rib.update(ids[1], path([64502]), [prefix(P)]);
  t.is(bestPeer(rib), ids[1]);
  t.is(lastDecision, Decision.PeerType);
});

test('between eBGP paths the already-selected (older) one stays', (t) => {
  const { rib, ids } = ribWith([ebgpB, ebgpA]); // ids[1] = A has the lower router id
  rib.update(ids[0], path([64502]), [prefix(P)]);
  rib.update(ids[1], path([64501]), [prefix(P)]);
  t.is(bestPeer(rib), ids[0]);
  t.is(lastDecision, Decision.Incumbent);
});

test('lower router id wins when no path is the incumbent', (t) => {
  const { rib, ids } = ribWith([ebgpB, ebgpA, { address: '198.18.6.1', asn: 64506, routerId: '198.18.255.6' }]);
  rib.update(ids[2], path([64506]), [prefix(P)]);
  rib.update(ids[0], path([64502]), [prefix(P)]);
  rib.update(ids[1], path([64501]), [prefix(P)]);
  t.is(bestPeer(rib), ids[2]); // incumbent
  rib.withdraw(ids[2], [prefix(P)]);
  t.is(bestPeer(rib), ids[1]);
  t.is(lastDecision, Decision.RouterId);
});

test('iBGP paths: lower router id wins even against the incumbent', (t) => {
  const i1 = { address: '198.18.3.1', asn: LOCAL_AS, routerId: '198.18.255.9' };
  const i2 = { address: '198.18.4.1', asn: LOCAL_AS, routerId: '198.18.255.2' };
  const { rib, ids } = ribWith([i1, i2]);
  rib.update(ids[0], path([64501]), [prefix(P)]);
  rib.update(ids[1], path([64501]), [prefix(P)]);
  t.is(bestPeer(rib), ids[1]);
  t.is(lastDecision, Decision.RouterId);
});

test('ORIGINATOR_ID replaces the router id in the comparison', (t) => {
  const i1 = { address: '198.18.3.1', asn: LOCAL_AS, routerId: '198.18.255.1' };
  const i2 = { address: '198.18.4.1', asn: LOCAL_AS, routerId: '198.18.255.2' };
  const { rib, ids } = ribWith([i1, i2]);
  rib.update(ids[0], path([64501], { originatorId: '198.18.254.9' }), [prefix(P)]);
  rib.update(ids[1], path([64501], { originatorId: '198.18.254.3' }), [prefix(P)]);
  t.is(bestPeer(rib), ids[1]);
  t.is(lastDecision, Decision.RouterId);
});

test('shorter CLUSTER_LIST wins when the originator is the same', (t) => {
  const i1 = { address: '198.18.3.1', asn: LOCAL_AS, routerId: '198.18.255.1' };
  const i2 = { address: '198.18.4.1', asn: LOCAL_AS, routerId: '198.18.255.2' };
  const { rib, ids } = ribWith([i1, i2]);
  const same = { originatorId: '198.18.254.1' };
  rib.update(ids[0], path([64501], { ...same, clusterList: ['198.18.253.1', '198.18.253.2'] }), [prefix(P)]);
  rib.update(ids[1], path([64501], { ...same, clusterList: ['198.18.253.3'] }), [prefix(P)]);
  t.is(bestPeer(rib), ids[1]);
  t.is(lastDecision, Decision.ClusterLength);
});

test('lower peer address wins last; IPv4 peers sort before IPv6 peers', (t) => {
  const i1 = { address: '198.18.4.1', asn: LOCAL_AS, routerId: '198.18.255.1' };
  const i2 = { address: '198.18.3.1', asn: LOCAL_AS, routerId: '198.18.255.1' };
  const i3 = { address: '2001:db8::1', asn: LOCAL_AS, routerId: '198.18.255.1' };
  const { rib, ids } = ribWith([i1, i2, i3]);
  rib.update(ids[2], path([64501]), [prefix(P)]);
  rib.update(ids[0], path([64501]), [prefix(P)]);
  t.is(bestPeer(rib), ids[0]);
  t.is(lastDecision, Decision.PeerAddress);
  rib.update(ids[1], path([64501]), [prefix(P)]);
  t.is(bestPeer(rib), ids[1]);
  t.is(lastDecision, Decision.PeerAddress);
});

test('a path whose AS_PATH contains our AS is a loop and is not used', (t) => {
  const { rib, ids } = ribWith([ebgpA]);
  rib.update(ids[0], path([64501]), [prefix(P)]);
  rib.update(ids[0], path([64501, LOCAL_AS, 64510]), [prefix(P)]);
  t.is(bestPeer(rib), undefined);
});

test('generation moves on best-path changes only', (t) => {
  const { rib, ids } = ribWith([ebgpA, ebgpB]);
  const g0 = rib.generation;
  rib.update(ids[0], path([64501, 64510]), [prefix(P)]);
  t.is(rib.generation, g0 + 1);
  rib.update(ids[0], path([64501, 64510]), [prefix(P)]); // duplicate: nothing changes
  t.is(rib.generation, g0 + 1);
  rib.update(ids[1], path([64502, 64510, 64511]), [prefix(P)]); // worse path: best unchanged
  t.is(rib.generation, g0 + 1);
  rib.update(ids[0], path([64501, 64510], { med: 7 }), [prefix(P)]); // best path's attributes change
  t.is(rib.generation, g0 + 2);
  rib.peerDown(ids[0]);
  t.is(rib.generation, g0 + 3);
  t.is(bestPeer(rib), ids[1]);
});

test('peer down removes all its paths in both families and the attribute sets they used', (t) => {
  const { rib, ids } = ribWith([ebgpA, ebgpB]);
  rib.update(ids[0], path([64501]), [prefix('198.18.10.0/24'), prefix('198.18.11.0/24'), prefix('2001:db8:10::/48')]);
  rib.update(ids[1], path([64502]), [prefix('198.18.10.0/24')]);
  t.is(rib.prefixCount[ids[0]], 3);
  t.is(rib.peerDown(ids[0]), 3);
  t.is(rib.prefixCount[ids[0]], 0);
  t.is(rib.v4.paths, 1);
  t.is(rib.v6.paths, 0);
  t.is(rib.attrs.size, 1);
  t.is(bestPeer(rib, '198.18.10.0/24'), ids[1]);
  t.is(bestPeer(rib, '198.18.11.0/24'), undefined);
  t.deepEqual([...rib.bestRoutes(Afi.IPv6)], []);
});

test('compare-routerid: the lower router id wins even against the incumbent eBGP path', (t) => {
  const rib = new Rib({ localAsn: LOCAL_AS, compareRouterId: true });
  const b = rib.addPeer(ebgpB);
  const a = rib.addPeer(ebgpA);
  rib.peerUp(b, ebgpB.routerId);
  rib.peerUp(a, ebgpA.routerId);
  rib.update(b, path([64502]), [prefix(P)]);
  rib.update(a, path([64501]), [prefix(P)]);
  t.is(bestPeer(rib), a);
  t.is(lastDecision, Decision.RouterId);
});

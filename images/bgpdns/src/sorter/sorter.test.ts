import test from 'ava';
import { Rib } from '../rib/rib.js';
import { path, prefix } from '../../testing/rib/test-helpers.js';
import { NO_PATH_PREFERENCE, NO_PREFERENCE, Sorter, TOP_PREFERENCE, type UpstreamCandidates } from './sorter.js';

const ISP1 = 64501;
const ISP2 = 64502;
const ISP3 = 4200000001;
const CLIENT_NET = '198.18.64.0/20';
const C1 = '198.18.101.10';
const C2 = '198.18.102.10';
const C3 = '2001:db8:103::10';

function lab(upstreams: UpstreamCandidates[] = []) {
  const rib = new Rib({ localAsn: 64500 });
  const p1 = rib.addPeer({ address: '198.18.1.1', asn: ISP1 });
  const p2 = rib.addPeer({ address: '198.18.2.1', asn: ISP2 });
  const p3 = rib.addPeer({ address: '2001:db8:3::1', asn: ISP3 });
  rib.peerUp(p1, '198.18.255.1');
  rib.peerUp(p2, '198.18.255.2');
  rib.peerUp(p3, '198.18.255.3');
  // Each ISP originates the prefix our server's address for it lives in.
  rib.update(p1, path([ISP1]), [prefix('198.18.101.0/24')]);
  rib.update(p2, path([ISP2]), [prefix('198.18.102.0/24')]);
  rib.update(p3, path([ISP3]), [prefix('2001:db8:103::/48')]);
  // The client network, three ways.
  rib.update(p1, path([ISP1, 64510]), [prefix(CLIENT_NET)]);
  rib.update(p2, path([ISP2, 64520, 64510]), [prefix(CLIENT_NET)]);
  rib.update(p3, path([ISP3, 64530, 64531, 64510]), [prefix(CLIENT_NET)]);
  return { rib, p1, p2, p3, sorter: new Sorter(rib, upstreams) };
}

test('best path upstream first, the others ranked by their own paths', (t) => {
  const { sorter, rib } = lab();
  const a = sorter.rankNow({ client: '198.18.64.7', candidates: [C3, C2, C1] });
  t.is(a.status, 'ranked');
  t.deepEqual(a.preferences, [TOP_PREFERENCE - 2, TOP_PREFERENCE - 1, TOP_PREFERENCE]);
  t.is(a.matchedPrefix, CLIENT_NET);
  t.is(a.neighborAs, ISP1);
  t.is(a.generation, rib.generation);
  t.is(sorter.hits.get(ISP1), 1);
});

test('an IPv6 client is ranked from the IPv6 table', (t) => {
  const { sorter, rib, p2, p3 } = lab();
  rib.update(p3, path([ISP3, 64510]), [prefix('2001:db8:40::/44')]);
  rib.update(p2, path([ISP2, 64520, 64510]), [prefix('2001:db8:40::/44')]);
  const a = sorter.rankNow({ client: '2001:db8:40::99', candidates: [C1, C2, C3] });
  t.is(a.neighborAs, ISP3);
  t.is(a.matchedPrefix, '2001:db8:40::/44');
  t.deepEqual(a.preferences, [NO_PATH_PREFERENCE, TOP_PREFERENCE - 1, TOP_PREFERENCE]);
});

test('several candidates of one upstream share its preference', (t) => {
  const { sorter } = lab();
  const a = sorter.rankNow({ client: '198.18.64.7', candidates: [C1, '198.18.101.11', C2] });
  t.deepEqual(a.preferences, [TOP_PREFERENCE, TOP_PREFERENCE, TOP_PREFERENCE - 1]);
});

test('other upstreams with equally good paths get equal preference', (t) => {
  const { sorter, rib, p3 } = lab();
  rib.update(p3, path([ISP3, 64520, 64510]), [prefix(CLIENT_NET)]); // now as long as ISP2's
  const a = sorter.rankNow({ client: '198.18.64.7', candidates: [C1, C2, C3] });
  t.deepEqual(a.preferences, [TOP_PREFERENCE, TOP_PREFERENCE - 1, TOP_PREFERENCE - 1]);
});

test('a more specific route of another upstream ranks it above a shorter AS path on a covering route', (t) => {
  const { sorter, rib, p3 } = lab();
  rib.update(p3, path([ISP3, 64530, 64531, 64532, 64510]), [prefix('198.18.64.0/22')]);
  const a = sorter.rankNow({ client: '198.18.64.7', candidates: [C1, C2, C3] });
  // ISP3's /22 is now the longest match, so ISP3 holds the best path.
  t.is(a.matchedPrefix, '198.18.64.0/22');
  t.is(a.neighborAs, ISP3);
  t.deepEqual(a.preferences, [TOP_PREFERENCE - 1, TOP_PREFERENCE - 2, TOP_PREFERENCE]);
});

test('an upstream without any path to the client ranks last', (t) => {
  const { sorter, rib, p3 } = lab();
  rib.withdraw(p3, [prefix(CLIENT_NET)]);
  const a = sorter.rankNow({ client: '198.18.64.7', candidates: [C3, C1] });
  t.deepEqual(a.preferences, [NO_PATH_PREFERENCE, TOP_PREFERENCE]);
});

test('configured candidate prefixes override the automatic mapping', (t) => {
  const { sorter } = lab([{ asn: ISP2, prefixes: ['198.18.101.8/29'] }]);
  t.is(sorter.upstreamOf('198.18.101.10'), ISP2);
  t.is(sorter.upstreamOf('198.18.101.20'), ISP1);
  const a = sorter.rankNow({ client: '198.18.64.7', candidates: ['198.18.101.10', '198.18.101.20'] });
  t.deepEqual(a.preferences, [TOP_PREFERENCE - 1, TOP_PREFERENCE]);
});

test('candidates in no upstream get no preference; none mapped → unmapped', (t) => {
  const { sorter } = lab();
  const partly = sorter.rankNow({ client: '198.18.64.7', candidates: ['198.18.200.1', C1] });
  t.is(partly.status, 'ranked');
  t.deepEqual(partly.preferences, [NO_PREFERENCE, TOP_PREFERENCE]);
  const none = sorter.rankNow({ client: '198.18.64.7', candidates: ['198.18.200.1', '2001:db8:ffff::1'] });
  t.is(none.status, 'unmapped');
  t.deepEqual(none.preferences, [NO_PREFERENCE, NO_PREFERENCE]);
  t.is(none.neighborAs, ISP1);
});

test('a client outside every route gets no preference (slide 35)', (t) => {
  const { sorter } = lab();
  const a = sorter.rankNow({ client: '198.19.1.1', candidates: [C1, C2] });
  t.is(a.status, 'no-route');
  t.deepEqual(a.preferences, [NO_PREFERENCE, NO_PREFERENCE]);
  t.is(a.matchedPrefix, undefined);
});

test('all sessions down → no preference (slide 35)', (t) => {
  const { sorter, rib, p1, p2, p3 } = lab();
  rib.peerDown(p1);
  rib.peerDown(p2);
  t.is(sorter.rankNow({ client: '198.18.64.7', candidates: [C1, C2, C3] }).status, 'ranked');
  rib.peerDown(p3);
  const a = sorter.rankNow({ client: '198.18.64.7', candidates: [C1, C2, C3] });
  t.is(a.status, 'no-sessions');
  t.deepEqual(a.preferences, [0, 0, 0]);
});

test('losing the best upstream moves its candidates down at once', (t) => {
  const { sorter, rib, p1 } = lab();
  const g = rib.generation;
  rib.peerDown(p1);
  const a = sorter.rankNow({ client: '198.18.64.7', candidates: [C1, C2, C3] });
  t.true(a.generation > g);
  t.is(a.neighborAs, ISP2);
  // ISP1's own prefix is gone with the session: its candidate is unmapped now.
  t.deepEqual(a.preferences, [NO_PREFERENCE, TOP_PREFERENCE, TOP_PREFERENCE - 1]);
});

test('an EDNS client subnet only matches routes no longer than its prefix', (t) => {
  const { sorter, rib, p2 } = lab();
  rib.update(p2, path([ISP2, 64510]), [prefix('198.18.64.0/24')]);
  t.is(sorter.rankNow({ client: '198.18.64.0', clientPrefixLen: 24, candidates: [C1] }).matchedPrefix, '198.18.64.0/24');
  const wide = sorter.rankNow({ client: '198.18.64.0', clientPrefixLen: 21, candidates: [C1, C2] });
  t.is(wide.matchedPrefix, CLIENT_NET);
  t.deepEqual(wide.preferences, [TOP_PREFERENCE, TOP_PREFERENCE - 1]);
});

test('the automatic mapping follows the upstream withdrawing and re-announcing its prefix', (t) => {
  const { sorter, rib, p1, p2 } = lab();
  t.is(sorter.upstreamOf(C1), ISP1);
  rib.withdraw(p1, [prefix('198.18.101.0/24')]);
  t.is(sorter.upstreamOf(C1), -1);
  // A transit path (not self-originated) does not make ISP2 the owner.
  rib.update(p2, path([ISP2, ISP1]), [prefix('198.18.101.0/24')]);
  t.is(sorter.upstreamOf(C1), -1);
  rib.update(p1, path([ISP1]), [prefix('198.18.101.0/24')]);
  t.is(sorter.upstreamOf(C1), ISP1);
});

test('the async Ranker interface answers the same', async (t) => {
  const { sorter } = lab();
  const a = await sorter.rank({ client: '198.18.64.7', candidates: [C2, C1] });
  t.deepEqual(a.preferences, [TOP_PREFERENCE - 1, TOP_PREFERENCE]);
});

test('a prefix the upstream originates and prepends still maps its candidates to it', (t) => {
  const { sorter, rib, p3 } = lab();
  rib.update(p3, path([ISP3, ISP3, ISP3]), [prefix('2001:db8:103::/48')]);
  rib.update(p3, path([ISP3, 64530]), [prefix('2001:db8:103:1::/64')]);
  t.is(sorter.upstreamOf(C3), ISP3);
});

test('the mapping cache forgets a candidate whose self-originated path a transit path replaced', (t) => {
  const { sorter, rib, p1 } = lab();
  t.is(sorter.upstreamOf(C1), ISP1);
  // isp1 now only carries the prefix from someone else: C1 no longer belongs to isp1.
  rib.update(p1, path([ISP1, 64999]), [prefix('198.18.101.0/24')]);
  t.is(sorter.upstreamOf(C1), -1);
  const a = sorter.rankNow({ client: '198.18.64.7', candidates: [C1, C2] });
  t.deepEqual(a.preferences, [NO_PREFERENCE, TOP_PREFERENCE - 1]);
  // And back: originated by isp1 again.
  rib.update(p1, path([ISP1]), [prefix('198.18.101.0/24')]);
  t.is(sorter.upstreamOf(C1), ISP1);
});

test('a change of one self-originated prefix drops only the mappings it covers; the rest stay cached', (t) => {
  const { sorter, rib, p1, p2 } = lab();
  const other = '198.18.102.99';
  for (const c of [C1, C2, C3, other]) t.not(sorter.upstreamOf(c), -1);
  // isp1 now originates a more-specific inside isp2's prefix: C2 (inside it) moves, nothing else.
  rib.update(p1, path([ISP1]), [prefix('198.18.102.0/28')]);
  t.true(sorter.isMappingCached(C1) && sorter.isMappingCached(C3) && sorter.isMappingCached(other), 'outside the changed prefix: kept');
  t.is(sorter.upstreamOf(C1), ISP1);
  t.false(sorter.isMappingCached(C2), 'inside the changed prefix: dropped');
  t.is(sorter.upstreamOf(C2), ISP1, 'recomputed from the RIB');
  t.is(sorter.upstreamOf(other), ISP2);
  rib.withdraw(p2, [prefix('198.18.102.0/24')]);
  t.is(sorter.upstreamOf(other), -1, 'isp2 no longer originates what covers it');
  t.is(sorter.upstreamOf(C2), ISP1);
  t.true(sorter.isMappingCached(C1) && sorter.isMappingCached(C3));
});

test('a peer flushed at once (peerDown) drops every mapping: its changes are not named one by one', (t) => {
  const { sorter, rib, p3 } = lab();
  for (const c of [C1, C2, C3]) sorter.upstreamOf(c);
  rib.peerDown(p3);
  sorter.upstreamOf(C1);
  t.false(sorter.isMappingCached(C2));
  t.is(sorter.upstreamOf(C3), -1);
});

/** Groups of candidate indices by equal preference, best first: what a client makes of an answer. */
function orderOf(preferences: number[]): number[][] {
  const levels = [...new Set(preferences)].sort((a, b) => b - a);
  return levels.map((l) => preferences.flatMap((p, i) => (p === l ? [i] : [])));
}

test('the upstream ranking orders every candidate subset as the sorter orders it (§4.5)', (t) => {
  const { sorter, rib, p3 } = lab();
  // Two ways to a second client network, so the tests cover a tie and a missing path too.
  rib.update(p3, path([ISP3, 64510]), [prefix('198.18.96.0/20')]);
  const all = [C1, C2, C3, '198.18.101.11', '198.18.200.1'];
  for (const client of ['198.18.64.7', '198.18.96.9', '2001:db8:103::99']) {
    const full = sorter.rankNow({ client, candidates: all, upstreams: true });
    if (full.status !== 'ranked' && full.status !== 'unmapped') {
      t.is(full.owners, undefined, `${client}: no route, no upstream section`);
      continue;
    }
    t.deepEqual(full.owners, [ISP1, ISP2, ISP3, ISP1, 0], `${client}: each candidate's upstream`);
    const ranking = new Map(full.upstreamRanking!.map((u) => [u.asn, u.preference]));
    t.deepEqual([...ranking.keys()].sort(), [ISP1, ISP2, ISP3].sort(), `${client}: every upstream ranked`);
    // Every non-empty subset of the candidates, in both orders: the ranking must reproduce the sorter's groups.
    for (let mask = 1; mask < 1 << all.length; mask++) {
      const subset = all.filter((_, i) => mask & (1 << i));
      for (const candidates of [subset, [...subset].reverse()]) {
        const direct = sorter.rankNow({ client, candidates });
        const owners = candidates.map((c) => full.owners![all.indexOf(c)]);
        const derived = owners.map((o) => (o === 0 ? NO_PREFERENCE : ranking.get(o)!));
        t.deepEqual(orderOf(derived), orderOf(direct.preferences), `${client} ${candidates.join(' ')}`);
      }
    }
  }
});

test('without the upstreams flag an answer carries no upstream section', (t) => {
  const { sorter } = lab();
  const a = sorter.rankNow({ client: '198.18.64.7', candidates: [C1, C2] });
  t.is(a.owners, undefined);
  t.is(a.upstreamRanking, undefined);
});

import test from 'ava';
import dgram from 'node:dgram';
import { AddressOrderer, groupByPreference, orderFromGroups, type OrderDecision } from './orderer.js';
import { MAX_CANDIDATES } from '../../sorter/protocol-types.js';
import { clientFromSource, clientFromSubnet } from './client-address.js';
import { PrefixTableRanker } from '../../../testing/dns/prefix-table-ranker.js';
import { validateClientSubnet, type ClientSubnet } from '../wire/ecs.js';
import { waitUntil } from '../../support/wait-until.js';

const candidates = ['198.18.1.1', '198.18.2.1', '198.18.3.1'];
const rrset = candidates.join(',');

function table() {
  return new PrefixTableRanker([
    { prefix: '127.0.1.0/24', prefer: ['198.18.2.1'] },
    { prefix: '127.0.2.0/24', prefer: ['198.18.3.1', '198.18.1.1'] },
    { prefix: '127.0.0.0/16', prefer: ['198.18.1.1'] },
  ]);
}

function clock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const pick = (order: number[]) => order.map((i) => candidates[i]);

test('the ranker order is served: higher preference first', async (t) => {
  const o = new AddressOrderer(table());
  const d = await o.order(clientFromSource('127.0.2.9'), rrset, candidates);
  t.deepEqual(pick(d.order), ['198.18.3.1', '198.18.1.1', '198.18.2.1']);
  t.is(d.source, 'sorter');
  t.is(d.scope, 24);
});

test('equal preferences come out in random order (both orders seen)', (t) => {
  const groups = groupByPreference([5, 1, 1, 1]);
  t.deepEqual(groups, [[0], [1, 2, 3]]);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const o = orderFromGroups(groups, 4);
    t.is(o[0], 0);
    seen.add(o.join(''));
  }
  t.true(seen.size > 1);
  t.is(groupByPreference([3, 3, 3]), null);
});

test('a cached decision for the client prefix is used at once, without asking again', async (t) => {
  const r = table();
  const o = new AddressOrderer(r);
  await o.order(clientFromSource('127.0.1.5'), rrset, candidates);
  t.is(r.calls, 1);
  const d = o.order(clientFromSource('127.0.1.200'), rrset, candidates);
  t.false(d instanceof Promise);
  t.is(pick((d as { order: number[] }).order)[0], '198.18.2.1');
  t.is(r.calls, 1);
  t.is(o.stats.cacheHits, 1);
  // Another client outside that /24 but inside the /16 is a miss until the /16 is learnt.
  await o.order(clientFromSource('127.0.9.1'), rrset, candidates);
  t.is(r.calls, 2);
  const longest = o.order(clientFromSource('127.0.1.7'), rrset, candidates) as { order: number[] };
  t.is(pick(longest.order)[0], '198.18.2.1', 'the longer cached prefix wins');
});

test('a new RIB generation in any answer flushes the cache', async (t) => {
  const r = table();
  const o = new AddressOrderer(r, { generationProbeMs: 0 });
  await o.order(clientFromSource('127.0.1.5'), rrset, candidates);
  r.generation = 2;
  r.table[0].prefer = ['198.18.3.1'];
  // A hit triggers the generation probe (interval 0 here), which sees generation 2.
  const d1 = o.order(clientFromSource('127.0.1.5'), rrset, candidates) as { order: number[] };
  t.is(pick(d1.order)[0], '198.18.2.1');
  await new Promise((res) => setImmediate(res));
  t.is(o.stats.cacheFlushes, 1);
  t.is(o.stats.generation, 2);
  const d2 = await o.order(clientFromSource('127.0.1.5'), rrset, candidates);
  t.is(pick(d2.order)[0], '198.18.3.1');
});

test('entries older than maxAge are not used', async (t) => {
  const c = clock();
  const r = table();
  const o = new AddressOrderer(r, { now: c.now, maxAgeMs: 5000, refreshAfterMs: 100_000, generationProbeMs: 100_000 });
  await o.order(clientFromSource('127.0.1.5'), rrset, candidates);
  c.advance(6000);
  await o.order(clientFromSource('127.0.1.5'), rrset, candidates);
  t.is(r.calls, 2);
});

test('timeout: random order now, counted; the late answer still fills the cache', async (t) => {
  const r = table();
  r.delayMs = 80;
  const o = new AddressOrderer(r, { timeoutMs: 20 });
  const d = await o.order(clientFromSource('127.0.1.5'), rrset, candidates);
  t.is(d.source, 'random');
  t.is(o.stats.fallbacks.timeout, 1);
  t.is(o.stats.sorterTimeout, 1);
  await waitUntil(() => o.stats.lateAnswers, (n) => n > 0, { what: 'the late sorter answer counted', timeout: 5000, interval: 10 });
  const later = o.order(clientFromSource('127.0.1.5'), rrset, candidates);
  t.false(later instanceof Promise);
  t.is(o.stats.lateAnswers, 1);
});

test('3 failures in a row mark the sorter defective; skipped during back-off, probed after, back-off doubles up to the cap', async (t) => {
  const c = clock();
  const r = table();
  r.failing = true;
  const o = new AddressOrderer(r, { now: c.now, backoffInitialMs: 1000, backoffMaxMs: 3000 });
  const ask = (addr: string) => o.order(clientFromSource(addr), rrset, candidates);
  for (let i = 0; i < 3; i++) await ask(`127.0.1.${i + 1}`);
  t.true(o.isDefective);
  t.is(o.stats.defectiveEpisodes, 1);
  t.is(r.calls, 3);
  await ask('127.0.1.9');
  t.is(r.calls, 3, 'skipped while defective');
  t.is(o.stats.fallbacks.defective, 1);
  c.advance(1001);
  await ask('127.0.1.9');
  t.is(r.calls, 4, 'one probe after the back-off');
  t.is(o.stats.probes, 1);
  c.advance(1001);
  await ask('127.0.1.9');
  t.is(r.calls, 4, 'back-off doubled to 2 s');
  c.advance(1000);
  await ask('127.0.1.9');
  t.is(r.calls, 5);
  c.advance(3001);
  await ask('127.0.1.9');
  t.is(r.calls, 6, 'capped at 3 s');
  r.failing = false;
  c.advance(3001);
  const d = await ask('127.0.1.9');
  t.false(o.isDefective, 'a successful probe makes it healthy again');
  t.is(d.source, 'sorter');
});

/** An IPv4 ECS option (as validated off the wire) for `text`/`len`. */
function ecs(text: string, len: number): ClientSubnet {
  const b = Buffer.alloc(4 + Math.ceil(len / 8));
  b.writeUInt16BE(1, 0);
  b[2] = len;
  Buffer.from(text.split('.').map(Number)).copy(b, 4, 0, Math.ceil(len / 8));
  return validateClientSubnet(b) as ClientSubnet;
}

test('ECS: the subnet and its length go to the ranker; a cached prefix longer than the subnet is not used', async (t) => {
  const r = table();
  const o = new AddressOrderer(r);
  const d = await o.order(clientFromSubnet(ecs('127.0.2.0', 24)), rrset, candidates);
  t.deepEqual(r.requests[0], { client: '127.0.2.0', clientPrefixLen: 24, candidates, upstreams: true });
  t.is(pick(d.order)[0], '198.18.3.1');
  t.is(d.scope, 24);
  // A /16 subnet is wider than the cached /24: ask again (the sorter answers with the /16).
  const wide = await o.order(clientFromSubnet(ecs('127.0.0.0', 16)), rrset, candidates);
  t.is(r.calls, 2);
  t.is(wide.scope, 16);
});

test('no ranker configured: random order, no fallback counted; one candidate: nothing asked', async (t) => {
  const o = new AddressOrderer(null);
  const d = o.order(clientFromSource('127.0.0.1'), rrset, candidates) as { order: number[]; source: string };
  t.is(d.source, 'random');
  t.deepEqual([...d.order].sort(), [0, 1, 2]);
  const r = table();
  const one = new AddressOrderer(r).order(clientFromSource('127.0.0.1'), '198.18.1.1', ['198.18.1.1']);
  t.false(one instanceof Promise);
  t.is(r.calls, 0);
});

test('no route to the client: no preference, random order, counted as such', async (t) => {
  const o = new AddressOrderer(table());
  const d = await o.order(clientFromSource('127.9.9.9'), rrset, candidates);
  // About this client only (its full length), and the TTL is to be capped.
  t.is(d.scope, 32);
  t.true(d.capTtl);
  t.is(o.stats.fallbacks['no-preference'], 1);
});

test('ECS source /0: unranked with scope 0, the sorter not asked (not ranked by the resolver address)', (t) => {
  const r = table();
  const o = new AddressOrderer(r);
  const d = o.order(clientFromSubnet(ecs('0.0.0.0', 0)), rrset, candidates) as OrderDecision;
  t.is(r.calls, 0);
  t.is(d.scope, 0);
  t.true(d.capTtl);
  t.is(o.stats.fallbacks['ecs-source-zero'], 1);
});

test('an RRset over the protocol limit is answered unranked without asking, and never marks the sorter defective', (t) => {
  const r = table();
  const o = new AddressOrderer(r, { failuresToDefective: 3 });
  const many = Array.from({ length: MAX_CANDIDATES + 1 }, (_, i) => `198.18.${i >> 8}.${i & 255}`);
  for (let i = 0; i < 5; i++) {
    const d = o.order(clientFromSource('127.0.0.1'), many.join(','), many) as OrderDecision;
    t.is(d.order.length, many.length);
    t.true(d.capTtl);
  }
  t.is(r.calls, 0);
  t.false(o.isDefective);
  t.is(o.stats.fallbacks['too-many-addresses'], 5);
});

test('no route / no sessions are remembered for generationProbeMs (per client / for everyone), forgotten on a new generation', async (t) => {
  const c = clock();
  const r = table();
  const o = new AddressOrderer(r, { now: c.now, generationProbeMs: 1000 });
  await o.order(clientFromSource('127.9.9.9'), rrset, candidates);
  const again = o.order(clientFromSource('127.9.9.9'), rrset, candidates);
  t.false(again instanceof Promise);
  t.is(r.calls, 1);
  await o.order(clientFromSource('127.9.9.10'), rrset, candidates);
  t.is(r.calls, 2, 'another client is asked');
  c.advance(1001);
  await o.order(clientFromSource('127.9.9.9'), rrset, candidates);
  t.is(r.calls, 3, 'asked again after refreshAfterMs');
  r.generation = 5;
  await o.order(clientFromSource('127.0.1.1'), rrset, candidates);
  t.is(o.order(clientFromSource('127.9.9.9'), rrset, candidates) instanceof Promise, true, 'a new generation forgets it');
});

test('one generation probe per interval, riding on a cache hit, notices a routing change for every RRset', async (t) => {
  const c = clock();
  const r = table();
  const o = new AddressOrderer(r, { now: c.now, generationProbeMs: 1000, refreshAfterMs: 60_000 });
  const other = ['198.18.9.1', '198.18.2.1'];
  await o.order(clientFromSource('127.0.1.5'), rrset, candidates);
  await o.order(clientFromSource('127.0.1.5'), other.join(','), other);
  t.is(r.calls, 2);
  for (let i = 0; i < 10; i++) o.order(clientFromSource('127.0.1.5'), rrset, candidates);
  t.is(r.calls, 2, 'no probe before the interval');
  c.advance(1000);
  r.generation = 7;
  for (let i = 0; i < 10; i++) o.order(clientFromSource('127.0.1.5'), rrset, candidates);
  t.is(r.calls, 3, 'exactly one probe');
  await new Promise((res) => setImmediate(res));
  t.is(o.stats.generation, 7);
  t.is(o.stats.cacheFlushes, 1);
  t.true(o.order(clientFromSource('127.0.1.5'), other.join(','), other) instanceof Promise, 'the other RRset is asked again');
});

test('a frozen sorter behind a warm cache: generation probes that time out mark it defective, cached clients then get random order, a probe after thaw restores them', async (t) => {
  const c = clock();
  const r = table();
  const o = new AddressOrderer(r, { now: c.now, timeoutMs: 20, generationProbeMs: 1000, refreshAfterMs: 600_000, backoffInitialMs: 1000 });
  const cached = () => o.order(clientFromSource('127.0.1.5'), rrset, candidates);
  await cached();
  t.is((cached() as { source: string }).source, 'cache');
  // Freeze: the sorter stops answering (answers arrive long after the front's timeout).
  r.delayMs = 300;
  const waitFor = (what: string, cond: () => boolean) => waitUntil(cond, (ok) => ok, { what, timeout: 5000, interval: 5 });
  for (let probe = 1; probe <= 3; probe++) {
    t.false(o.isDefective, `not defective before probe ${probe}`);
    c.advance(1000);
    const d = cached() as { source: string };
    t.is(d.source, 'cache', 'cache hits are served at once while the probe is out');
    await waitFor(`probe ${probe} timed out`, () => o.stats.sorterTimeout === probe);
    await waitFor(`probe ${probe} finished`, () => !(o as unknown as { generationProbeInFlight: boolean }).generationProbeInFlight);
  }
  t.true(o.isDefective, '3 generation probes without a timely answer mark the sorter defective');
  t.is(o.stats.defectiveEpisodes, 1);
  const orders = new Set<string>();
  for (let i = 0; i < 60; i++) {
    const d = cached() as { order: number[]; source: string };
    t.is(d.source, 'random', 'no cached decision from a defective sorter');
    orders.add(pick(d.order)[0]);
  }
  t.true(orders.size >= 2, `random order: first addresses ${[...orders].join(', ')}`);
  t.is(o.stats.sorterTimeout, 3, 'no query waits on the sorter during the back-off');
  // Thaw; after the back-off one query probes the sorter, and its answer makes it trusted again.
  r.delayMs = 0;
  c.advance(1001);
  const probe = await cached();
  t.is(probe.source, 'sorter');
  t.false(o.isDefective);
  t.is(pick((cached() as { order: number[] }).order)[0], '198.18.2.1', 'sorted from the cache again');
});

test.serial('an answer already received when the deadline passes is in time: a front stalled by its own work does not fail the sorter', async (t) => {
  // Serial: the stall below would also hold up the timers of tests running beside it.
  // The sorter's answer reaches the front's socket at once (a datagram to itself on loopback),
  // then the event loop is kept busy past the timeout, as on a saturated front: when the loop
  // turns, the deadline is due and the answer sits unread in the socket.
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => socket.close());
  const base = table();
  const ranker = {
    rank: (req: Parameters<typeof base.rank>[0]) =>
      new Promise<Awaited<ReturnType<typeof base.rank>>>((resolve) => {
        socket.once('message', () => resolve(base.rank(req)));
        socket.send(Buffer.from('answer'), socket.address().port, '127.0.0.1');
      }),
  };
  const o = new AddressOrderer(ranker, { timeoutMs: 20 });
  const pending = o.order(clientFromSource('127.0.2.9'), rrset, candidates);
  // Let the send go out (dgram sends on the next tick), then stall past the deadline.
  await new Promise((r) => process.nextTick(r));
  const until = performance.now() + 80;
  while (performance.now() < until);
  const d = await pending;
  t.is(d.source, 'sorter');
  t.deepEqual(pick(d.order), ['198.18.3.1', '198.18.1.1', '198.18.2.1']);
  t.is(o.stats.sorterTimeout, 0);
});

/**
 * The DNS front against the real sorter stack over UDP on loopback: the
 * authenticated query service (sorter/server.ts) ranking from a real RIB
 * (sorter/sorter.ts, rib/), reached through the real client (sorter/client.ts).
 * Clients are EDNS client subnets in 198.18.0.0/15 so the RIB holds lab routes.
 */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { Rib } from '../rib/rib.js';
import { path, prefix } from '../../testing/rib/test-helpers.js';
import { SorterClient } from '../sorter/client.js';
import { QueryServer } from '../sorter/server.js';
import { Sorter } from '../sorter/sorter.js';
import { startDnsServer } from './server/dns-server.js';
import { buildQuery, queryUdp } from '../../testing/dns/dns-client.js';
import { dnsMetrics } from './server/metrics.js';
import { serveHttp } from './server/http.js';
import { waitUntil } from '../support/wait-until.js';
import { BEST_CHANGE_LIMIT } from '../rib/best-change-log.js';
import { loopbackAddress, startTinydns, type TinydnsProcess } from '../../testing/dns/tinydns-process.js';

const KEY = Buffer.alloc(32, 0x35);

/** `proxy`: the front in proxy mode in front of real tinydns serving the same data, instead of serving the file itself. */
async function setup(t: import('ava').ExecutionContext, ordering: Record<string, number> = {}, moreData = '', mode: 'file' | 'proxy' = 'file') {
  const rib = new Rib({ localAsn: 64500 });
  const isp1 = rib.addPeer({ address: '198.18.1.1', asn: 64501 });
  const isp2 = rib.addPeer({ address: '198.18.2.1', asn: 64502 });
  rib.peerUp(isp1, '198.18.255.1');
  rib.peerUp(isp2, '198.18.255.2');
  // Each ISP originates the prefix our server's address on it comes from (slide 19).
  rib.update(isp1, path([64501]), [prefix('198.18.101.0/24')]);
  rib.update(isp2, path([64502]), [prefix('198.18.102.0/24')]);
  // The client network: shorter path through ISP1.
  rib.update(isp1, path([64501, 64510]), [prefix('198.18.64.0/20')]);
  rib.update(isp2, path([64502, 64520, 64510]), [prefix('198.18.64.0/20')]);
  const sorterServer = new QueryServer({ ranker: new Sorter(rib), keys: new Map([[1, KEY]]) });
  const sorterAddr = await sorterServer.listen(0, '127.0.0.1');
  const client = await SorterClient.open({ host: '127.0.0.1', port: sorterAddr.port, keyId: 1, key: KEY });
  const dir = mkdtempSync(join(tmpdir(), 'h5-real-'));
  const data = join(dir, 'data');
  const dataText = '.lab.example:198.18.0.1:a\n+www.lab.example:198.18.101.10\n+www.lab.example:198.18.102.10\n' + moreData;
  writeFileSync(data, dataText);
  let tinydns: TinydnsProcess | null = null;
  if (mode === 'proxy') tinydns = await startTinydns(dataText, loopbackAddress(24), { probeName: 'lab.example' });
  const dns = await startDnsServer({
    ...(tinydns ? { upstream: { host: tinydns.ip, port: 53 } } : { data }),
    listen: { host: '127.0.0.1', port: 0 },
    ranker: client,
    pollMs: 0,
    ordering: { timeoutMs: 200, refreshAfterMs: 0, backoffInitialMs: 60_000, ...ordering },
  });
  let sorterUp = true;
  t.teardown(async () => {
    await dns.close();
    client.close();
    if (sorterUp) await sorterServer.close();
    await tinydns?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const first = async (subnet = '198.18.64.0', name = 'www.lab.example') => {
    const r = await queryUdp(dns.address, buildQuery({ name, type: 'A', edns: { ecs: { family: 1, sourcePrefix: 24, address: subnet } } }));
    const p = dnsPacket.decode(r!);
    const opt = p.additionals!.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer;
    const ecs = opt.options.find((o) => o.code === 8) as unknown as { scopePrefixLength: number };
    return { first: (p.answers![0] as { data: string }).data, scope: ecs.scopePrefixLength, ttl: (p.answers![0] as { ttl: number }).ttl };
  };
  const stopSorter = async () => {
    sorterUp = false;
    await sorterServer.close();
  };
  return { rib, isp1, isp2, dns, first, stopSorter, sorterServer };
}

test.serial('the address on the ISP of the best path comes first, scope = matched prefix; a routing change flips it', async (t) => {
  const { rib, isp1, dns, first } = await setup(t);
  for (let i = 0; i < 5; i++) t.deepEqual(await first(), { first: '198.18.101.10', scope: 20, ttl: 86400 });
  const generation = rib.generation;
  rib.withdraw(isp1, [prefix('198.18.64.0/20')]);
  t.not(rib.generation, generation);
  // Cached decisions are refreshed in the background; the flip must show within a few queries.
  let seen = '';
  for (let i = 0; i < 50 && seen !== '198.18.102.10'; i++) seen = (await first()).first;
  t.is(seen, '198.18.102.10');
  // The flip can come from the background refresh before the changes answer is in: wait for that.
  await synced(dns, rib);
  // The sorter named the changed prefix: its scope was dropped, the cache was not flushed.
  t.true(dns.orderer.stats.changeSyncs >= 1);
  t.true(dns.orderer.stats.scopedDrops >= 1);
  t.is(dns.orderer.stats.cacheFlushes, 0);
  // Network not in the table (slide 35): no preference, valid for this /24 question only (never scope 0), TTL capped.
  const outside = await first('198.19.200.0');
  t.is(outside.scope, 24);
  t.is(outside.ttl, 5);
});

test.serial('a more-specific via the other ISP: clients inside it move, clients outside keep their order, each with its own scope and cache entry', async (t) => {
  const { rib, isp2, first } = await setup(t);
  t.deepEqual(await first('198.18.64.0'), { first: '198.18.101.10', scope: 20, ttl: 86400 });
  // A partner leaks 198.18.72.0/24 (inside the /20) through isp2.
  rib.update(isp2, path([64502, 64530]), [prefix('198.18.72.0/24')]);
  let inside = await first('198.18.72.0');
  for (let i = 0; i < 20 && inside.first !== '198.18.102.10'; i++) inside = await first('198.18.72.0');
  t.deepEqual(inside, { first: '198.18.102.10', scope: 24, ttl: 86400 });
  // Outside the /24 the /20 still decides, but only for the part of it with no more-specific: 198.18.64.0/21.
  const outside = await first('198.18.64.0');
  t.deepEqual(outside, { first: '198.18.101.10', scope: 21, ttl: 86400 });
  // Asked again, each is served from its own cache entry: the inside answer never leaks to the outside and back.
  for (let i = 0; i < 5; i++) {
    t.is((await first('198.18.72.0')).first, '198.18.102.10');
    t.is((await first('198.18.64.0')).first, '198.18.101.10');
  }
  rib.withdraw(isp2, [prefix('198.18.72.0/24')]);
  let back = await first('198.18.72.0');
  for (let i = 0; i < 20 && back.first !== '198.18.101.10'; i++) back = await first('198.18.72.0');
  t.deepEqual(back, { first: '198.18.101.10', scope: 20, ttl: 86400 });
});

test.serial('sorter gone: random order at once after the timeout, defective after 3 failures, /ready says so, metrics show it', async (t) => {
  const { dns, first, stopSorter } = await setup(t);
  const registry = dnsMetrics(dns.front.stats, dns.orderer);
  const http = await serveHttp({ host: '127.0.0.1', port: 0 }, dns.backend, dns.orderer, registry);
  t.teardown(() => http.close());
  const base = `http://127.0.0.1:${http.address.port}`;
  t.is((await fetch(`${base}/ready`)).status, 200);
  await first();
  await stopSorter();
  // Different subnets: cache misses, each waits for the 200 ms timeout, then random order.
  for (let i = 0; i < 3; i++) {
    const r = await first(`198.18.${80 + i}.0`);
    // Random order for this /24 question only, kept by resolvers for at most the capped TTL.
    t.is(r.scope, 24);
    t.is(r.ttl, 5);
  }
  t.is(dns.orderer.stats.sorterTimeout, 3);
  t.true(dns.orderer.isDefective);
  const asked = dns.orderer.stats.sorterOk + dns.orderer.stats.sorterTimeout + dns.orderer.stats.sorterError;
  await first('198.18.90.0');
  t.is(dns.orderer.stats.sorterOk + dns.orderer.stats.sorterTimeout + dns.orderer.stats.sorterError, asked, 'a defective sorter is not asked, so not waited for');
  const ready = await fetch(`${base}/ready`);
  t.is(ready.status, 503);
  t.is(await ready.text(), 'sorter marked defective');
  t.is((await fetch(`${base}/health`)).status, 200);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.regex(metrics, /bgpdns_dns_sorter_defective 1/);
  t.regex(metrics, /bgpdns_dns_sorter_fallbacks_total\{reason="timeout"\} 3/);
  t.regex(metrics, /bgpdns_dns_sorter_fallbacks_total\{reason="defective"\} 1/);
  t.regex(metrics, /bgpdns_dns_sorter_latency_seconds_count [1-9]/);
  t.regex(metrics, /bgpdns_dns_responses_total\{rcode="NOERROR"\} 5/);
});

/** Asks until the front's cache has caught up with the RIB's generation (the changes answer applied). */
async function synced(dns: { orderer: { cache: { generation: number | null } } }, rib: Rib): Promise<void> {
  await waitUntil(
    () => dns.orderer.cache.generation,
    (g) => g === rib.generation || `cache at generation ${g}, RIB at ${rib.generation}`,
    { what: 'the front to apply the changes answer', timeout: 5000, interval: 5 },
  );
}

// No background refresh or probe of their own: the only sorter answers are the ones a test causes.
const QUIET = { refreshAfterMs: 600_000, generationProbeMs: 600_000 };

test.serial('one prefix changes its best path: only scopes overlapping it leave the cache, the others keep hitting', async (t) => {
  const { rib, isp1, isp2, dns, first } = await setup(t, QUIET);
  // A second client network, best through ISP2.
  rib.update(isp2, path([64502, 64511]), [prefix('198.18.80.0/20')]);
  rib.update(isp1, path([64501, 64521, 64511]), [prefix('198.18.80.0/20')]);
  t.deepEqual(await first('198.18.64.0'), { first: '198.18.101.10', scope: 20, ttl: 86400 });
  t.deepEqual(await first('198.18.80.0'), { first: '198.18.102.10', scope: 20, ttl: 86400 });
  const s = dns.orderer.stats;
  t.is(dns.orderer.cache.decisions, 2);
  rib.withdraw(isp1, [prefix('198.18.64.0/20')]);
  // A question outside both networks carries the new generation back; the front then asks what changed.
  await first('198.18.101.0');
  await synced(dns, rib);
  t.is(s.changeSyncs, 1);
  t.is(s.cacheFlushes, 0);
  t.is(s.scopedDrops, 1, "only 198.18.64.0/20's decision overlapped the change");
  // Answered from the cache: a decision for the RRset, or the scope's upstream ranking (the sorter's answers carry it).
  const cached = () => s.cacheHits + s.rankingHits;
  const hits = cached();
  const misses = s.cacheMisses;
  // The unrelated network is still answered from the cache, as before.
  t.deepEqual(await first('198.18.80.0'), { first: '198.18.102.10', scope: 20, ttl: 86400 });
  t.is(cached(), hits + 1);
  t.is(s.cacheMisses, misses);
  // The changed one is asked again and now ranks ISP2 first.
  t.deepEqual(await first('198.18.64.0'), { first: '198.18.102.10', scope: 20, ttl: 86400 });
  t.is(s.cacheMisses, misses + 1);
  t.deepEqual(await first('198.18.64.0'), { first: '198.18.102.10', scope: 20, ttl: 86400 });
  t.is(cached(), hits + 2);
});

test.serial('more changes than one answer holds, within the log: the front reads them page by page and drops only what they touch', async (t) => {
  const { rib, isp2, dns, first } = await setup(t, QUIET);
  t.deepEqual(await first('198.18.64.0'), { first: '198.18.101.10', scope: 20, ttl: 86400 });
  const s = dns.orderer.stats;
  // A flapping /24 elsewhere (an upstream's burst): 5,000 best-path changes, past one page of 2,048.
  for (let i = 0; i < 2500; i++) {
    rib.update(isp2, path([64502, 64540]), [prefix('198.18.200.0/24')]);
    rib.withdraw(isp2, [prefix('198.18.200.0/24')]);
  }
  await first('198.18.101.0');
  await synced(dns, rib);
  t.is(s.changeSyncs, 3, 'three pages: 2,048 + 2,048 + 904');
  t.is(s.cacheFlushes, 0);
  const hits = s.cacheHits + s.rankingHits;
  t.deepEqual(await first('198.18.64.0'), { first: '198.18.101.10', scope: 20, ttl: 86400 });
  t.is(s.cacheHits + s.rankingHits, hits + 1, 'the client network the burst never touched is still cached');
});

test.serial('more changes than the sorter logs since the cache was synced: the whole cache is flushed', async (t) => {
  const { rib, isp2, dns, first } = await setup(t, QUIET);
  t.deepEqual(await first('198.18.64.0'), { first: '198.18.101.10', scope: 20, ttl: 86400 });
  const s = dns.orderer.stats;
  // A flapping /24 elsewhere: two best-path changes per flap, past the log's reach.
  for (let i = 0; i < BEST_CHANGE_LIMIT; i++) {
    rib.update(isp2, path([64502, 64540]), [prefix('198.18.200.0/24')]);
    rib.withdraw(isp2, [prefix('198.18.200.0/24')]);
  }
  await first('198.18.101.0');
  await synced(dns, rib);
  t.is(s.changeSyncs, 1);
  t.is(s.cacheFlushes, 1);
  const misses = s.cacheMisses;
  t.deepEqual(await first('198.18.64.0'), { first: '198.18.101.10', scope: 20, ttl: 86400 });
  t.is(s.cacheMisses, misses + 1, 'the flushed decision is asked again');
});

test.serial('one sorter answer per client scope: a name whose addresses belong to known upstreams is ordered from the scope\'s upstream ranking (§4.5)', async (t) => {
  const { rib, isp1, isp2, dns, first, sorterServer } = await setup(t, QUIET, '+www2.lab.example:198.18.101.20\n+www2.lab.example:198.18.102.20\n');
  // A second client network, best through ISP2.
  rib.update(isp2, path([64502, 64511]), [prefix('198.18.80.0/20')]);
  rib.update(isp1, path([64501, 64521, 64511]), [prefix('198.18.80.0/20')]);
  const s = dns.orderer.stats;
  const asked = () => sorterServer.stats.answered;
  // www from the first network, www2 from the second: two scopes, and the upstream of every address.
  t.deepEqual(await first('198.18.64.0'), { first: '198.18.101.10', scope: 20, ttl: 86400 });
  t.deepEqual(await first('198.18.80.0', 'www2.lab.example'), { first: '198.18.102.20', scope: 20, ttl: 86400 });
  const before = asked();
  t.is(s.rankingHits, 0);
  // The crossed pairs were never asked: each scope's ranking orders them, and the sorter hears nothing.
  t.deepEqual(await first('198.18.64.0', 'www2.lab.example'), { first: '198.18.101.20', scope: 20, ttl: 86400 });
  t.deepEqual(await first('198.18.80.0'), { first: '198.18.102.10', scope: 20, ttl: 86400 });
  t.is(s.rankingHits, 2);
  t.is(asked(), before, 'no sorter query for an RRset the ranking ordered');
  // The decision made from the ranking is cached for its RRset.
  const hits = s.cacheHits;
  t.deepEqual(await first('198.18.80.0'), { first: '198.18.102.10', scope: 20, ttl: 86400 });
  t.is(s.rankingHits, 2);
  t.is(s.cacheHits, hits + 1);
  t.is(asked(), before);
});

test.serial('an upstream change of a candidate\'s own prefix empties the cache, cached upstreams with it (the sorter answers "all")', async (t) => {
  const { rib, isp1, isp2, dns, first } = await setup(t, QUIET);
  t.deepEqual(await first('198.18.64.0'), { first: '198.18.101.10', scope: 20, ttl: 86400 });
  const s = dns.orderer.stats;
  // ISP1 stops originating our server's prefix; ISP2 originates it now.
  rib.withdraw(isp1, [prefix('198.18.101.0/24')]);
  rib.update(isp2, path([64502]), [prefix('198.18.101.0/24')]);
  await first('198.18.102.0');
  await synced(dns, rib);
  t.is(s.changeSyncs, 1);
  t.is(s.cacheFlushes, 1, 'a self-originated prefix changed: the changes cannot be named per scope');
  t.is(dns.orderer.cache.ownerOf('198.18.101.10', performance.now(), 60_000), undefined, 'the old upstream of the candidate is gone');
  // Both addresses are ISP2's now: no preference between them, the TTL capped as for any unranked answer.
  const after = await first('198.18.64.0');
  t.is(after.scope, 20);
  t.true(after.ttl <= 5, `TTL ${after.ttl} capped`);
});

test.serial('proxy mode: a routing change reorders an answer held in the packet cache at once, without asking the upstream again', async (t) => {
  const { rib, isp1, dns } = await setup(t, {}, '', 'proxy');
  const cache = dns.packetCache!;
  // tinydns sends no OPT, so only the first address is read here (the scope is file mode's business).
  const firstAddress = async () => {
    const r = await queryUdp(dns.address, buildQuery({ name: 'www.lab.example', type: 'A', edns: { ecs: { family: 1, sourcePrefix: 24, address: '198.18.64.0' } } }));
    return (dnsPacket.decode(r!).answers![0] as { data: string }).data;
  };
  for (let i = 0; i < 5; i++) t.is(await firstAddress(), '198.18.101.10');
  t.deepEqual([cache.stats.misses, cache.stats.hits], [1, 4], 'one upstream query, then hits');
  rib.withdraw(isp1, [prefix('198.18.64.0/20')]);
  let seen = '';
  for (let i = 0; i < 50 && seen !== '198.18.102.10'; i++) seen = await firstAddress();
  t.is(seen, '198.18.102.10');
  t.is(cache.stats.misses, 1, 'the new order came from the cached answer, not a new upstream query');
  t.is(cache.size, 1);
});

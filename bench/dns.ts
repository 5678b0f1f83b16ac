/**
 * `./bgpdns-lab bench dns [--quick]`: the DNS front against the strongest
 * authoritative servers, with dnsperf, all on loopback, one target at a time.
 *
 * Targets, same zone content (bench/_dns-workload.ts), same dnsperf settings:
 *  - tinydns (Debian package; its query log goes to /dev/null, as a production
 *    tinydns's goes to its own logger — never into this process);
 *  - NSD (one server process) and Knot DNS (one UDP worker) — bench/_dns-references.ts;
 *  - `bgpdns dns --data` (file mode) with sorting on: a real sorter query service
 *    (sorter/server.ts + Sorter, in its own process) over authenticated UDP;
 *  - `bgpdns dns --upstream` (proxy mode) in front of NSD, sorting on, its packet
 *    cache on at the default size (passed explicitly; hit ratio in the JSON);
 *  - the ceiling of any server on Node's dgram: one process answering every datagram
 *    with itself (bench/_node-udp-ceiling.ts), so the fronts' figures can be read
 *    against what Node can do at all here, and NSD's against that.
 * Two workloads: "cached" (1,000 names, one ECS /24: every answer a template hit and
 * a decision-cache hit) and "realistic" (100,000 names, Zipf popularity, ECS from
 * ≥ 50,000 distinct /56s and the lab range's 512 /24s; the sorter holds a DFZ-shaped
 * full table from three upstreams, so decision-cache misses really ask it).
 * Each workload: a warm-up per target, then ROUNDS rounds of throughput runs in
 * alternating target order, then ROUNDS rounds of latency runs at 50 % of NSD's
 * median saturation rate (p50/p99 from every answer); figures are medians.
 *
 * The sorter's table: a DFZ-shaped one (inject/dfz.ts: prefixes spread over the unicast
 * space, today's length mix — BGP data only, never a packet's destination) of
 * BGPDNS_BENCH_DNS_TABLE=IPV4,IPV6 prefixes (default 1000000,200000), plus the routes to
 * the clients inside the lab ranges (_dns-workload.ts clientRoutes: /24s, /36–/48s),
 * so a client's answer holds for as wide a scope as on a real table. A reference or
 * front that fails to start, or a failed measurement, is an error in the JSON
 * (figures null, its targets not met), never a zero.
 * Last stdout line: one JSON object (docs/contracts.md).
 * Internal mode: `bench/dns.ts --sorter-service KEYHEX IPV4 IPV6` runs the sorter service.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, release, loadavg, setPriority } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import dgram from 'node:dgram';
import { AsPathSegmentType } from '@bgpdns-lab/bgpdns/bgp';
import { QueryServer } from '@bgpdns-lab/bgpdns/sorter';
import { startTinydns, loopbackAddress, buildQuery, queryUdp } from '@bgpdns-lab/bgpdns/testing';
import { lookupSetup } from './sorter-lookups.js';
import { startKnot, startNsd } from './_dns-references.js';
import { CACHED_ECS_HEX, cachedQueries, clientRoutes, tinydnsData, writeRealisticQueries, zoneFile, type RealisticFile } from './_dns-workload.js';
import { latency, throughput, type Latency, type QueryInput, type Throughput } from './_dnsperf.js';
import { round } from './_figures.js';
import { startChild } from './_child.js';
import { median, parsePrometheusText, waitUntil } from '@bgpdns-lab/harness';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '../images/bgpdns/bin/bgpdns.js');
const KEY_HEX = '68352d62656e63682d6b65792d68352d62656e63682d6b65792d68352d626e';
const NAMES = 100_000;
const ROUNDS = 3;
/** The proxy's packet cache: bgpdns dns's default, passed so the figure says what it measured. */
const PACKET_CACHE_SIZE = 100_000;

/** The targets (all in the same run): file mode with sorting and proxy mode against NSD. */
const TARGETS: { name: string; workload: 'cached' | 'realistic'; op: '>=' | '<='; target: number }[] = [
  { name: 'cached_file_vs_nsd_qps', workload: 'cached', op: '>=', target: 1.0 },
  { name: 'realistic_file_vs_nsd_qps', workload: 'realistic', op: '>=', target: 0.5 },
  { name: 'cached_file_p99_vs_nsd_at_half_nsd_rate', workload: 'cached', op: '<=', target: 2 },
  { name: 'realistic_file_p99_vs_nsd_at_half_nsd_rate', workload: 'realistic', op: '<=', target: 2 },
  { name: 'cached_proxy_vs_nsd_qps', workload: 'cached', op: '>=', target: 0.8 },
  { name: 'realistic_proxy_vs_nsd_qps', workload: 'realistic', op: '>=', target: 0.8 },
];

function tableShape(): { ipv4: number; ipv6: number } {
  const raw = process.env.BGPDNS_BENCH_DNS_TABLE ?? '1000000,200000';
  const m = /^(\d+),(\d+)$/.exec(raw);
  if (!m) throw new Error(`BGPDNS_BENCH_DNS_TABLE must be IPV4,IPV6 prefix counts (e.g. 1000000,200000), got "${raw}"`);
  return { ipv4: Number(m[1]), ipv6: Number(m[2]) };
}

// ------------------------------------------------------------------ sorter service (child process)

async function sorterService(keyHex: string, ipv4: number, ipv6: number): Promise<void> {
  // A DFZ-shaped full table (spread over the unicast space, as BGP data only) plus the routes to
  // the workloads' clients inside the lab ranges, from each of three upstreams.
  const { rib, sorter, peers, upstreams, ribBuildS } = lookupSetup({ ipv4, ipv6 }, 'dfz', clientRoutes());
  // The third upstream also originates the IPv4 /24 the zone's third address of every name lives in.
  rib.update(peers[2], { asPath: [{ type: AsPathSegmentType.AsSequence, asns: [upstreams[2]] }], nextHop: '198.18.10.1' }, [{ afi: 1, bytes: Uint8Array.of(198, 19, 203), len: 24 }]);
  const server = new QueryServer({ ranker: sorter, keys: new Map([[1, Buffer.from(keyHex, 'hex')]]), queueLimit: 4096 });
  const addr = await server.listen(0, '127.0.0.1');
  process.stdout.write(`port ${addr.port} rib ${ribBuildS.toFixed(1)} s\n`);
  await new Promise<void>((r) => process.once('SIGTERM', () => r()));
  await server.close();
}

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** One cached-workload query with its ECS /24 (the front asks the sorter for it). */
async function ecsQuery(host: string, port: number): Promise<void> {
  const q = buildQuery({ name: 'www7.lab.example', type: 'A', edns: { ecs: { family: 1, sourcePrefix: 24, address: '198.18.64.0' } } });
  if (!(await queryUdp({ host, port }, q, { timeoutMs: 1000 }))) throw new Error(`${host}:${port} did not answer www7.lab.example A`);
}

async function metrics(httpPort: number): Promise<Record<string, number>> {
  const m = parsePrometheusText(await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text());
  // Counters leave out labels still at zero: a missing sample reads as 0.
  const sum = (family: string, label: string, values: string[]) => values.reduce((n, v) => n + (m.samples.get(`${family}{${label}="${v}"}`) ?? 0), 0);
  return {
    sorter_ok: sum('bgpdns_dns_sorter_requests_total', 'result', ['ok']),
    sorter_failed: sum('bgpdns_dns_sorter_requests_total', 'result', ['timeout', 'error']),
    decision_hits: sum('bgpdns_dns_decision_cache_total', 'result', ['hit']),
    ranking_hits: sum('bgpdns_dns_decision_cache_total', 'result', ['ranking']),
    decision_misses: sum('bgpdns_dns_decision_cache_total', 'result', ['miss']),
    fallbacks: sum('bgpdns_dns_sorter_fallbacks_total', 'reason', ['timeout', 'error', 'defective', 'probe-in-flight']),
    template_misses: sum('bgpdns_dns_answer_cache_total', 'result', ['miss']),
    packet_cache_hits: sum('bgpdns_dns_proxy_packet_cache_total', 'result', ['hit']),
    packet_cache_misses: sum('bgpdns_dns_proxy_packet_cache_total', 'result', ['miss', 'expired']),
  };
}

const delta = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]));

// ------------------------------------------------------------------ measuring

interface Target {
  name: string;
  host: string;
  port: number;
}

interface WorkloadResult {
  qps: Record<string, number | null>;
  lost: Record<string, number | null>;
  rate: number | null;
  p50: Record<string, number | null>;
  p99: Record<string, number | null>;
  latencyLost: Record<string, number | null>;
}

const log = (s: string) => process.stderr.write(`bench dns: ${s}\n`);

async function measureWorkload(label: string, targets: Target[], input: QueryInput, phase: { warm: number; throughput: number; latency: number }, errors: Record<string, string>): Promise<WorkloadResult> {
  const tp: Record<string, Throughput[]> = {};
  const lt: Record<string, Latency[]> = {};
  const attempt = async <T>(t: Target, what: string, f: () => Promise<T>): Promise<T | null> => {
    if (errors[t.name]) return null;
    try {
      return await f();
    } catch (e) {
      errors[t.name] = `${label} ${what}: ${(e as Error).message}`;
      return null;
    }
  };
  const ordered = (r: number) => (r % 2 === 0 ? targets : [...targets].reverse());
  for (const t of targets) await attempt(t, 'warm-up', () => throughput(t.host, t.port, input, phase.warm));
  for (let r = 0; r < ROUNDS; r++) {
    for (const t of ordered(r)) {
      const x = await attempt(t, 'throughput', () => throughput(t.host, t.port, input, phase.throughput));
      if (x) (tp[t.name] ??= []).push(x);
      if (x) log(`${label} round ${r + 1} ${t.name}: ${x.qps} q/s (lost ${x.lost})`);
    }
  }
  const med = (xs: Throughput[] | undefined, k: keyof Throughput) => (xs && xs.length === ROUNDS ? round(median(xs.map((x) => x[k])), 0) : null);
  const nsdQps = med(tp.nsd, 'qps');
  const rate = nsdQps === null ? null : Math.round(nsdQps / 2);
  if (rate !== null) {
    for (let r = 0; r < ROUNDS; r++) {
      for (const t of ordered(r + 1)) {
        const x = await attempt(t, `latency at ${rate} q/s`, () => latency(t.host, t.port, input, phase.latency, rate));
        if (x) (lt[t.name] ??= []).push(x);
        if (x) log(`${label} round ${r + 1} ${t.name} at ${rate} q/s: p50 ${x.p50Ms} ms, p99 ${x.p99Ms} ms (lost ${x.lost})`);
      }
    }
  }
  const lmed = (xs: Latency[] | undefined, k: 'p50Ms' | 'p99Ms' | 'lost') => (xs && xs.length === ROUNDS ? round(median(xs.map((x) => x[k]))) : null);
  const per = <T>(f: (name: string) => T) => Object.fromEntries(targets.map((t) => [t.name, f(t.name)]));
  return {
    qps: per((n) => med(tp[n], 'qps')),
    lost: per((n) => med(tp[n], 'lost')),
    rate,
    p50: per((n) => lmed(lt[n], 'p50Ms')),
    p99: per((n) => lmed(lt[n], 'p99Ms')),
    latencyLost: per((n) => lmed(lt[n], 'lost')),
  };
}

// ------------------------------------------------------------------ main

async function main(quick: boolean): Promise<void> {
  const phase = quick ? { warm: 1, throughput: 2, latency: 2 } : { warm: 2, throughput: 8, latency: 6 };
  const table = quick ? { ipv4: 50_000, ipv6: 50_000 } : tableShape();
  const clientRouteCount = clientRoutes().reduce((n, g) => n + g.count, 0);
  const loadStart = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'b16-bench-dns-'));
  const cleanups: (() => Promise<void>)[] = [];
  const errors: Record<string, string> = {};
  try {
    const dataPath = join(dir, 'data');
    const data = tinydnsData(NAMES);
    writeFileSync(dataPath, data);
    const zone = zoneFile(NAMES);
    const cachedFile = join(dir, 'cached.txt');
    writeFileSync(cachedFile, cachedQueries());
    const realisticFile = join(dir, 'realistic.bin');
    const realistic: RealisticFile = writeRealisticQueries(realisticFile, { names: NAMES, queries: quick ? 200_000 : 600_000, v6Clients: 60_000, v4Share: 0.3, seed: 16 });
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, `1:${KEY_HEX}\n`);

    const sorter = await startChild([fileURLToPath(import.meta.url), '--sorter-service', KEY_HEX, String(table.ipv4), String(table.ipv6)], /port (\d+) rib ([\d.]+) s/, 180_000);
    cleanups.push(sorter.stop);
    // The sorter stands for a sorter on its own host: on this shared machine, with dnsperf and a
    // front saturating the cores, its answers would otherwise wait in the run queue past the
    // front's 50 ms budget, the front would mark it defective and answer in random order.
    // Whatever CPU it takes at this priority, it takes from the front being measured.
    try {
      setPriority(sorter.child.pid!, -10);
    } catch (e) {
      log(`could not raise the sorter's priority (${(e as Error).message}); its timeouts show as unsorted answers`);
    }
    const sorterAddr = `127.0.0.1:${sorter.match[1]}`;
    log(`sorter up (table ${table.ipv4} IPv4 + ${table.ipv6} IPv6 prefixes from 3 upstreams, built in ${sorter.match[2]} s)`);

    const targets: Target[] = [];
    const startTarget = async (name: string, f: () => Promise<{ host: string; port: number; stop: () => Promise<void> }>) => {
      try {
        const s = await f();
        cleanups.push(s.stop);
        targets.push({ name, host: s.host, port: s.port });
      } catch (e) {
        errors[name] = `start: ${(e as Error).message}`;
      }
    };
    await startTarget('tinydns', async () => {
      const t = await startTinydns(data, loopbackAddress(40), { probeName: 'lab.example' });
      return { host: t.ip, port: 53, stop: t.stop };
    });
    await startTarget('nsd', () => startNsd(loopbackAddress(41), 53, zone));
    await startTarget('knot', () => startKnot(loopbackAddress(42), 53, zone));
    const fileHttp = await freePort();
    const proxyHttp = await freePort();
    const front = async (name: string, mode: string[], http: number) => {
      const port = await freePort();
      const s = await startChild([bin, 'dns', ...mode, '--listen', `127.0.0.1:${port}`, '--sorter', sorterAddr, '--key', keyFile, '--http', `127.0.0.1:${http}`], /serving/, 90_000);
      // Sorting on: wait until the front has a sorter answer for a query (its first answer
      // may go out unsorted when the sorter is slower than the 50 ms budget on a loaded machine).
      const sorterAnswers = async () => {
        await ecsQuery('127.0.0.1', port).catch(() => undefined);
        return (await metrics(http).catch(() => ({ sorter_ok: 0 }))).sorter_ok;
      };
      const sorting = await waitUntil(sorterAnswers, (ok) => ok > 0, { what: `${name}: a sorter answer`, timeout: 10_000, interval: 100 }).then(() => true, () => false);
      if (!sorting) {
        await s.stop();
        throw new Error(`${name} got no sorter answer within 10 s of queries: sorting is not on`);
      }
      return { host: '127.0.0.1', port, stop: s.stop };
    };
    await startTarget('node_udp_ceiling', async () => {
      const echo = await startChild([join(here, '_node-udp-ceiling.ts')], /listening (\d+)/);
      return { host: '127.0.0.1', port: Number(echo.match[1]), stop: echo.stop };
    });
    await startTarget('file', () => front('file mode', ['--data', dataPath], fileHttp));
    const nsd = targets.find((t) => t.name === 'nsd');
    if (nsd) await startTarget('proxy', async () => front('proxy mode', ['--upstream', `${nsd.host}:${nsd.port}`, '--packet-cache-size', String(PACKET_CACHE_SIZE)], proxyHttp));
    else errors.proxy = 'start: NSD, the server behind the proxy, did not start';
    log(`targets up: ${targets.map((t) => t.name).join(', ')}${Object.keys(errors).length ? `; failed: ${Object.keys(errors).join(', ')}` : ''}`);

    const snapshot = async () => ({
      file: targets.some((t) => t.name === 'file') ? await metrics(fileHttp) : {},
      proxy: targets.some((t) => t.name === 'proxy') ? await metrics(proxyHttp) : {},
    });
    const m0 = await snapshot();
    const cached = await measureWorkload('cached', targets, { file: cachedFile, binary: false, ecsHex: CACHED_ECS_HEX }, phase, errors);
    const m1 = await snapshot();
    const real = await measureWorkload('realistic', targets, { file: realisticFile, binary: true }, phase, errors);
    const m2 = await snapshot();

    const ratio = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b > 0 ? round(a / b) : null);
    type Counters = Record<string, number>;
    // An answer the sorter did not order (timeout, defective sorter) is not "sorting on":
    // the share of those says whether a front's figure measured what it claims.
    const lookups = (m: Counters) => m.decision_hits + m.ranking_hits + m.decision_misses;
    const unsorted = (m: Counters) => (lookups(m) > 0 ? round(m.fallbacks / lookups(m)) : null);
    // Answered without asking the sorter: a cached decision, or one made from the scope's upstream ranking.
    const hitRatio = (m: Counters) => (lookups(m) > 0 ? round((m.decision_hits + m.ranking_hits) / lookups(m)) : null);
    // Proxy answers served without an upstream exchange.
    const packetLookups = (m: Counters) => m.packet_cache_hits + m.packet_cache_misses;
    const packetHitRatio = (m: Counters) => (packetLookups(m) > 0 ? round(m.packet_cache_hits / packetLookups(m)) : null);
    const workloadFigures = (w: WorkloadResult, m: { file: Counters; proxy: Counters }) => ({
      qps: w.qps,
      lost: w.lost,
      latency_rate_qps: w.rate,
      p50_ms: w.p50,
      p99_ms: w.p99,
      latency_lost: w.latencyLost,
      file_vs_nsd_qps: ratio(w.qps.file, w.qps.nsd),
      file_vs_knot_qps: ratio(w.qps.file, w.qps.knot),
      file_vs_tinydns_qps: ratio(w.qps.file, w.qps.tinydns),
      proxy_vs_nsd_qps: ratio(w.qps.proxy, w.qps.nsd),
      node_udp_ceiling_vs_nsd_qps: ratio(w.qps.node_udp_ceiling, w.qps.nsd),
      file_vs_node_udp_ceiling_qps: ratio(w.qps.file, w.qps.node_udp_ceiling),
      file_p99_vs_nsd: ratio(w.p99.file, w.p99.nsd),
      file_front: m.file,
      proxy_front: m.proxy,
      file_decision_hit_ratio: hitRatio(m.file),
      proxy_decision_hit_ratio: hitRatio(m.proxy),
      proxy_packet_cache_hit_ratio: packetHitRatio(m.proxy),
      file_unsorted_share: unsorted(m.file),
      proxy_unsorted_share: unsorted(m.proxy),
    });
    const figures = {
      rounds: ROUNDS,
      seconds: phase,
      dnsperf: '-c 4 -q 200, UDP, one target at a time, alternating order',
      proxy_packet_cache_size: PACKET_CACHE_SIZE,
      names: NAMES,
      addresses_per_name: 3,
      sorter_table: { ...table, upstreams: 3, shape: 'DFZ-shaped (inject/dfz.ts) + client routes in the lab ranges', client_routes: clientRouteCount, nice: -10 },
      realistic_queries: realistic,
      cached: workloadFigures(cached, { file: delta(m0.file, m1.file), proxy: delta(m0.proxy, m1.proxy) }),
      realistic: workloadFigures(real, { file: delta(m1.file, m2.file), proxy: delta(m1.proxy, m2.proxy) }),
      errors,
      loadavg_start: loadStart.map((x) => round(x, 2)),
      loadavg_end: loadavg().map((x) => round(x, 2)),
    };
    /** Unsorted answers above this share make a front's figure not count as "with sorting". */
    const maxUnsorted = 0.01;
    const target = (name: string, value: number | null, op: '>=' | '<=', t: number, needs: string[], w: ReturnType<typeof workloadFigures>) => {
      const why = needs.filter((n) => errors[n]).map((n) => `${n}: ${errors[n]}`);
      for (const front of needs.filter((n) => n === 'file' || n === 'proxy')) {
        const share = front === 'file' ? w.file_unsorted_share : w.proxy_unsorted_share;
        if (share !== null && share > maxUnsorted) why.push(`${front}: ${(share * 100).toFixed(1)} % of answers unsorted (sorter timeouts or marked defective), not a with-sorting figure`);
      }
      if (value === null || why.length) return { name, value, op, target: t, met: false, error: why.join('; ') || 'not measured' };
      return { name, value, op, target: t, met: op === '>=' ? value >= t : value <= t };
    };
    const c = figures.cached;
    const r = figures.realistic;
    const report = {
      bench: 'dns',
      quick,
      machine: { cores: cpus().length, kernel: release(), loadavg_1m_start: round(loadStart[0], 2) },
      figures,
      targets: TARGETS.map((t) => {
        const w = t.workload === 'cached' ? c : r;
        const value = t.name.includes('_p99_') ? w.file_p99_vs_nsd : t.name.includes('_proxy_') ? w.proxy_vs_nsd_qps : w.file_vs_nsd_qps;
        return target(t.name, value, t.op, t.target, [t.name.includes('_proxy_') ? 'proxy' : 'file', 'nsd'], w);
      }),
    };
    console.log(JSON.stringify(report));
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--sorter-service') {
  await sorterService(argv[1], Number(argv[2]), Number(argv[3]));
} else {
  const quick = argv.includes('--quick');
  try {
    await main(quick);
  } catch (e) {
    // Still the contract's JSON: every target unmeasured, with the reason.
    const error = `bench dns could not run: ${(e as Error).message}`;
    const targets = TARGETS.map((t) => ({ name: t.name, value: null, op: t.op, target: t.target, met: false, error }));
    console.log(JSON.stringify({ bench: 'dns', quick, machine: { cores: cpus().length, kernel: release() }, figures: { error }, targets }));
    process.exitCode = 1;
  }
}

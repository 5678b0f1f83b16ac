/**
 * `./bgpdns-lab bench sorter [--quick]`: the BGPDNS sorter against FRR.
 *
 * 1. Ingest, side by side in the same run: `bgpdns inject` feeds the same
 *    synthetic table to FRR bgpd (-Z, --log-level critical, outbound deny so it
 *    does not echo the table) and then to the sorter daemon (`bgpdns sorter`),
 *    one after the other in a throwaway namespace pair (h4b…), each alone on the
 *    machine. Time = injector Established → the receiver holds every prefix
 *    (FRR: `show bgp summary json` polled every 20 ms; sorter: its End-of-RIB
 *    processing time from its status file, same monotonic clock). Memory = the
 *    receiver's VmRSS once the table is in, and VmHWM (peak).
 * 2. In-process ranked lookups per second (Sorter.rankNow on a 3-upstream RIB
 *    holding the table from each upstream, random IPv4/IPv6 clients, 3 candidates).
 * 3. Query protocol over loopback (inside the sorter's namespace, against the
 *    daemon holding the full table), load from bench/sorter-load.ts: throughput
 *    with 64 queries in flight (the target's figure) and with 256, and p50/p99
 *    latency at a fixed 20,000 queries/s (1 ms batches); the daemon's CPU time
 *    per answered query is measured around each phase (/proc), so the figure
 *    does not depend on how much CPU the rest of the machine leaves over.
 *
 * Tables (lab ranges only: IPv4 inside 198.18.0.0/15 holds at most 262,143
 * distinct prefixes): full = 262,143 IPv4 + 937,857 IPv6 (1,200,000 prefixes,
 * the size of the 1,000,000 + 200,000 reference table); --quick = 100,000 + 20,000.
 *
 * Last stdout line: one JSON object (docs/contracts.md).
 */
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir, cpus, release, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startFrrPair, frrListenerConfig, OUR_V4, FRR_V4, type Child, type FrrPair } from '../images/bgpdns/src/bgp/frr-netns-pair.js';
import { inProcessLookups } from './sorter-lookups.js';
import type { SorterStatus } from '../images/bgpdns/src/sorter/status-http.js';
import { round } from './_figures.js';
import { procKb } from './_proc.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '../images/bgpdns/bin/bgpdns.js');
const KEY_HEX = '62656e63682d6f6e6c792d6b65792d62656e63682d6f6e6c792d6b65792d2121';
const loadScript = join(here, 'sorter-load.ts');

interface ThroughputResult {
  answered: number;
  qps: number;
  lost: number;
  client_us_per_query: number;
}
interface LatencyResult {
  answered: number;
  rate: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  lost: number;
}
const mono = (): number => Number(process.hrtime.bigint()) / 1e6;

// ---------------------------------------------------------------- helpers

function procMemory(pid: number): { rssMb: number; hwmMb: number } {
  const kb = (field: string) => procKb(`/proc/${pid}/status`, field);
  return { rssMb: round(kb('VmRSS') / 1024, 1), hwmMb: round(kb('VmHWM') / 1024, 1) };
}

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  // After "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based) → indexes 11 and 12 here.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, child?: Child): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (child && child.proc.exitCode !== null) throw new Error(`${what}: process exited (${child.proc.exitCode}): ${child.stderr.slice(-5).join(' | ')}`);
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function injectArgs(port: number, table: { ipv4: number; ipv6: number }): string[] {
  return [process.execPath, bin, 'inject', '--peer', FRR_V4, '--port', String(port), '--local-as', '64500', '--peer-as', '4200000001',
    '--router-id', OUR_V4, '--synthetic', '--ipv4', String(table.ipv4), '--ipv6', String(table.ipv6), '--seed', '1'];
}

/** Time from the injector's Established (as seen here) to the moment the receiver holds the table. */
async function establishedAt(injector: Child): Promise<number> {
  let seen: number | undefined;
  await waitFor('injector Established', 120_000, async () => {
    if (injector.events.some((e) => e.event === 'established')) seen ??= mono();
    return seen;
  }, injector);
  return seen!;
}

const FRR_CONFIG = frrListenerConfig('h4bench');

async function frrIngest(pair: BenchPair, table: { ipv4: number; ipv6: number }) {
  const bgpdPid = pair.frrPid();
  const cpu0 = await cpuSeconds(bgpdPid);
  const injector = pair.run(pair.speakerNs, injectArgs(179, table));
  const t0 = await establishedAt(injector);
  const done = await waitFor('FRR holds the table', 600_000, async () => {
    const s = JSON.parse(await pair.vty.command('show bgp summary json')) as Record<string, { peers?: Record<string, { pfxRcd?: number }> }>;
    const v4 = s.ipv4Unicast?.peers?.[OUR_V4]?.pfxRcd ?? 0;
    const v6 = s.ipv6Unicast?.peers?.[OUR_V4]?.pfxRcd ?? 0;
    return v4 === table.ipv4 && v6 === table.ipv6 ? mono() : undefined;
  }, injector);
  const cpu = (await cpuSeconds(bgpdPid)) - cpu0;
  const mem = procMemory(bgpdPid);
  await pair.stopChild(injector);
  return { seconds: (done - t0) / 1000, cpu, ...mem };
}

async function sorterIngest(pair: BenchPair, dir: string, table: { ipv4: number; ipv6: number }, loadSeconds: number) {
  const statusFile = join(dir, 'sorter-status.json');
  const config = {
    localAsn: 4200000001,
    routerId: FRR_V4,
    bgp: { address: '::', port: 1179 },
    peers: [{ address: OUR_V4, asn: 64500, name: 'injector', fastFailover: false }],
    query: { address: '127.0.0.1', port: 179, keys: [{ id: 1, secret: KEY_HEX }], queueLimit: 1024 },
    statusFile,
  };
  const configFile = join(dir, 'sorter.json');
  await writeFile(configFile, JSON.stringify(config));
  const sorter = pair.run(pair.frrNs, [process.execPath, bin, 'sorter', '--config', configFile, '--log-level', 'warn']);
  const readStatus = async (): Promise<SorterStatus | undefined> => {
    try {
      return JSON.parse(await readFile(statusFile, 'utf8')) as SorterStatus;
    } catch {
      return undefined;
    }
  };
  await waitFor('sorter status', 60_000, readStatus, sorter);
  const cpu0 = await cpuSeconds(sorter.proc.pid!);
  const injector = pair.run(pair.speakerNs, injectArgs(1179, table));
  const t0 = await establishedAt(injector);
  const st = await waitFor('sorter holds the table', 600_000, async () => {
    const s = await readStatus();
    const p = s?.peers[0];
    return p && p.prefixes.ipv4 === table.ipv4 && p.prefixes.ipv6 === table.ipv6 && p.endOfRibMono.ipv4 && p.endOfRibMono.ipv6 ? s : undefined;
  }, sorter);
  const p = st.peers[0];
  const done = Math.max(p.endOfRibMono.ipv4!, p.endOfRibMono.ipv6!);
  const cpu = (await cpuSeconds(sorter.proc.pid!)) - cpu0;
  // Once the table has arrived the daemon re-lays its path slots (one
  // stall, reported); memory and queries are measured in that steady state.
  const compacted = await waitFor('sorter compacts its RIB', 60_000, async () => {
    const s = await readStatus();
    return s && s.rib.compactions >= 1 ? s : undefined;
  }, sorter);
  const mem = procMemory(sorter.proc.pid!);
  // Query protocol against the daemon holding the full table, from inside its namespace;
  // the daemon's CPU time per answered query is measured around each phase.
  const phase = async <T extends { answered: number }>(args: string[]): Promise<T & { server_us_per_query: number }> => {
    const before = await cpuSeconds(sorter.proc.pid!);
    const load = pair.run(pair.frrNs, [process.execPath, '--import', 'tsx', loadScript, '127.0.0.1', '179', KEY_HEX, ...args]);
    await new Promise<void>((resolve) => load.proc.once('exit', () => resolve()));
    const result = load.events.find((e) => 'mode' in e) as T | undefined;
    if (!result) throw new Error(`query load generator failed: ${load.stderr.slice(-5).join(' | ')}`);
    const serverCpu = (await cpuSeconds(sorter.proc.pid!)) - before;
    return { ...result, server_us_per_query: round((serverCpu * 1e6) / Math.max(1, result.answered), 2) };
  };
  const throughput64 = await phase<ThroughputResult>(['throughput', String(loadSeconds), '64']);
  const throughput256 = await phase<ThroughputResult>(['throughput', String(loadSeconds), '256']);
  const latency = await phase<LatencyResult>(['latency', String(loadSeconds), '20000']);
  const loadResult = { throughput64, throughput256, latency };
  await pair.stopChild(injector);
  await pair.stopChild(sorter);
  return { seconds: (done - t0) / 1000, sorterOwnSeconds: (done - p.firstUpdateMono!) / 1000, cpu, compactionMs: compacted.rib.lastCompactionMs, ...mem, load: loadResult };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const loadStart = round(loadavg()[0], 1);
  const table = quick ? { ipv4: 100_000, ipv6: 20_000 } : { ipv4: 262_143, ipv6: 937_857 };
  const dir = await mkdtemp(join(tmpdir(), 'h4bench-'));
  let pair: BenchPair | undefined;
  try {
    pair = await startFrrPairWithPid('h4b', FRR_CONFIG);
    console.error(`ingest into FRR: ${table.ipv4} + ${table.ipv6}`);
    const frr = await frrIngest(pair, table);
    console.error(`FRR: ${round(frr.seconds)} s (${round(frr.cpu, 2)} CPU s), RSS ${frr.rssMb} MB (peak ${frr.hwmMb} MB)`);
    await pair.stopFrr();
    console.error('ingest into the sorter');
    const ours = await sorterIngest(pair, dir, table, quick ? 3 : 5);
    console.error(`sorter: ${round(ours.seconds)} s (${round(ours.cpu, 2)} CPU s), RSS ${ours.rssMb} MB (peak ${ours.hwmMb} MB); queries ${JSON.stringify(ours.load)}`);
    await pair.stop();
    pair = undefined;
    const lookups = inProcessLookups(quick ? table : { ipv4: 262_143, ipv6: 200_000 }, quick ? 1_000_000 : 3_000_000);
    console.error(`in process: ${lookups.lookupsPerS} ranked lookups/s (${lookups.paths} paths, statuses ${JSON.stringify(lookups.statuses)})`);
    const { throughput64: q64, throughput256: q256, latency: lat } = ours.load;
    const ingestRatio = ours.seconds / frr.seconds;
    const rssRatio = ours.rssMb / frr.rssMb;
    console.log(
      JSON.stringify({
        bench: 'sorter',
        quick,
        machine: { cores: cpus().length, kernel: release(), load_average_1m_start: loadStart, load_average_1m_end: round(loadavg()[0], 1) },
        table: { ipv4: table.ipv4, ipv6: table.ipv6, source: 'bgpdns inject --synthetic --seed 1 (lab ranges; IPv4 limited to 198.18.0.0/15)', lookup_rib: quick ? '3 upstreams × the same table' : '3 upstreams × 262,143 IPv4 + 200,000 IPv6' },
        figures: {
          ingest_s: round(ours.seconds),
          frr_ingest_s: round(frr.seconds),
          sorter_first_update_to_eor_s: round(ours.sorterOwnSeconds),
          compaction_ms: ours.compactionMs,
          rss_mb: ours.rssMb,
          frr_rss_mb: frr.rssMb,
          peak_rss_mb: ours.hwmMb,
          frr_peak_rss_mb: frr.hwmMb,
          ingest_cpu_s: round(ours.cpu, 2),
          frr_ingest_cpu_s: round(frr.cpu, 2),
          // Per CPU-second views (less sensitive to what else runs on the machine than wall clock).
          ingest_cpu_vs_frr: round(ours.cpu / frr.cpu),
          queries_per_server_cpu_s: Math.round(1e6 / q64.server_us_per_query),
          lookups_per_s: lookups.lookupsPerS,
          lookups_per_cpu_s: lookups.lookupsPerCpuS,
          queries_per_s: q64.qps,
          queries_lost: q64.lost,
          queries_per_s_256_in_flight: q256.qps,
          queries_lost_256_in_flight: q256.lost,
          server_cpu_us_per_query: q64.server_us_per_query,
          server_cpu_us_per_query_256_in_flight: q256.server_us_per_query,
          load_generator_cpu_us_per_query: q64.client_us_per_query,
          latency_rate_qps: lat.rate,
          latency_p50_ms: lat.p50_ms,
          latency_p99_ms: lat.p99_ms,
          latency_max_ms: lat.max_ms,
          latency_lost: lat.lost,
          latency_server_cpu_us_per_query: lat.server_us_per_query,
        },
        targets: [
          { name: 'ingest_vs_frr', value: round(ingestRatio), op: '<=', target: 0.5, met: ingestRatio <= 0.5 },
          { name: 'rss_vs_frr', value: round(rssRatio), op: '<=', target: 0.5, met: rssRatio <= 0.5 },
          { name: 'lookups_per_s', value: lookups.lookupsPerS, op: '>=', target: 1_000_000, met: lookups.lookupsPerS >= 1_000_000 },
          { name: 'queries_per_s', value: q64.qps, op: '>=', target: 50_000, met: q64.qps >= 50_000 },
          { name: 'p99_ms_at_20k_qps', value: lat.p99_ms, op: '<', target: 1, met: lat.p99_ms < 1 && lat.rate >= 19_000 },
        ],
      }),
    );
  } catch (e) {
    console.log(`sorter bench could not run: ${(e as Error).message}`);
    process.exitCode = 1;
  } finally {
    await pair?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

type BenchPair = FrrPair & { frrPid(): number; stopFrr(): Promise<void> };

/** H3's FRR pair plus what this bench needs: the bgpd pid (for /proc) and stopping bgpd alone. */
async function startFrrPairWithPid(prefix: string, config: string): Promise<BenchPair> {
  const pair = await startFrrPair(prefix, config);
  const pidOf = async (): Promise<number> => {
    const out = await new Promise<string>((resolve) => {
      const p = spawn('ip', ['netns', 'pids', pair.frrNs]);
      let s = '';
      p.stdout.on('data', (d) => (s += d));
      p.on('exit', () => resolve(s));
    });
    for (const pid of out.split(/\s+/).filter(Boolean).map(Number)) {
      try {
        if ((await readFile(`/proc/${pid}/comm`, 'utf8')).trim() === 'bgpd') return pid;
      } catch {
        /* gone */
      }
    }
    throw new Error(`no bgpd process in ${pair.frrNs}`);
  };
  const frrPid = await pidOf();
  return {
    ...pair,
    frrPid: () => frrPid,
    async stopFrr() {
      process.kill(frrPid, 'SIGTERM');
      const until = performance.now() + 10_000;
      while (performance.now() < until) {
        try {
          process.kill(frrPid, 0);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      process.kill(frrPid, 'SIGKILL');
    },
  };
}

await main();

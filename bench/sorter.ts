/**
 * `./bgpdns-lab bench sorter [--quick]`: the BGPDNS sorter against BIRD 2 and FRR.
 *
 * 1. Ingest, side by side in the same run, on two tables written once as MRT by
 *    `bgpdns inject --synthetic [--shape dfz] --write-mrt` and sent by the same
 *    injector (`bgpdns inject --mrt FILE`) to each receiver in turn, each alone
 *    in a throwaway namespace pair (h4b…): FRR bgpd (-Z, outbound deny), BIRD 2
 *    (one BGP protocol, no kernel protocol, bench/_bird.ts) and the sorter daemon.
 *    End, observed the same way for all: the received-prefix count polled every
 *    200 ms from the injector's Established (vtysh `show bgp summary json`,
 *    birdc `show protocols all`, the sorter's GET /status) until it equals the
 *    table; for the sorter also until its post-ingest compaction is done and the
 *    pages it freed are given back (status `rib.settling` false; both count in its
 *    time and memory). Memory = the receiver process's VmRSS then,
 *    and VmHWM (peak). The DFZ-shaped table carries the targets. The sorter runs
 *    as images/bgpdns ships it: the esbuild bundle (harness/src/images/bgpdns-bundle.ts).
 * 2. Stalls: the sorter's event-loop delay (perf_hooks histogram in the daemon,
 *    read and reset through GET /status?reset-loop-delay) over the ingest and
 *    compaction, over the flush of the full-table peer (injector stopped) and
 *    over re-learning it (injector started again). Budget: 10 ms. Each phase also
 *    reports its longest GC pause (from the same status window) and the time the
 *    daemon's event loop waited for a CPU (/proc/PID/schedstat), so a stall can be
 *    told apart: collection, the daemon's own work, or a loaded machine.
 * 3. In-process ranked lookups per second (Sorter.rankNow on a 3-upstream RIB,
 *    bench/sorter-lookups.ts): on the lab-range table, and on the DFZ-shaped one
 *    with clients inside its prefixes.
 * 4. Query protocol over loopback against the daemon holding the lab-range table
 *    (bench/sorter-load.ts): throughput with 64 and 256 in flight, p50/p99 at a
 *    fixed 20,000 queries/s; the daemon's CPU time per answered query (/proc),
 *    against NSD's per answered DNS query under dnsperf, and against the floor of
 *    any server on Node's dgram (a datagram echo under the same dnsperf load).
 * 5. Churn (DFZ-shaped table): the DNS front as users run it, asking the daemon,
 *    under dnsperf at a fixed rate from client /24s a second peer announces;
 *    without churn, then while that peer flaps table prefixes at a steady rate
 *    with bursts (bench/_sorter-churn-phase.ts, rates and their sources in
 *    bench/sorter-churn-rates.ts): cache hit ratio, sorter requests/s, p50/p99.
 *
 * Tables: lab = 262,143 IPv4 + 937,857 IPv6 inside 198.18.0.0/15 and
 * 2001:db8::/32; dfz = 1,000,000 IPv4 + 200,000 IPv6 spread over the unicast
 * space (table data only: none of the receivers installs anything into a kernel
 * FIB, and no packet is sent to those prefixes). --quick: 100,000 + 20,000 each.
 *
 * A measurement that fails (unreadable /proc, a receiver that did not start) is
 * an "error" in the JSON and its targets are not met; never a zero that passes.
 * Last stdout line: one JSON object (docs/contracts.md).
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir, cpus, release, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startFrrPair, frrListenerConfig, OUR_V4, OUR_V6, FRR_V4, FRR_V6, type Child, type FrrPair } from './_frr-netns-pair.js';
import { inProcessLookups } from './sorter-lookups.js';
import type { SorterStatus } from '@bgpdns-lab/bgpdns';
import { round } from './_figures.js';
import { startChild } from './_child.js';
import { waitUntil } from '@bgpdns-lab/harness';
import { startBird } from './_bird.js';
import { bundleBgpdns, pidsInNamespaces } from '@bgpdns-lab/harness/runtime';
import { startNsd } from './_dns-references.js';
import { cachedQueries, zoneFile, CACHED_NAMES } from './_dns-workload.js';
import { throughputWithClientCpu } from './_dnsperf.js';
import { BURST, BURST_EVERY_S, CHURN_AS, STEADY_PER_S } from './sorter-churn-rates.js';
import { churnPhases, CHURN_QUERY_RATE } from './_sorter-churn-phase.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '../images/bgpdns/bin/bgpdns.js');
const KEY_HEX = '62656e63682d6f6e6c792d6b65792d62656e63682d6f6e6c792d6b65792d2121';
const loadScript = join(here, 'sorter-load.ts');
const churnScript = join(here, 'sorter-churn.ts');
/** The end of an ingest is observed by polling the received count this often, for every receiver. */
const POLL_MS = 200;
/** Longest synchronous slice of work allowed in the sorter daemon. */
const STALL_BUDGET_MS = 10;

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
  sent: number;
}
interface TableSpec {
  name: 'lab' | 'dfz';
  ipv4: number;
  ipv6: number;
  file: string;
}
const mono = (): number => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- helpers

/** A "Field: N kB" line of /proc/PID/status in kB; throws when it cannot be read (a failed measurement is an error, never 0). */
function statusKb(pid: number, field: string): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  if (!m) throw new Error(`/proc/${pid}/status has no ${field} line`);
  return Number(m[1]);
}

function procMemory(pid: number): { rssMb: number; hwmMb: number } {
  return { rssMb: round(statusKb(pid, 'VmRSS') / 1024, 1), hwmMb: round(statusKb(pid, 'VmHWM') / 1024, 1) };
}

/**
 * Milliseconds the process's main thread (the event loop) has spent runnable but waiting
 * for a CPU, from /proc/PID/schedstat: a phase's stall beyond its GC pauses and this is
 * the daemon's own work. Throws when unreadable.
 */
function runQueueWaitMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/);
  if (fields.length < 2) throw new Error(`/proc/${pid}/schedstat: unexpected "${fields.join(' ')}"`);
  return Number(fields[1]) / 1e6;
}

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  // After "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based) → indexes 11 and 12 here.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds of a process and every descendant still running (/proc/PID/task/TID/children):
 * NSD's main process forks the server process that answers. Throws when unreadable.
 */
async function treeCpuSeconds(pid: number): Promise<number> {
  let total = await cpuSeconds(pid);
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const children = (await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8')).split(' ').filter(Boolean).map(Number);
    for (const child of children) total += await treeCpuSeconds(child);
  }
  return total;
}

/** Polls probe until it returns a value; ends early, with its output, when child exits. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, child?: Child, everyMs = 20): Promise<T> {
  const { value } = await waitUntil(async () => ({ v: await probe(), exited: child ? child.proc.exitCode !== null : false }), (s) => s.v !== undefined || s.exited, {
    what,
    timeout: timeoutMs,
    interval: everyMs,
    onTimeout: () => new Error(`${what}: not within ${timeoutMs / 1000} s`),
  });
  if (value.v === undefined) throw new Error(`${what}: process exited (${child!.proc.exitCode}): ${child!.stderr.slice(-5).join(' | ')}`);
  return value.v;
}

/** The same injector and table file for every receiver. */
function injectArgs(port: number, table: TableSpec): string[] {
  return [process.execPath, bin, 'inject', '--peer', FRR_V4, '--port', String(port), '--local-as', '64500', '--peer-as', '4200000001',
    '--router-id', OUR_V4, '--next-hop6', OUR_V6, '--mrt', table.file];
}

/** Writes a table as MRT once (no session): `bgpdns inject --synthetic … --write-mrt`. */
async function writeTable(table: TableSpec): Promise<void> {
  const args = [bin, 'inject', '--synthetic', '--seed', '1', '--ipv4', String(table.ipv4), '--ipv6', String(table.ipv6), '--write-mrt', table.file];
  if (table.name === 'dfz') args.push('--shape', 'dfz');
  await new Promise<void>((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writing the ${table.name} table failed (${code}): ${err.slice(-300)}`))));
  });
}

/** Time from the injector's Established (as seen here). */
async function establishedAt(injector: Child): Promise<number> {
  let seen: number | undefined;
  await waitFor('injector Established', 300_000, async () => {
    if (injector.events.some((e) => e.event === 'established')) seen ??= mono();
    return seen;
  }, injector, 5);
  return seen!;
}

interface IngestResult {
  seconds: number;
  cpu: number;
  rssMb: number;
  hwmMb: number;
}

/**
 * One receiver's ingest: injector started, Established noted, then `count()` polled
 * every POLL_MS until it equals the table (and `settled()` holds, when given).
 */
async function ingest(pair: FrrPair, pid: number, port: number, table: TableSpec, receiver: Child,
  count: () => Promise<{ ipv4: number; ipv6: number } | undefined>, settled?: () => Promise<boolean>): Promise<IngestResult & { injector: Child }> {
  const cpu0 = await cpuSeconds(pid);
  const injector = pair.run(pair.speakerNs, injectArgs(port, table));
  const t0 = await establishedAt(injector);
  let last: { ipv4: number; ipv6: number } | undefined;
  const done = await waitFor(`receiver holds the ${table.name} table (last count ${JSON.stringify(last)})`, 900_000, async () => {
    last = await count();
    if (!last || last.ipv4 !== table.ipv4 || last.ipv6 !== table.ipv6) return undefined;
    if (settled && !(await settled())) return undefined;
    return mono();
  }, receiver, POLL_MS);
  const cpu = (await cpuSeconds(pid)) - cpu0;
  return { seconds: (done - t0) / 1000, cpu, ...procMemory(pid), injector };
}

const FRR_CONFIG = frrListenerConfig('h4bench');

async function frrIngest(pair: BenchPair, table: TableSpec): Promise<IngestResult> {
  const r = await ingest(pair, pair.frrPid(), 179, table, pair.frr, async () => {
    const s = JSON.parse(await pair.vty.command('show bgp summary json')) as Record<string, { peers?: Record<string, { pfxRcd?: number }> }>;
    return { ipv4: s.ipv4Unicast?.peers?.[OUR_V4]?.pfxRcd ?? 0, ipv6: s.ipv6Unicast?.peers?.[OUR_V4]?.pfxRcd ?? 0 };
  });
  await pair.stopChild(r.injector);
  return r;
}

async function birdIngest(pair: BenchPair, table: TableSpec): Promise<IngestResult> {
  const bird = await startBird(pair, FRR_V4, { localAddress: FRR_V4, localAs: 4200000001, neighborAddress: OUR_V4, neighborAs: 64500 });
  try {
    const r = await ingest(pair, bird.pid, 179, table, bird.child, () => bird.imported());
    await pair.stopChild(r.injector);
    return r;
  } finally {
    await bird.stop();
  }
}

interface Sorter {
  child: Child;
  pid: number;
  status(resetLoopDelay?: boolean): Promise<SorterStatus>;
  stop(): Promise<void>;
}

async function startSorter(pair: BenchPair, dir: string, name: string): Promise<Sorter> {
  const statusPort = 8930;
  const config = {
    localAsn: 4200000001,
    routerId: FRR_V4,
    bgp: { address: '::', port: 1179 },
    peers: [
      { address: OUR_V4, asn: 64500, name: 'injector', fastFailover: false },
      // The churn speaker (bench/sorter-churn.ts), up only during the churn phase.
      { address: OUR_V6, asn: CHURN_AS, name: 'churn', fastFailover: false },
    ],
    query: { address: '127.0.0.1', port: 179, keys: [{ id: 1, secret: KEY_HEX }], queueLimit: 1024 },
    status: { address: '127.0.0.1', port: statusPort },
  };
  const configFile = join(dir, `sorter-${name}.json`);
  await writeFile(configFile, JSON.stringify(config));
  // The daemon as images/bgpdns ships it: the esbuild bundle (no TypeScript loader in the process).
  const child = pair.run(pair.frrNs, [process.execPath, join(dir, 'bgpdns.mjs'), 'sorter', '--config', configFile, '--log-level', 'warn']);
  // The status endpoint lives in the sorter's namespace; one small reader process there
  // fetches a snapshot per line on its stdin (a process per 200 ms poll would cost more).
  const reader = pair.run(pair.frrNs, [process.execPath, '-e', `
    const rl = require('node:readline').createInterface({ input: process.stdin });
    rl.on('line', async (path) => {
      try { const r = await fetch('http://127.0.0.1:${statusPort}' + path); process.stdout.write(JSON.stringify({ event: 'status', body: await r.json() }) + '\\n'); }
      catch (e) { process.stdout.write(JSON.stringify({ event: 'status-error', message: String(e) }) + '\\n'); }
    });`], { stdin: true });
  let asked = 0;
  const status = async (resetLoopDelay = false): Promise<SorterStatus> => {
    const want = ++asked;
    reader.proc.stdin!.write(`/status${resetLoopDelay ? '?reset-loop-delay' : ''}\n`);
    const answer = await waitFor('sorter status answer', 30_000, async () => (reader.events.length >= want ? reader.events[want - 1] : undefined), reader, 2);
    if (answer.event !== 'status') throw new Error(`sorter status: ${String(answer.message)}`);
    return answer.body as SorterStatus;
  };
  try {
    await waitFor('sorter status endpoint', 60_000, async () => {
      try {
        return await status();
      } catch {
        asked = reader.events.length;
        return undefined;
      }
    }, child, 200);
  } catch (e) {
    await pair.stopChild(reader);
    throw e;
  }
  return {
    child,
    pid: child.proc.pid!,
    status,
    async stop() {
      reader.proc.stdin!.end();
      await pair.stopChild(reader);
      await pair.stopChild(child);
    },
  };
}

interface SorterIngest extends IngestResult {
  compactionMs: number;
  compactions: number;
  typedArrayBytes: number;
  loopDelayIngestMaxMs: number;
  loopDelayIngestP99Ms: number;
  gcIngestMaxMs: number;
  runQueueWaitIngestMs: number;
}

/** The sorter's ingest (count, then its compaction), with the event-loop delay over both. */
async function sorterIngest(pair: BenchPair, sorter: Sorter, table: TableSpec): Promise<SorterIngest & { injector: Child }> {
  await sorter.status(true);
  const waited = runQueueWaitMs(sorter.pid);
  const r = await ingest(pair, sorter.pid, 1179, table, sorter.child, async () => {
    const p = (await sorter.status()).peers[0];
    return p ? p.prefixes : undefined;
  }, async () => {
    // Post-ingest work counts in time and memory: the compaction and the trim of the pages it freed.
    const rib = (await sorter.status()).rib;
    return rib.compactions >= 1 && !rib.settling;
  });
  const st = await sorter.status(true);
  console.error(`${table.name}: sorter memory ${JSON.stringify(st.memory)} (rss ${st.rssBytes})`);
  return {
    ...r,
    compactionMs: st.rib.lastCompactionMs,
    compactions: st.rib.compactions,
    typedArrayBytes: st.rib.typedArrayBytes,
    loopDelayIngestMaxMs: st.eventLoop.maxMs,
    loopDelayIngestP99Ms: st.eventLoop.p99Ms,
    gcIngestMaxMs: st.eventLoop.gcMaxMs,
    runQueueWaitIngestMs: runQueueWaitMs(sorter.pid) - waited,
  };
}

/**
 * Query rate while the DFZ-shaped table's peer flaps (and in the idle phase it is compared with):
 * well under what the daemon answers on a loaded machine (2.8 k/s measured at load 17), so the
 * p99 shows stalls, not a queue of overload.
 */
const FLAP_QUERY_RATE = 1000;

/**
 * A paced latency load in the sorter's namespace (bench/sorter-load.ts, clients spread over
 * the IPv4 unicast space): for `seconds`, or until `until` settles (then SIGINT ends it).
 */
async function latencyLoad(pair: BenchPair, seconds: number, rate: number, until?: Promise<unknown>): Promise<LatencyResult> {
  const load = pair.run(pair.frrNs, [process.execPath, '--import', 'tsx', loadScript, '127.0.0.1', '179', KEY_HEX, 'latency', String(seconds), String(rate), 'spread']);
  const exited = new Promise<void>((resolve) => load.proc.once('exit', () => resolve()));
  if (until) void until.finally(() => load.proc.kill('SIGINT'));
  await exited;
  const result = load.events.find((e) => 'mode' in e) as LatencyResult | undefined;
  if (!result) throw new Error(`query load generator failed: ${load.stderr.slice(-5).join(' | ')}`);
  return result;
}

/**
 * Queries at FLAP_QUERY_RATE while nothing happens (idle), then while the full-table peer
 * goes and comes back (sorterFlap): the p99 of each, same run, same clients.
 */
async function sorterFlapUnderQueries(pair: BenchPair, sorter: Sorter, table: TableSpec, injector: Child, quick: boolean) {
  const idle = await latencyLoad(pair, quick ? 3 : 5, FLAP_QUERY_RATE);
  let flapDone!: () => void;
  const flapOver = new Promise<void>((resolve) => (flapDone = resolve));
  const during = latencyLoad(pair, 3600, FLAP_QUERY_RATE, flapOver);
  // The generator's 1 s warm-up first, so the measured part covers the whole flap.
  await sleep(1500);
  try {
    const flap = await sorterFlap(pair, sorter, table, injector);
    flapDone();
    return { ...flap, idle, during: await during };
  } catch (e) {
    flapDone();
    await during.catch(() => undefined);
    throw e;
  }
}

/** The full-table peer goes (flush) and comes back (re-learn): the longest stall of each, and how long each took. */
async function sorterFlap(pair: BenchPair, sorter: Sorter, table: TableSpec, injector: Child) {
  await sorter.status(true);
  const waited0 = runQueueWaitMs(sorter.pid);
  const t0 = mono();
  await pair.stopChild(injector);
  await waitFor('sorter flushes the peer', 300_000, async () => {
    const st = await sorter.status();
    const p = st.peers[0];
    return p && p.state !== 'Established' && st.rib.pathsToFlush === 0 && st.rib.ipv4.paths + st.rib.ipv6.paths === 0 ? true : undefined;
  }, sorter.child, POLL_MS);
  const flushS = (mono() - t0) / 1000;
  const flush = (await sorter.status(true)).eventLoop;
  const waited1 = runQueueWaitMs(sorter.pid);
  const again = pair.run(pair.speakerNs, injectArgs(1179, table));
  const t1 = await establishedAt(again);
  await waitFor('sorter re-learns the table', 900_000, async () => {
    const p = (await sorter.status()).peers[0];
    return p && p.prefixes.ipv4 === table.ipv4 && p.prefixes.ipv6 === table.ipv6 ? true : undefined;
  }, sorter.child, POLL_MS);
  const relearnS = (mono() - t1) / 1000;
  // Let a compaction after the re-learn (if any) happen inside the window.
  await sleep(2500);
  const relearn = (await sorter.status(true)).eventLoop;
  const waited2 = runQueueWaitMs(sorter.pid);
  return {
    injector: again, flushS, relearnS, flushMaxMs: flush.maxMs, flushP99Ms: flush.p99Ms, relearnMaxMs: relearn.maxMs, relearnP99Ms: relearn.p99Ms,
    flushGcMaxMs: flush.gcMaxMs, relearnGcMaxMs: relearn.gcMaxMs, flushRunQueueWaitMs: waited1 - waited0, relearnRunQueueWaitMs: waited2 - waited1,
  };
}

/** Query protocol phases against the daemon, with its CPU time per answered query. */
async function queryPhases(pair: BenchPair, sorter: Sorter, loadSeconds: number) {
  const phase = async <T extends { answered: number }>(args: string[]): Promise<T & { server_us_per_query: number }> => {
    const before = await cpuSeconds(sorter.pid);
    const load = pair.run(pair.frrNs, [process.execPath, '--import', 'tsx', loadScript, '127.0.0.1', '179', KEY_HEX, ...args]);
    await new Promise<void>((resolve) => load.proc.once('exit', () => resolve()));
    const result = load.events.find((e) => 'mode' in e) as T | undefined;
    if (!result) throw new Error(`query load generator failed: ${load.stderr.slice(-5).join(' | ')}`);
    const serverCpu = (await cpuSeconds(sorter.pid)) - before;
    return { ...result, server_us_per_query: round((serverCpu * 1e6) / Math.max(1, result.answered), 2) };
  };
  const throughput64 = await phase<ThroughputResult>(['throughput', String(loadSeconds), '64']);
  const throughput256 = await phase<ThroughputResult>(['throughput', String(loadSeconds), '256']);
  const latency = await phase<LatencyResult>(['latency', String(loadSeconds), '20000']);
  return { throughput64, throughput256, latency };
}

/** NSD's address for the CPU comparison: its own 127.x address and port, so no other bench's server is in the way. */
const NSD_HOST = '127.0.12.53';
const NSD_PORT = 5312;

/**
 * NSD (one server process) answering dnsperf as fast as it can for `seconds`, the
 * bench dns cached workload (1,000 names × 3 A records): its CPU time (/proc/PID/stat)
 * per answered query, and dnsperf's own. The reference for the sorter's query service's
 * server CPU per answered query, same run.
 */
async function nsdCpuPerQuery(dir: string, seconds: number) {
  const queries = join(dir, 'nsd-queries.txt');
  await writeFile(queries, cachedQueries());
  const nsd = await startNsd(NSD_HOST, NSD_PORT, zoneFile(CACHED_NAMES));
  try {
    const before = await treeCpuSeconds(nsd.pid);
    const t = await throughputWithClientCpu(NSD_HOST, NSD_PORT, { file: queries, binary: false }, seconds);
    const serverCpu = (await treeCpuSeconds(nsd.pid)) - before;
    // Answers cost CPU: none counted means the wrong process was read, not a free server.
    if (!(serverCpu > 0)) throw new Error(`NSD's CPU time did not move (${serverCpu} s) over ${t.completed} answers: its server process was not read`);
    return { qps: t.qps, answered: t.completed, lost: t.lost, server_us_per_query: round((serverCpu * 1e6) / t.completed, 2), client_us_per_query: round((t.clientCpuS * 1e6) / t.completed, 2) };
  } finally {
    await nsd.stop();
  }
}

/**
 * The floor under any query service on Node's dgram here: a process that answers every
 * datagram with itself (bench/_node-udp-ceiling.ts), under the same dnsperf load as NSD,
 * its CPU time per answered datagram. Read against NSD's, it shows how much of the
 * per-query CPU target is left for verifying, ranking and signing at all.
 */
async function nodeFloorCpuPerQuery(dir: string, seconds: number) {
  const queries = join(dir, 'nsd-queries.txt');
  await writeFile(queries, cachedQueries());
  const echo = await startChild([join(here, '_node-udp-ceiling.ts')], /listening (\d+)/);
  try {
    const before = await cpuSeconds(echo.child.pid!);
    const t = await throughputWithClientCpu('127.0.0.1', Number(echo.match[1]), { file: queries, binary: false }, seconds);
    const serverCpu = (await cpuSeconds(echo.child.pid!)) - before;
    if (!(serverCpu > 0)) throw new Error(`the echo's CPU time did not move (${serverCpu} s) over ${t.completed} answers`);
    return { qps: t.qps, answered: t.completed, server_us_per_query: round((serverCpu * 1e6) / t.completed, 2), client_us_per_query: round((t.clientCpuS * 1e6) / t.completed, 2) };
  } finally {
    await echo.stop();
  }
}

/** FRR, BIRD and the sorter on one table, in one namespace pair; the sorter also flaps (DFZ) or answers queries (lab). */
async function tableRun(table: TableSpec, dir: string, quick: boolean) {
  const pair = await startFrrPairWithPid('h4b', FRR_CONFIG);
  const errors: Record<string, string> = {};
  const attempt = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch (e) {
      errors[what] = (e as Error).message;
      console.error(`${table.name}: ${what} failed: ${(e as Error).message}`);
      return undefined;
    }
  };
  try {
    console.error(`${table.name}: ingest into FRR (${table.ipv4} + ${table.ipv6})`);
    const frr = await attempt('frr', () => frrIngest(pair, table));
    await pair.stopFrr();
    console.error(`${table.name}: FRR ${JSON.stringify({ ...frr, injector: undefined })}; ingest into BIRD`);
    const bird = await attempt('bird', () => birdIngest(pair, table));
    console.error(`${table.name}: BIRD ${JSON.stringify({ ...bird, injector: undefined })}; ingest into the sorter`);
    const sorter = await startSorter(pair, dir, table.name);
    try {
      const ours = await attempt('sorter', () => sorterIngest(pair, sorter, table));
      console.error(`${table.name}: sorter ${JSON.stringify({ ...ours, injector: undefined })}`);
      let flap: Awaited<ReturnType<typeof sorterFlapUnderQueries>> | undefined;
      let load: Awaited<ReturnType<typeof queryPhases>> | undefined;
      let churn: Awaited<ReturnType<typeof churnPhases>> | undefined;
      if (ours && table.name === 'dfz') {
        flap = await attempt('sorter_flap', () => sorterFlapUnderQueries(pair, sorter, table, ours.injector, quick));
        console.error(`${table.name}: flap ${JSON.stringify({ ...flap, injector: undefined })}`);
        churn = await attempt('churn', () =>
          churnPhases({
            pair,
            dir,
            bundle: join(dir, 'bgpdns.mjs'),
            tableFile: table.file,
            keyHex: KEY_HEX,
            sorterQuery: '127.0.0.1:179',
            sorterBgp: { address: FRR_V6, port: 1179, local: OUR_V6 },
            churnPeer: async () => (await sorter.status()).peers.find((p) => p.name === 'churn'),
            seconds: quick ? 12 : 30,
            churnScript,
            waitFor,
          }),
        );
        console.error(`${table.name}: churn ${JSON.stringify(churn)}`);
      }
      let nsd: Awaited<ReturnType<typeof nsdCpuPerQuery>> | undefined;
      let nodeFloor: Awaited<ReturnType<typeof nodeFloorCpuPerQuery>> | undefined;
      if (ours && table.name === 'lab') {
        load = await attempt('queries', () => queryPhases(pair, sorter, quick ? 3 : 5));
        console.error(`${table.name}: queries ${JSON.stringify(load)}`);
        nsd = await attempt('nsd', () => nsdCpuPerQuery(dir, quick ? 3 : 5));
        console.error(`${table.name}: NSD under dnsperf ${JSON.stringify(nsd)}`);
        nodeFloor = await attempt('node_floor', () => nodeFloorCpuPerQuery(dir, quick ? 3 : 5));
        console.error(`${table.name}: Node dgram echo under dnsperf ${JSON.stringify(nodeFloor)}`);
      }
      return { frr, bird, ours, flap, load, nsd, nodeFloor, churn, errors };
    } finally {
      await sorter.stop();
    }
  } finally {
    await pair.stop();
  }
}

// ---------------------------------------------------------------- main

type Targets = { name: string; value: number | null; op: '<=' | '>=' | '<'; target: number; met: boolean; error?: string }[];

/** A target whose value could not be measured is reported with its error and not met. */
function target(targets: Targets, name: string, value: number | undefined, op: '<=' | '>=' | '<', goal: number, error?: string): void {
  if (value === undefined || !Number.isFinite(value)) {
    targets.push({ name, value: null, op, target: goal, met: false, error: error ?? 'not measured' });
    return;
  }
  const met = op === '<=' ? value <= goal : op === '>=' ? value >= goal : value < goal;
  targets.push({ name, value: round(value), op, target: goal, met });
}

const ratio = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined || b <= 0 ? undefined : a / b);

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const loadStart = loadavg();
  const dir = await mkdtemp(join(tmpdir(), 'h4bench-'));
  const size = (full: { ipv4: number; ipv6: number }) => (quick ? { ipv4: 100_000, ipv6: 20_000 } : full);
  const tables: TableSpec[] = [
    { name: 'dfz', ...size({ ipv4: 1_000_000, ipv6: 200_000 }), file: join(dir, 'dfz.mrt') },
    { name: 'lab', ...size({ ipv4: 262_143, ipv6: 937_857 }), file: join(dir, 'lab.mrt') },
  ];
  try {
    for (const t of tables) await writeTable(t);
    await bundleBgpdns(join(here, '..'), join(dir, 'bgpdns.mjs'));
    const dfz = await tableRun(tables[0], dir, quick);
    const lab = await tableRun(tables[1], dir, quick);
    const lookups = inProcessLookups(quick ? tables[1] : { ipv4: 262_143, ipv6: 200_000 }, quick ? 1_000_000 : 3_000_000);
    console.error(`in process, lab table: ${lookups.lookupsPerS} ranked lookups/s (${lookups.paths} paths)`);
    const dfzLookups = inProcessLookups(tables[0], quick ? 1_000_000 : 3_000_000, 'dfz');
    console.error(`in process, DFZ table: ${dfzLookups.lookupsPerS} ranked lookups/s (${dfzLookups.paths} paths)`);
    const loadEnd = loadavg();
    const per = (r: { frr?: IngestResult; bird?: IngestResult; ours?: SorterIngest; errors: Record<string, string> }, t: TableSpec) => ({
      ipv4: t.ipv4,
      ipv6: t.ipv6,
      sorter_ingest_s: r.ours && round(r.ours.seconds),
      bird_ingest_s: r.bird && round(r.bird.seconds),
      frr_ingest_s: r.frr && round(r.frr.seconds),
      sorter_rss_mb: r.ours?.rssMb,
      bird_rss_mb: r.bird?.rssMb,
      frr_rss_mb: r.frr?.rssMb,
      sorter_peak_rss_mb: r.ours?.hwmMb,
      bird_peak_rss_mb: r.bird?.hwmMb,
      frr_peak_rss_mb: r.frr?.hwmMb,
      sorter_ingest_cpu_s: r.ours && round(r.ours.cpu, 2),
      bird_ingest_cpu_s: r.bird && round(r.bird.cpu, 2),
      frr_ingest_cpu_s: r.frr && round(r.frr.cpu, 2),
      sorter_compaction_ms: r.ours?.compactionMs,
      sorter_state_bytes_per_prefix: r.ours && round(r.ours.typedArrayBytes / (t.ipv4 + t.ipv6), 1),
      sorter_rss_bytes_per_prefix: r.ours && Math.round((r.ours.rssMb * 1048576) / (t.ipv4 + t.ipv6)),
      sorter_loop_delay_max_ms_ingest_and_compaction: r.ours?.loopDelayIngestMaxMs,
      sorter_loop_delay_p99_ms_ingest_and_compaction: r.ours?.loopDelayIngestP99Ms,
      // What a stall was made of: the longest GC pause, and the time the event loop waited for a CPU.
      sorter_gc_max_ms_ingest_and_compaction: r.ours?.gcIngestMaxMs,
      sorter_run_queue_wait_ms_ingest_and_compaction: r.ours && round(r.ours.runQueueWaitIngestMs),
      errors: Object.keys(r.errors).length ? r.errors : undefined,
    });
    const q = lab.load;
    const figures = {
      dfz: { ...per(dfz, tables[0]), sorter_flush_s: dfz.flap && round(dfz.flap.flushS), sorter_relearn_s: dfz.flap && round(dfz.flap.relearnS),
        sorter_loop_delay_max_ms_flush: dfz.flap?.flushMaxMs, sorter_loop_delay_p99_ms_flush: dfz.flap?.flushP99Ms,
        sorter_loop_delay_max_ms_relearn: dfz.flap?.relearnMaxMs, sorter_loop_delay_p99_ms_relearn: dfz.flap?.relearnP99Ms,
        sorter_gc_max_ms_flush: dfz.flap?.flushGcMaxMs, sorter_gc_max_ms_relearn: dfz.flap?.relearnGcMaxMs,
        sorter_run_queue_wait_ms_flush: dfz.flap && round(dfz.flap.flushRunQueueWaitMs), sorter_run_queue_wait_ms_relearn: dfz.flap && round(dfz.flap.relearnRunQueueWaitMs),
        flap_queries: dfz.flap && {
          rate_qps: FLAP_QUERY_RATE,
          idle: { rate: dfz.flap.idle.rate, answered: dfz.flap.idle.answered, lost: dfz.flap.idle.lost, p50_ms: dfz.flap.idle.p50_ms, p99_ms: dfz.flap.idle.p99_ms, max_ms: dfz.flap.idle.max_ms },
          during_flap: { rate: dfz.flap.during.rate, answered: dfz.flap.during.answered, lost: dfz.flap.during.lost, p50_ms: dfz.flap.during.p50_ms, p99_ms: dfz.flap.during.p99_ms, max_ms: dfz.flap.during.max_ms },
        } },
      churn: {
        what: `the DNS front (bgpdns dns, file mode, asking the sorter that holds the DFZ-shaped table) under dnsperf at ${CHURN_QUERY_RATE} queries/s from the churn peer's client /24s, without and then with churn; cache figures from the front's /metrics`,
        churn_rates: `steady ${STEADY_PER_S} prefix updates/s (Huston, "BGP in 2024 – updates", labs.apnic.net/?p=1952: 15,000–20,000 IPv4 withdrawals a day seen from AS131072; ${STEADY_PER_S}/s is far above that, on purpose), bursts of ${BURST} prefixes every ${BURST_EVERY_S} s (assumed: no published burst size found)`,
        ...(dfz.churn ?? {}),
        error: dfz.errors.churn ?? (dfz.churn ? undefined : 'not measured'),
      },
      lab: per(lab, tables[1]),
      lookups_per_s: lookups.lookupsPerS,
      lookups_per_cpu_s: lookups.lookupsPerCpuS,
      dfz_lookups_per_s: dfzLookups.lookupsPerS,
      dfz_lookups_per_cpu_s: dfzLookups.lookupsPerCpuS,
      queries: q && {
        queries_per_s: q.throughput64.qps,
        queries_lost: q.throughput64.lost,
        queries_per_s_256_in_flight: q.throughput256.qps,
        queries_lost_256_in_flight: q.throughput256.lost,
        server_cpu_us_per_query: q.throughput64.server_us_per_query,
        queries_per_server_cpu_s: Math.round(1e6 / q.throughput64.server_us_per_query),
        load_generator_cpu_us_per_query: q.throughput64.client_us_per_query,
        latency_rate_qps: q.latency.rate,
        latency_p50_ms: q.latency.p50_ms,
        latency_p99_ms: q.latency.p99_ms,
        latency_max_ms: q.latency.max_ms,
        latency_lost: q.latency.lost,
      },
      nsd_reference: lab.nsd && {
        what: `NSD (one server process) under dnsperf (4 clients, 200 outstanding, ${CACHED_NAMES} names × 3 A), same run`,
        queries_per_s: lab.nsd.qps,
        answered: lab.nsd.answered,
        lost: lab.nsd.lost,
        server_cpu_us_per_query: lab.nsd.server_us_per_query,
        dnsperf_cpu_us_per_query: lab.nsd.client_us_per_query,
      },
      node_dgram_floor: {
        what: 'a Node process answering every datagram with itself (bench/_node-udp-ceiling.ts) under the same dnsperf load: the CPU any query service on Node\'s dgram spends per datagram before doing anything',
        ...(lab.nodeFloor ?? {}),
        floor_vs_nsd_server_cpu: lab.nodeFloor && lab.nsd && round(lab.nodeFloor.server_us_per_query / lab.nsd.server_us_per_query),
        error: lab.errors.node_floor ?? (lab.nodeFloor ? undefined : 'not measured'),
      },
    };
    const targets: Targets = [];
    const d = dfz;
    const err = (r: { errors: Record<string, string> }, ...keys: string[]) => keys.map((k) => r.errors[k]).filter(Boolean).join('; ') || undefined;
    target(targets, 'dfz_rss_vs_bird', ratio(d.ours?.rssMb, d.bird?.rssMb), '<=', 1.0, err(d, 'sorter', 'bird'));
    target(targets, 'dfz_ingest_vs_bird', ratio(d.ours?.seconds, d.bird?.seconds), '<=', 1.0, err(d, 'sorter', 'bird'));
    target(targets, 'dfz_rss_vs_frr', ratio(d.ours?.rssMb, d.frr?.rssMb), '<=', 0.5, err(d, 'sorter', 'frr'));
    target(targets, 'dfz_ingest_vs_frr', ratio(d.ours?.seconds, d.frr?.seconds), '<=', 0.5, err(d, 'sorter', 'frr'));
    const stalls = [d.ours?.loopDelayIngestMaxMs, d.flap?.flushMaxMs, d.flap?.relearnMaxMs];
    target(targets, 'dfz_max_event_loop_stall_ms', stalls.some((x) => x === undefined) ? undefined : Math.max(...(stalls as number[])), '<=', STALL_BUDGET_MS, err(d, 'sorter', 'sorter_flap'));
    // Queries lost during the flap count against it: a lost answer is worse than a late one.
    // Losses over 1 % of the queries put the p99 past the 1 s loss timeout: no p99 to compare.
    const flapP99 = d.flap && d.flap.during.lost <= d.flap.during.sent / 100 ? ratio(d.flap.during.p99_ms, d.flap.idle.p99_ms) : undefined;
    target(targets, 'dfz_query_p99_flap_vs_idle', flapP99, '<=', 2.0, d.flap ? `${d.flap.during.lost} of ${d.flap.during.sent} queries lost during the flap` : err(d, 'sorter', 'sorter_flap'));
    target(targets, 'lookups_per_s', lookups.lookupsPerS, '>=', 1_000_000);
    target(targets, 'dfz_lookups_per_s', dfzLookups.lookupsPerS, '>=', 1_000_000);
    target(targets, 'server_cpu_per_query_vs_nsd', ratio(q?.throughput64.server_us_per_query, lab.nsd?.server_us_per_query), '<=', 1.5, err(lab, 'queries', 'nsd'));
    target(targets, 'queries_per_s', q?.throughput64.qps, '>=', 50_000, err(lab, 'queries'));
    target(targets, 'p99_ms_at_20k_qps', q && q.latency.rate >= 19_000 ? q.latency.p99_ms : undefined, '<', 1, q ? `achieved ${q.latency.rate} queries/s` : err(lab, 'queries'));
    console.log(
      JSON.stringify({
        bench: 'sorter',
        quick,
        machine: { cores: cpus().length, kernel: release(), loadavg_start: loadStart.map((x) => round(x, 2)), loadavg_end: loadEnd.map((x) => round(x, 2)) },
        tables: {
          dfz: 'bgpdns inject --synthetic --shape dfz --seed 1 (spread over the unicast space, DFZ prefix-length mix), as MRT',
          lab: 'bgpdns inject --synthetic --seed 1 (lab ranges; IPv4 limited to 198.18.0.0/15), as MRT',
          lookup_rib: quick ? '3 upstreams × the lab table' : '3 upstreams × 262,143 IPv4 + 200,000 IPv6 (lab table)',
          dfz_lookup_rib: '3 upstreams × the DFZ table; clients: random addresses inside random prefixes of the table',
          end_observed: `received count polled every ${POLL_MS} ms from Established (vtysh / birdc / sorter GET /status); sorter also until compacted and its freed pages given back`,
        },
        figures,
        targets,
      }),
    );
  } catch (e) {
    console.log(JSON.stringify({ bench: 'sorter', quick, error: (e as Error).message }));
    process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type BenchPair = FrrPair & { frrPid(): number; stopFrr(): Promise<void> };

/** H3's FRR pair plus what this bench needs: the bgpd pid (for /proc) and stopping bgpd alone. */
async function startFrrPairWithPid(prefix: string, config: string): Promise<BenchPair> {
  const pair = await startFrrPair(prefix, config);
  const pidOf = async (): Promise<number> => {
    for (const pid of pidsInNamespaces([pair.frrNs])) {
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
      const alive = () => {
        try {
          process.kill(frrPid, 0);
          return true;
        } catch {
          return false;
        }
      };
      const gone = await waitUntil(alive, (a) => !a, { what: `bgpd (pid ${frrPid}) gone after SIGTERM`, timeout: 10_000, interval: 50 }).then(() => true, () => false);
      if (!gone) process.kill(frrPid, 'SIGKILL');
    },
  };
}

await main();

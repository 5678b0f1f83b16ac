/**
 * The churn phases of `bench sorter` (files starting with "_" are helpers, not
 * benchmarks): does a DFZ's steady churn cost the DNS front its cached decisions?
 *
 * In the sorter's namespace, beside the daemon holding the DFZ-shaped table: the
 * DNS front as users run it (`bgpdns dns` from the same bundle, file mode, the
 * bench dns zone, asking the sorter), and dnsperf at a fixed rate with pre-built
 * queries for CHURN_NAMES names whose ECS subnets are CLIENT_NETS /24s of 198.18.0.0/15, which the churn
 * speaker (bench/sorter-churn.ts) announces and never flaps. Two phases of equal
 * length, same queries: without churn, then while the speaker flaps table prefixes
 * at bench/sorter-churn-rates.ts's rates. Per phase: dnsperf's p50/p99 (every
 * answer's latency), and from the front's own /metrics (what an operator reads):
 * decision-cache hit ratio, sorter requests per second, whole-cache flushes,
 * changes queries and scoped drops.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Child, FrrPair } from './_frr-netns-pair.js';
import { latency } from './_dnsperf.js';
import { tinydnsData, writeSubnetQueries } from './_dns-workload.js';
import { CLIENT_NETS, clientNet } from './sorter-churn-rates.js';
import { round } from './_figures.js';
import { parsePrometheusText, type PrometheusText } from '@bgpdns-lab/harness';

/** The front's DNS and HTTP addresses inside the sorter's namespace (their own ports: nothing else listens there). */
const FRONT_HOST = '127.0.0.1';
const FRONT_PORT = 5353;
const FRONT_HTTP = '127.0.0.1:9581';
/** dnsperf's fixed query rate in both phases: a busy authoritative front's share, far below saturation. */
export const CHURN_QUERY_RATE = 2000;
/**
 * Names asked about: a front for a handful of popular service names, as a GSLB front is. With
 * CLIENT_NETS subnets that is 5,120 (subnet, name) decisions, each asked again every ~2.6 s at
 * CHURN_QUERY_RATE, so without churn nearly every lookup is a cache hit.
 */
const CHURN_NAMES = 10;
/** Unmeasured queries first, so both phases start from a warm decision cache. */
const WARMUP_S = 3;

export interface ChurnPhaseInput {
  pair: FrrPair;
  dir: string;
  /** The bgpdns bundle the sorter runs from. */
  bundle: string;
  /** The DFZ-shaped table the injector sent (MRT): the churn speaker flaps its prefixes. */
  tableFile: string;
  keyHex: string;
  /** The sorter's query protocol address in its namespace. */
  sorterQuery: string;
  /** Where the churn speaker dials the sorter, and from where. */
  sorterBgp: { address: string; port: number; local: string };
  /** The churn peer's entry in the sorter's GET /status (undefined when the sorter has no such peer). */
  churnPeer(): Promise<{ prefixes: { ipv4: number } } | undefined>;
  seconds: number;
  churnScript: string;
  waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, child?: Child, everyMs?: number): Promise<T>;
}

/** The front's /metrics, fetched by curl in the sorter's namespace. */
async function frontMetrics(pair: FrrPair): Promise<PrometheusText> {
  const curl = pair.run(pair.frrNs, ['curl', '-sf', '--max-time', '2', `http://${FRONT_HTTP}/metrics`]);
  let stdout = '';
  curl.proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((resolve) => curl.proc.once('close', (c) => resolve(c)));
  if (code !== 0) throw new Error(`the DNS front's metrics at http://${FRONT_HTTP}/metrics: curl exit ${code}`);
  return parsePrometheusText(stdout);
}

/** One counter sample: 0 when the front declares the family but left the sample out; an error when it does not declare it. */
function sample(m: PrometheusText, name: string): number {
  const family = name.replace(/\{.*$/, '');
  if (!m.families.has(family)) throw new Error(`the DNS front's /metrics has no ${family}`);
  return m.samples.get(name) ?? 0;
}

/** What the front's counters say about one phase (after − before). */
function phaseFigures(before: PrometheusText, after: PrometheusText, seconds: number) {
  const d = (name: string): number => sample(after, name) - sample(before, name);
  // Answered without the sorter: a cached decision, or one made from the scope's upstream ranking.
  const hits = d('bgpdns_dns_decision_cache_total{result="hit"}') + d('bgpdns_dns_decision_cache_total{result="ranking"}');
  const misses = d('bgpdns_dns_decision_cache_total{result="miss"}');
  const unranked = d('bgpdns_dns_decision_cache_total{result="unranked"}');
  const lookups = hits + misses + unranked;
  if (lookups === 0) throw new Error('the DNS front made no ordering decision: the queries never reached its decision cache');
  return {
    cache_hit_ratio: round(hits / lookups, 4),
    cache_lookups: lookups,
    sorter_requests_per_s: round(d('bgpdns_dns_sorter_requests_total{result="ok"}') / seconds, 1),
    sorter_timeouts: d('bgpdns_dns_sorter_requests_total{result="timeout"}'),
    cache_flushes: d('bgpdns_dns_decision_cache_flushes_total'),
    change_syncs: d('bgpdns_dns_decision_cache_change_syncs_total'),
    scoped_drops: d('bgpdns_dns_decision_cache_scoped_drops_total'),
  };
}

export async function churnPhases(x: ChurnPhaseInput) {
  const { pair, dir } = x;
  const ns = pair.frrNs;
  const data = join(dir, 'churn-front.data');
  const key = join(dir, 'churn-front.key');
  const queries = join(dir, 'churn-queries.bin');
  await writeFile(data, tinydnsData(CHURN_NAMES));
  await writeFile(key, `1:${x.keyHex}\n`);
  writeSubnetQueries(queries, Array.from({ length: CLIENT_NETS }, (_, i) => ({ prefixLen: 24, addr: clientNet(i) })), CHURN_NAMES, 200_000);
  const speaker = pair.run(pair.speakerNs, [process.execPath, '--import', 'tsx', x.churnScript, x.sorterBgp.address, String(x.sorterBgp.port), x.sorterBgp.local, x.tableFile], { stdin: true });
  let front: Child | undefined;
  try {
    await x.waitFor('churn speaker announced the clients', 60_000, async () => (speaker.events.some((e) => e.event === 'ready') ? true : undefined), speaker, 50);
    try {
      await x.waitFor(`the sorter holds the ${CLIENT_NETS} client networks`, 30_000, async () => ((await x.churnPeer())?.prefixes.ipv4 === CLIENT_NETS ? true : undefined), speaker, 100);
    } catch (e) {
      throw new Error(`${(e as Error).message}; the churn peer in the sorter's /status: ${JSON.stringify((await x.churnPeer()) ?? 'no peer named churn')}; churn speaker stderr: ${speaker.stderr.slice(-5).join(' | ')}`);
    }
    front = pair.run(ns, [process.execPath, x.bundle, 'dns', '--data', data, '--listen', `${FRONT_HOST}:${FRONT_PORT}`, '--sorter', x.sorterQuery, '--key', key, '--http', FRONT_HTTP]);
    await x.waitFor('DNS front metrics', 30_000, async () => frontMetrics(pair).catch(() => undefined), front, 100);
    const input = { file: queries, binary: true };
    const inNs = (argv: string[]) => pair.run(ns, argv).proc;
    await latency(FRONT_HOST, FRONT_PORT, input, WARMUP_S, CHURN_QUERY_RATE, inNs);
    const phase = async (what: string) => {
      const before = await frontMetrics(pair);
      const dns = await latency(FRONT_HOST, FRONT_PORT, input, x.seconds, CHURN_QUERY_RATE, inNs);
      const after = await frontMetrics(pair);
      console.error(`churn: ${what}: ${JSON.stringify(dns)}`);
      return { dnsperf: { rate: dns.rate, answered: dns.answered, lost: dns.lost, p50_ms: dns.p50Ms, p99_ms: dns.p99Ms, max_ms: dns.maxMs }, ...phaseFigures(before, after, x.seconds) };
    };
    const without = await phase('without churn');
    const churned = speaker.events.length;
    speaker.proc.stdin!.write(`churn ${x.seconds + 1}\n`);
    const during = await phase('with churn');
    const sent = await x.waitFor('churn summary', 30_000, async () => speaker.events.slice(churned).find((e) => e.mode === 'churn'), speaker, 100);
    return { seconds: x.seconds, query_rate: CHURN_QUERY_RATE, client_subnets: CLIENT_NETS, without_churn: without, with_churn: during, churn_sent: sent };
  } finally {
    speaker.proc.stdin?.end();
    if (front) await pair.stopChild(front);
    await pair.stopChild(speaker);
  }
}

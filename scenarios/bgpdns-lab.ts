/**
 * labs/multihomed as the BGPDNS scenarios observe it (seed 001, slides 13–21, 24, 35):
 * DNS probers in the client hosts (a query every 20 ms to the DNS front directly,
 * to the proxy-mode front, or through a resolver; answer order, rcode and latency
 * on the monotonic clock), a sorter prober in the sorter's node (the sorter's own
 * ranking for every client, every 20 ms: the BGP plane as BGPDNS sees it) and route
 * watchers at client routers. Helpers turn one fault into per-trial facts: when the
 * sorter's best path moved and when each client's first answer changed.
 */
import path from 'node:path';
import {
  type ScenarioContext,
  startDnsProber,
  type RunningDnsProber,
  isGood,
  type DnsProbeSample,
  startSorterProber,
  type RunningSorterProber,
  sorterFirst,
  type SorterSample,
  dnsOrderChanges,
  frontMetrics,
  waitUntil,
  monoNow,
  percentileOfSorted,
} from '@bgpdns-lab/harness';
import { BGPDNS_CLAIMS, TELECOM_CLAIMS } from './seed-claims.js';

export const LAB_PATH = 'labs/multihomed/multihomed.clab.yml';
export const QNAME = 'www.bgpdns.lab';

export type Isp = 'isp1' | 'isp2' | 'isp3';
export const ISPS: Isp[] = ['isp1', 'isp2', 'isp3'];
export const ISP_ASN: Record<Isp, number> = { isp1: 64501, isp2: 64502, isp3: 64503 };
/** The server's address out of each ISP's aggregate: the A records of www.bgpdns.lab. */
export const SERVER_ADDR: Record<Isp, string> = { isp1: '198.18.16.10', isp2: '198.18.32.10', isp3: '198.18.48.10' };
export const CANDIDATES = ISPS.map((i) => SERVER_ADDR[i]);
export const ispOfAddress = (a: string | undefined): Isp | undefined => ISPS.find((i) => SERVER_ADDR[i] === a);

export interface Client {
  host: string;
  address: string;
  router: string;
  /** The ISP its best path enters through, seen from the client and from the sorter. */
  isp: Isp;
}
export const CLIENTS: Client[] = [
  { host: 'h1', address: '198.19.1.10', router: 'c1', isp: 'isp1' },
  { host: 'h2', address: '198.19.2.10', router: 'c2', isp: 'isp2' },
  { host: 'h3', address: '198.19.3.10', router: 'c3', isp: 'isp3' },
];
export const client = (host: string): Client => CLIENTS.find((c) => c.host === host)!;

/** Where a client's query goes. */
export const SERVERS = {
  front: { address: '198.18.16.18', what: 'DNS front, file mode' },
  proxy: { address: '198.18.32.18', what: 'DNS front, proxy mode in front of tinydns' },
  'resolver-ecs': { address: '198.19.1.53', what: 'unbound with client subnet (res1, AS64521)' },
  resolver: { address: '198.19.2.53', what: 'unbound without client subnet (res2, AS64522)' },
} as const;
export type Via = keyof typeof SERVERS;

/** The DNS front's sorter timeout (bgpdns dns default): a frozen sorter delays an answer by at most this. */
export const FRONT_SORTER_TIMEOUT_MS = 50;

/** What the BGPDNS stories measure against: seed 001's claims, and the sub-15 s of the timers 3 12 the lab borrows from seed 000. */
export const CLAIMS = { ...BGPDNS_CLAIMS, subFifteen: TELECOM_CLAIMS.subFifteen };

/** Numbers prober files so parts sharing a lab never mix samples. */
let runs = 0;

export interface ProbeSpec {
  host: string;
  via: Via;
  /** EDNS client subnet the host's queries carry ("ADDR/LEN"): a client elsewhere, as a resolver would forward it. */
  subnet?: string;
  /** Name asked (default QNAME). */
  name?: string;
}

/** Probers and the sorter prober of one scenario part; stopped (and their order changes recorded) when the part ends. */
export class BgpdnsObservers {
  readonly dns = new Map<string, RunningDnsProber>();
  private readonly specs = new Map<string, ProbeSpec>();
  sorter?: RunningSorterProber;

  private constructor(readonly s: ScenarioContext) {}

  static key(p: ProbeSpec): string {
    return `${p.host}@${p.via}${p.subnet ? `#${p.subnet}` : ''}${p.name ? `:${p.name}` : ''}`;
  }

  /** opts.sorterClients: more client addresses for the sorter prober, beside CLIENTS'. */
  static async start(s: ScenarioContext, probes: ProbeSpec[], opts: { sorter?: boolean; sorterClients?: string[] } = {}): Promise<BgpdnsObservers> {
    const o = new BgpdnsObservers(s);
    s.cleanup(() => o.stop());
    const n = ++runs;
    if (opts.sorter !== false) {
      const node = s.lab.node('sorter');
      o.sorter = await startSorterProber(node, {
        server: '127.0.0.1:179',
        keyFile: path.join(s.lab.model.dir, 'sorter.key'),
        clients: [...CLIENTS.map((c) => c.address), ...(opts.sorterClients ?? [])],
        candidates: CANDIDATES,
        label: `sorter-prober-${n}`,
      });
    }
    for (const p of probes) {
      const label = `dns-prober-${n}-${p.via}${p.subnet ? `-${p.subnet.replace(/[^0-9a-f]+/gi, '-')}` : ''}`;
      const prober = await startDnsProber(s.lab.node(p.host), { server: SERVERS[p.via].address, name: p.name ?? QNAME, type: 'A', intervalMs: 20, timeoutMs: 1000, recursionDesired: p.via.startsWith('resolver'), clientSubnet: p.subnet, label });
      o.dns.set(BgpdnsObservers.key(p), prober);
      o.specs.set(BgpdnsObservers.key(p), p);
    }
    return o;
  }

  async stop(): Promise<void> {
    for (const [key, p] of this.dns) {
      const samples = await p.stop();
      const spec = this.specs.get(key)!;
      const via = SERVERS[spec.via].what + (spec.subnet ? ` (client subnet ${spec.subnet})` : '');
      for (const d of dnsOrderChanges(spec.host, samples, { qname: spec.name ?? QNAME, via })) this.s.recorder.dnsOrder(d);
    }
    this.dns.clear();
    this.specs.clear();
    await this.sorter?.stop();
    this.sorter = undefined;
  }

  async samples(p: ProbeSpec): Promise<DnsProbeSample[]> {
    const prober = this.dns.get(BgpdnsObservers.key(p));
    if (!prober) throw new Error(`no DNS prober for ${BgpdnsObservers.key(p)}`);
    return prober.samples();
  }

  /** The sorter prober's answers for a client (or any address it was started with). */
  async sorterSamples(c: Client | string): Promise<SorterSample[]> {
    if (!this.sorter) throw new Error('no sorter prober in this part');
    const address = typeof c === 'string' ? c : c.address;
    return (await this.sorter.samples()).filter((x) => x.client === address);
  }

  /** Wait until the last `count` answers a probe got after `after` all put `first` first. */
  async waitFirst(p: ProbeSpec, first: string, what: string, opts: { after?: number; count?: number; timeout?: number } = {}): Promise<DnsProbeSample[]> {
    const count = opts.count ?? 10;
    const { value } = await waitUntil(
      async () => (await this.samples(p)).filter((x) => x.at >= (opts.after ?? 0)).slice(-count),
      (last) => (last.length === count && last.every((x) => isGood(x) && x.answers[0] === first) ? true : `last answers ${JSON.stringify(last.slice(-3).map((x) => (isGood(x) ? x.answers : x.outcome)))}`),
      { what: `${what}: ${p.host} via ${p.via} gets ${first} first`, timeout: opts.timeout ?? 30_000, interval: 50 },
    );
    return value;
  }

  /** Wait until the sorter's last `count` answers for a client put `first` first. */
  async waitSorterFirst(c: Client | string, first: string, what: string, opts: { after?: number; count?: number; timeout?: number } = {}): Promise<void> {
    const count = opts.count ?? 5;
    await waitUntil(
      async () => (await this.sorterSamples(c)).filter((x) => x.at >= (opts.after ?? 0)).slice(-count),
      (last) => (last.length === count && last.every((x) => sorterFirst(x, CANDIDATES) === first) ? true : `last sorter answers ${JSON.stringify(last.slice(-2))}`),
      { what: `${what}: the sorter ranks ${first} first for ${typeof c === 'string' ? c : c.address}`, timeout: opts.timeout ?? 30_000, interval: 50 },
    );
  }

  /** Wait until every query sent before `end` (default now) has been answered or timed out (so a window is complete). */
  async settle(end = monoNow()): Promise<number> {
    await waitUntil(() => monoNow(), (now) => now > end + 1100, { what: 'queries in flight resolve', timeout: 5000, interval: 50 });
    return end;
  }
}

/** First sample after t0 whose first answer is not `from` (a good answer), or undefined. */
export function firstAnswerChange(samples: DnsProbeSample[], t0: number, from: string): DnsProbeSample | undefined {
  return samples.find((x) => x.at >= t0 && isGood(x) && x.answers[0] !== from);
}

/** First sorter answer after t0 that no longer puts `from` first. */
export function firstSorterChange(samples: SorterSample[], t0: number, from: string): SorterSample | undefined {
  return samples.find((x) => x.at >= t0 && (x.status === 'ranked' || x.status === 'no-route' || x.status === 'no-sessions') && sorterFirst(x, CANDIDATES) !== from);
}

/** Share of good answers in [from, to) whose first address is `first` (and how many there were). */
export function shareFirst(samples: DnsProbeSample[], from: number, to: number, first: string): { share: number; answers: number; lost: number } {
  const window = samples.filter((x) => x.at >= from && x.at < to);
  const good = window.filter(isGood);
  return { share: good.length ? good.filter((x) => x.answers[0] === first).length / good.length : 0, answers: good.length, lost: window.length - good.length };
}

/** Median (nearest-rank p50) latency of good answers in [from, to). */
export function medianLatency(samples: DnsProbeSample[], from: number, to: number): number | undefined {
  const l = samples.filter((x) => x.at >= from && x.at < to && isGood(x)).map((x) => x.latencyMs).sort((a, b) => a - b);
  return l.length ? percentileOfSorted(l, 50) : undefined;
}

/** The DNS front's metrics that matter to the failure stories. */
export async function frontState(s: ScenarioContext, node = 'dns'): Promise<{ defective: number; episodes: number; fallbacks: Record<string, number>; generation: number }> {
  const m = await frontMetrics(s.lab.node(node));
  const fallbacks: Record<string, number> = {};
  for (const [k, v] of m) {
    const r = /^bgpdns_dns_sorter_fallbacks_total\{reason="([^"]+)"\}$/.exec(k);
    if (r) fallbacks[r[1]] = v;
  }
  return {
    defective: m.get('bgpdns_dns_sorter_defective') ?? NaN,
    episodes: m.get('bgpdns_dns_sorter_defective_episodes_total') ?? NaN,
    fallbacks,
    generation: m.get('bgpdns_dns_rib_generation') ?? NaN,
  };
}

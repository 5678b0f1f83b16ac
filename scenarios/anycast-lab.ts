/**
 * The anycast lab (labs/anycast) as its scenarios observe it: a DNS prober in every
 * partner's client host (whoami.anycast.lab TXT every 20 ms: the answer says which
 * site answered) and a route watcher on every partner router (best path of the
 * service /32), turning one injected fault into per-trial facts: client outage
 * window, site before/after, BGP-plane time at each partner router, what the
 * health agents did. Everything lands in the scenario's run record.
 */
import {
  type ScenarioContext,
  type MeasurementSpec,
  type RouteWatcher,
  startDnsProber,
  type RunningDnsProber,
  clientOutage,
  isGood,
  type ClientOutage,
  type DnsProbeSample,
  frr,
  waitUntil,
  monoNow,
  percentileOfSorted,
} from '@bgpdns-lab/harness';
import { TELECOM_CLAIMS } from './seed-claims.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const LAB_FILE = new URL('../labs/anycast/anycast.clab.yml', import.meta.url).pathname;
/** The lab file as scenario definitions name it (relative to the repository root). */
export const LAB_PATH = 'labs/anycast/anycast.clab.yml';
export const SERVICE_IP = '198.18.53.53';
export const SERVICE = `${SERVICE_IP}/32`;
export const WHOAMI = 'whoami.anycast.lab';
/** Prober timeout: a query unanswered this long counts as lost. */
export const PROBE_TIMEOUT_MS = 500;

export type Site = 'site-a' | 'site-b';

export interface Partner {
  router: string;
  client: string;
  /** Address of sig-a / sig-b on this partner's links: the next hop of each site's path. */
  viaSite: Record<Site, string>;
}

export const PARTNERS: Partner[] = [
  { router: 'comfone', client: 'cl-comfone', viaSite: { 'site-a': '198.18.11.1', 'site-b': '198.18.12.1' } },
  { router: 'sparkle', client: 'cl-sparkle', viaSite: { 'site-a': '198.18.13.1', 'site-b': '198.18.14.1' } },
  { router: 'future', client: 'cl-future', viaSite: { 'site-a': '198.18.15.1', 'site-b': '198.18.16.1' } },
];

/** The DNS hosts' addresses as their signalling routers see them. */
export const DNS_HOST_PEER = { 'sig-a': '198.18.1.2', 'sig-b': '198.18.2.2' } as const;
export const SIG_PEER = { 'dns-a': '198.18.1.1', 'dns-b': '198.18.2.1' } as const;

/** The telecom design's claimed figures (its "Real-World Performance Results"). */
export const CLAIMS = TELECOM_CLAIMS;

/** What one trial of one story saw. */
export interface TrialFacts {
  t0: number;
  clients: Record<string, ClientOutage>;
  /** Partner router → ms from t0 to its best path for the service moving (vty poll), when it moved. */
  bgpMs: Record<string, number | undefined>;
  /** What the health agents did during the trial. */
  health: HealthAction[];
}

export interface HealthAction {
  node: string;
  at: number;
  /** announce | graceful | withdraw | state up/down/draining */
  event: string;
  done?: number;
  reason?: string;
}

/** Numbers each part's prober files, so parts sharing a lab never mix their samples. */
let proberRuns = 0;

/** Probes and watchers of one scenario part; stopped when the part ends. */
export class AnycastObservers {
  private readonly seenHealth = new Set<string>();
  /** When the route watchers started (monotonic ms). */
  private watchersStartedAt = monoNow();
  private constructor(
    readonly s: ScenarioContext,
    readonly probers: Map<string, RunningDnsProber>,
    readonly watchers: Map<string, RouteWatcher>,
  ) {}

  get lab(): ScenarioContext['lab'] {
    return this.s.lab;
  }

  get recorder(): ScenarioContext['recorder'] {
    return this.s.recorder;
  }

  get faults(): ScenarioContext['faults'] {
    return this.s.faults;
  }

  /** Wait until partners hold the service from both sites, start watchers and probers, wait for site A everywhere. */
  static async start(s: ScenarioContext): Promise<AnycastObservers> {
    const probers = new Map<string, RunningDnsProber>();
    const watchers = new Map<string, RouteWatcher>();
    const self = new AnycastObservers(s, probers, watchers);
    s.cleanup(async () => {
      for (const p of probers.values()) await p.stop();
    });
    await s.step('partners learn the service from both sites', () => self.waitPartnersHaveBothSites());
    self.watchersStartedAt = monoNow();
    for (const p of PARTNERS) {
      watchers.set(p.router, await s.watch(p.router, [SERVICE]));
      probers.set(p.client, await startDnsProber(s.lab.node(p.client), { server: SERVICE_IP, name: WHOAMI, type: 'TXT', intervalMs: 20, timeoutMs: PROBE_TIMEOUT_MS, label: `dns-prober-${++proberRuns}` }));
    }
    await s.step('every client answered by site A', () => self.waitSteady('site-a', 'initial state'));
    return self;
  }

  async waitPartnersHaveBothSites(timeout = 20_000): Promise<void> {
    await Promise.all(
      PARTNERS.map((p) =>
        waitUntil(
          () => frr(this.lab.node(p.router)).prefixPaths(SERVICE),
          (paths) => {
            const hops = paths.map((x) => x.nexthops[0]?.ip).sort();
            const want = [p.viaSite['site-a'], p.viaSite['site-b']].sort();
            return hops.join(',') === want.join(',') || `paths via ${hops.join(', ') || 'none'}; want ${want.join(', ')}`;
          },
          { what: `${p.router} holds ${SERVICE} from both sites`, timeout, interval: 50 },
        ),
      ),
    );
  }

  /** A client's five latest answers. */
  private async lastSamples(client: string): Promise<DnsProbeSample[]> {
    return (await this.probers.get(client)!.samples()).slice(-5);
  }

  /** Wait until every partner's best path points at `site` and every client's last answers came from it. */
  async waitSteady(site: Site, what: string, timeout = 30_000, partners = PARTNERS): Promise<void> {
    await waitUntil(
      async () => {
        const out: string[] = [];
        for (const p of partners) {
          const best = await frr(this.lab.node(p.router)).bestPath(SERVICE);
          if (best?.nexthops[0]?.ip !== p.viaSite[site]) out.push(`${p.router} best via ${best?.nexthops[0]?.ip ?? 'none'}`);
          const last = await this.lastSamples(p.client);
          if (last.length < 5 || !last.every((s) => isGood(s) && s.answers[0] === site)) {
            out.push(`${p.client} last answers ${JSON.stringify(last.map(siteOrOutcome))}`);
          }
        }
        return out;
      },
      (problems) => (problems.length === 0 ? true : problems.join('; ')),
      { what: `${what}: all partners on ${site}`, timeout, interval: 50 },
    );
  }

  /** Wait until every client has had `count` answers from `site` after `after`. */
  async waitClientsOn(site: Site, after: number, timeout: number, partners = PARTNERS): Promise<void> {
    await waitUntil(
      async () => {
        const out: string[] = [];
        for (const p of partners) {
          const good = (await this.probers.get(p.client)!.samples()).filter((s) => s.at >= after && isGood(s) && s.answers[0] === site);
          if (good.length < 10) out.push(`${p.client}: ${good.length} answers from ${site}`);
        }
        return out;
      },
      (problems) => (problems.length === 0 ? true : problems.join('; ')),
      { what: `clients answered by ${site}`, timeout, interval: 20 },
    );
  }

  /**
   * Wait until no partner router's best path changed for `quietMs`. The sites' routers
   * run advertisement-interval 1 (the seed's MRAI): an update sent less than 1 s before a
   * fault holds back the next one, withdrawals included, so a trial started right after
   * the previous recovery would measure that leftover timer, not the failover. The
   * watchers' start counts as a change: the initial announcements came just before it.
   */
  async waitQuiet(quietMs = 1500): Promise<void> {
    await waitUntil(
      () => Math.max(this.watchersStartedAt, ...[...this.watchers.values()].flatMap((w) => w.changes.map((c) => c.at))),
      (last) => monoNow() - last >= quietMs || `last best-path change ${Math.round(monoNow() - last)} ms ago`,
      { what: `no partner best-path change for ${quietMs} ms (MRAI timers idle)`, timeout: 30_000, interval: 50 },
    );
  }

  /**
   * Inject a fault, wait until every client is answered by `to`, then gather the trial's
   * facts. The caller reverts the fault and waits for the steady state again.
   */
  async observeMove(opts: { story: string; trial: number; inject: () => Promise<number>; to: Site; timeout: number; partners?: Partner[] }): Promise<TrialFacts> {
    const partners = opts.partners ?? PARTNERS;
    await this.waitQuiet();
    const t0 = await opts.inject();
    try {
      await this.recorder.step(`${opts.story} #${opts.trial}: clients move to ${opts.to}`, () => this.waitClientsOn(opts.to, t0, opts.timeout, partners));
    } catch (err) {
      await this.explainStuck(`${opts.story} #${opts.trial}`, t0, partners);
      throw err;
    }
    return this.facts(opts.story, opts.trial, t0, partners);
  }

  /**
   * A move that did not happen: what the sites' health agents did since the fault (into the
   * record, as facts() does) and which paths each partner holds now, so the record explains it.
   */
  private async explainStuck(trial: string, t0: number, partners: Partner[]): Promise<void> {
    try {
      const actions = await this.healthEvents(t0, monoNow());
      this.s.log(`${trial}: health agents since the fault: ${actions.length ? actions.map((a) => `${a.node} +${Math.round(a.at - t0)} ms ${a.event}${a.reason ? ` (${a.reason})` : ''}`).join('; ') : 'none'}`);
      for (const p of partners) {
        const paths = await frr(this.lab.node(p.router)).prefixPaths(SERVICE);
        const last = (await this.lastSamples(p.client)).map(siteOrOutcome);
        this.s.log(`${trial}: ${p.router} holds ${SERVICE} via ${paths.map((x) => x.nexthops[0]?.ip ?? '?').join(', ') || 'nothing'}; ${p.client}'s last answers: ${last.join(' ')}`);
      }
    } catch (err) {
      this.s.log(`${trial}: could not gather what happened: ${(err as Error).message}`);
    }
  }

  /** Facts of a trial that started at t0 (waits until every query sent so far has resolved). */
  async facts(story: string, trial: number, t0: number, partners = PARTNERS): Promise<TrialFacts> {
    const end = monoNow();
    await waitUntil(() => monoNow(), (now) => now > end + PROBE_TIMEOUT_MS + 100, { what: 'in-flight queries resolve', timeout: PROBE_TIMEOUT_MS + 2000, interval: 50 });
    const clients: Record<string, ClientOutage> = {};
    const bgpMs: Record<string, number | undefined> = {};
    for (const p of partners) {
      const samples: DnsProbeSample[] = await this.probers.get(p.client)!.samples();
      const o = clientOutage(samples, t0, end, (s) => s.answers[0]);
      clients[p.client] = o;
      this.recorder.event({
        at: o.outageStart ?? t0,
        node: p.client,
        plane: 'dns',
        type: 'client-outage',
        source: 'dns-probe',
        detail: { story, trial, t0, ...o },
      });
      const moved = this.watchers.get(p.router)!.changes.find((c) => c.source === 'vty-poll' && c.at >= t0 && c.at <= end);
      bgpMs[p.router] = moved ? moved.at - t0 : undefined;
    }
    const health = await this.healthEvents(t0, end);
    return { t0, clients, bgpMs, health };
  }

  /** The DNS hosts' health agent actions (announce / graceful / withdraw, transitions) in [from, to], into the record. */
  async healthEvents(from: number, to: number): Promise<HealthAction[]> {
    const out: HealthAction[] = [];
    for (const node of ['dns-a', 'dns-b']) {
      let text = '';
      try {
        text = await readFile(join(this.lab.node(node).dir, 'health.log'), 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        if (!line.startsWith('{')) continue;
        let e: { at?: number; event?: string; to?: string; reason?: string; done?: number };
        try {
          e = JSON.parse(line);
        } catch {
          continue;
        }
        if (typeof e.at !== 'number' || e.at < from || e.at > to || !e.event) continue;
        const action: HealthAction = { node, at: e.at, event: e.event === 'transition' ? `state ${e.to}` : e.event, done: e.done, reason: e.reason };
        out.push(action);
        const key = `${node} ${e.at} ${action.event}`;
        if (this.seenHealth.has(key)) continue;
        this.seenHealth.add(key);
        this.recorder.event({ at: e.at, node, plane: 'dns', type: `health-${action.event.replace(' ', '-')}`, source: 'health-agent', detail: { ...(e.reason ? { reason: e.reason } : {}), ...(e.done ? { vtyDone: e.done } : {}) } });
      }
    }
    return out.sort((a, b) => a.at - b.at);
  }

  measure(name: string, spec: MeasurementSpec, value: number): void {
    this.s.measurement(name, spec).add(value);
  }

  /** The steady-state DNS resolution time a client sees (median of its answers in a window). */
  async resolutionMs(client: string, from: number, to: number): Promise<number> {
    const lat = (await this.probers.get(client)!.samples()).filter((s) => s.at >= from && s.at < to && isGood(s)).map((s) => s.latencyMs).sort((a, b) => a - b);
    if (lat.length === 0) throw new Error(`${client}: no answers between ${from} and ${to}`);
    return percentileOfSorted(lat, 50);
  }

}

/** Which site answered, or how the query failed. */
const siteOrOutcome = (s: DnsProbeSample): string => (isGood(s) ? s.answers[0] : s.outcome);

/** Worst (largest) of the defined values, or undefined when none is defined. */
export function worst(values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? Math.max(...defined) : undefined;
}

/**
 * One routing failure of client AS 1's preferred upstream (isp1), N trials, both
 * planes side by side (seed 001, slide 24: "if a link fails, the corresponding IP
 * won't be chosen for new requests anymore"):
 *   BGP plane — the sorter's best path for h1's network leaves isp1 (sorter prober,
 *               every 20 ms) and c1's own best path to isp1's aggregate moves (vty poll);
 *   DNS plane — h1's answers put another address first: asked directly at the DNS
 *               front, and through unbound with client subnet (TTL 1 s adds up to 1 s).
 * Each trial waits for the steady state (all of the above on isp1), injects, waits
 * until every plane moved to isp3 (h1's new best ISP), reverts and times the return.
 */
import { type ScenarioContext, type FaultHandle, type Slo, type MeasurementSeries, waitUntil, monoNow } from '@bgpdns-lab/harness';
import { SERVER_PREFIXES } from './upstream-failover.js';
import { BgpdnsObservers, CLAIMS, SERVER_ADDR, client, firstAnswerChange, firstSorterChange, type ProbeSpec } from './bgpdns-lab.js';

export const AFFECTED = client('h1');
/** Where h1's best path enters once isp1 is lost: isp3 (AS path 64503 64511 64521, the shortest left). */
export const AFTER = SERVER_ADDR.isp3;
export const BEFORE = SERVER_ADDR.isp1;
const DIRECT: ProbeSpec = { host: 'h1', via: 'front' };
const RESOLVED: ProbeSpec = { host: 'h1', via: 'resolver-ecs' };

export interface FailoverTrialsOptions {
  label: string;
  /** SLO of the BGP-plane figures (and of the DNS plane unless dnsSlo is given). */
  slo: Slo;
  /** SLO of the DNS-plane figures, when they carry the front's staleness bound on top. */
  dnsSlo?: Slo;
  /**
   * Whether the through-the-resolver figure carries the SLO. The resolver (res1) sits in
   * the affected AS: a silent failure blackholes its own queries to the front as well, and
   * unbound backs off exponentially on lost queries, so that figure also measures unbound's
   * retry schedule. Default true.
   */
  resolverSlo?: boolean;
  /** Longest a trial may take to move every plane. */
  timeoutMs: number;
  inject(s: ScenarioContext): Promise<FaultHandle>;
  /** After each revert (e.g. wait for BFD up again). */
  afterRevert?(s: ScenarioContext): Promise<void>;
}

export interface FailoverSeries {
  sorter: MeasurementSeries;
  router: MeasurementSeries;
  direct: MeasurementSeries;
  resolved: MeasurementSeries;
}

export async function failoverTrials(s: ScenarioContext, opts: FailoverTrialsOptions): Promise<FailoverSeries> {
  const o = await BgpdnsObservers.start(s, [DIRECT, RESOLVED]);
  const watcher = await s.watch(AFFECTED.router, [SERVER_PREFIXES.isp1]);
  const spec = (plane: 'bgp' | 'dns', description: string) => ({ plane, slo: plane === 'dns' ? (opts.dnsSlo ?? opts.slo) : opts.slo, claim: CLAIMS.subFifteen, description });
  const series: FailoverSeries = {
    sorter: s.measurement(`${opts.label}: sorter best path for h1 off isp1 (BGP plane)`, spec('bgp', 'fault → first sorter answer (asked every 20 ms) ranking another ISP first for 198.19.1.10')),
    router: s.measurement(`${opts.label}: c1 best path off isp1 (BGP plane, client router)`, spec('bgp', `fault → c1's best path to ${SERVER_PREFIXES.isp1} no longer direct via AS64501 (vty poll every 20 ms)`)),
    direct: s.measurement(`${opts.label}: h1 answer order changes, front direct (DNS plane)`, spec('dns', 'fault → first answer at h1 from the DNS front (a query every 20 ms) with another address first')),
    resolved: s.measurement(`${opts.label}: h1 answer order changes, via unbound+ECS (DNS plane)`, {
      ...spec('dns', 'fault → first answer at h1 through unbound with client subnet (record TTL 1 s) with another address first'),
      ...(opts.resolverSlo === false ? { slo: undefined, description: 'fault → first answer at h1 through unbound with client subnet with another address first; no SLO: the resolver sits in AS64521, its own queries to the front were blackholed too, so this includes unbound\'s exponential retry back-off' } : {}),
    }),
  };
  const recovery = s.measurement(`${opts.label}: h1 answers back on isp1 after restore (DNS plane)`, { plane: 'dns', description: 'revert → first answer at h1 from the front with the isp1 address first again' });
  for (let trial = 1; trial <= s.trials; trial++) {
    const t = `${opts.label} #${trial}`;
    await s.step(`${t}: steady — sorter, c1 and h1 on isp1`, async () => {
      await o.waitSorterFirst(AFFECTED, BEFORE, t, { timeout: 60_000 });
      await waitUntil(() => s.frr(AFFECTED.router).bestPath(SERVER_PREFIXES.isp1), (p) => p?.peer.peerId === '198.18.1.18' || `c1 best path via ${p?.peer.peerId ?? 'none'}`, { what: `${t}: c1 direct to isp1`, timeout: 60_000, interval: 50 });
      await o.waitFirst(DIRECT, BEFORE, t, { timeout: 30_000 });
      await o.waitFirst(RESOLVED, BEFORE, t, { timeout: 30_000 });
      // MRAI (advertisement-interval 1) still running from the last change would delay the next update.
      await waitUntil(() => monoNow() - Math.max(0, ...watcher.changes.map((c) => c.at)), (quiet) => quiet >= 1500 || `last change ${Math.round(quiet)} ms ago`, { what: `${t}: routing quiet`, timeout: 30_000, interval: 50 });
    });
    const fault = await s.step(`${t}: inject`, () => opts.inject(s));
    const t0 = fault.injected.at;
    try {
      await s.step(`${t}: sorter and h1 move to isp3`, async () => {
        await o.waitSorterFirst(AFFECTED, AFTER, t, { after: t0, timeout: opts.timeoutMs });
        await o.waitFirst(DIRECT, AFTER, t, { after: t0, timeout: opts.timeoutMs });
        await o.waitFirst(RESOLVED, AFTER, t, { after: t0, timeout: opts.timeoutMs });
      });
      await o.settle();
      const sorterMoved = firstSorterChange(await o.sorterSamples(AFFECTED), t0, BEFORE);
      const direct = firstAnswerChange(await o.samples(DIRECT), t0, BEFORE);
      const resolved = firstAnswerChange(await o.samples(RESOLVED), t0, BEFORE);
      const routerMoved = watcher.changes.find((c) => c.source === 'vty-poll' && c.at >= t0 && c.prefix === SERVER_PREFIXES.isp1 && (c.type === 'prefix-removed' || c.to?.asPath?.[0] !== 64501));
      s.check(`${t}: every plane saw the change`, !!(sorterMoved && direct && resolved && routerMoved), JSON.stringify({ sorterMoved, direct: direct?.answers, resolved: resolved?.answers, routerMoved: routerMoved?.to }));
      series.sorter.add(sorterMoved!.at - t0);
      series.router.add(routerMoved!.at - t0);
      series.direct.add(direct!.at - t0);
      series.resolved.add(resolved!.at - t0);
      s.recorder.event({ at: sorterMoved!.at, node: 'sorter', plane: 'bgp', type: 'bestpath-changed', source: 'sorter-query', detail: { client: AFFECTED.address, neighborAs: sorterMoved!.neighborAs, generation: sorterMoved!.generation } });
      s.log(`${t}: sorter ${Math.round(sorterMoved!.at - t0)} ms, c1 ${Math.round(routerMoved!.at - t0)} ms, h1 direct ${Math.round(direct!.at - t0)} ms, h1 via resolver ${Math.round(resolved!.at - t0)} ms`);
    } finally {
      await s.step(`${t}: restore`, () => fault.revert());
    }
    const back = monoNow();
    if (opts.afterRevert) await opts.afterRevert(s);
    await s.step(`${t}: h1 back on isp1`, () => o.waitFirst(DIRECT, BEFORE, t, { after: back, timeout: 60_000 }));
    const returned = firstAnswerChange(await o.samples(DIRECT), back, AFTER);
    if (returned) recovery.add(returned.at - back);
  }
  for (const m of [series.sorter, series.router, series.direct, series.resolved]) s.expectSlo(m);
  return series;
}

/**
 * Replay a fault timeline on a deployed lab: inject and revert every entry at its
 * offset (one monotonic clock), watch the given routers' best path and the given
 * clients' DNS answers all along, and line the two up: for every occurrence of
 * every entry, what each partner router and each client saw while it lasted.
 */
import type { DeployedLab } from '../lab/handle.js';
import type { RunRecorder } from '../run/recorder.js';
import { Faults } from '../faults/faults.js';
import { endpointProblem, type FaultHandle } from '../faults/fault.js';
import { findFault } from '../faults/registry.js';
import { frr } from '../frr/frr-control.js';
import { watchRoutes, type RouteWatcher } from '../probes/route-watcher.js';
import { startDnsProber, type RunningDnsProber } from '../probes/dns-prober-run.js';
import { clientOutage, instanceChanges, isGood, type DnsProbeSample } from '../probes/dns-samples.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';
import { monoNow } from '../clock.js';
import { occurrences, timelineLengthMs, type Occurrence, type Timeline } from './timeline-file.js';

/** What one occurrence of an entry looked like from every watched router and client. */
export interface OccurrenceView {
  entry: number;
  repetition: number;
  fault: string;
  target: string;
  /** Monotonic times of the inject and of the end of its window (the next fault's start, or the end of the replay). */
  injectedAt: number;
  windowEnd: number;
  routers: Record<string, { bestPathChanges: number; firstChangeMs?: number; bestAtEnd?: string }>;
  clients: Record<string, { sent: number; lost: number; outageMs: number; sites: string[] }>;
}

export interface ReplayResult {
  t0: number;
  views: OccurrenceView[];
  errors: string[];
}

function sleepUntil(t: number): Promise<void> {
  const ms = t - monoNow();
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

/** Put one occurrence's fault in place through the registry; its events say which entry and repetition. */
function inject(faults: Faults, o: Occurrence): Promise<FaultHandle> {
  const e = o.entry;
  return faults.apply(e.fault, e.target, e.args, { entry: e.index, repetition: o.repetition });
}

/**
 * Check that every node and link the timeline names exists in the lab, before anything
 * is injected; errors name the timeline file and entry.
 */
export function checkAgainstLab(t: Timeline, lab: DeployedLab): void {
  const problems: string[] = [];
  const nodes = new Set(lab.nodes().map((n) => n.name));
  for (const e of t.entries) {
    const where = `${t.file}${e.line ? `:${e.line}` : ''}: entries[${e.index}]`;
    const [node, iface] = e.target.split(':');
    const problem = endpointProblem(lab.model, node, iface);
    if (problem) problems.push(`${where}.${iface ? 'link' : 'node'}: ${problem}`);
    const def = findFault(e.fault)!;
    const inLab = problem ? undefined : def.check?.(lab, e.target, def.parse(e.args));
    if (inLab) problems.push(`${where}.args: ${inLab}`);
  }
  for (const r of t.watch.routers) if (!nodes.has(r)) problems.push(`${t.file}: watch.routers: lab ${lab.model.name} has no node "${r}"`);
  for (const c of t.watch.clients) if (!nodes.has(c.node)) problems.push(`${t.file}: watch.clients: lab ${lab.model.name} has no node "${c.node}"`);
  if (problems.length) throw new Error(problems.join('\n'));
}

export async function replayTimeline(lab: DeployedLab, t: Timeline, recorder: RunRecorder, log: (line: string) => void = () => undefined): Promise<ReplayResult> {
  checkAgainstLab(t, lab);
  const faults = new Faults(lab, recorder);
  const watchers = new Map<string, RouteWatcher>();
  const probers = new Map<string, RunningDnsProber>();
  const errors: string[] = [];
  const views: OccurrenceView[] = [];
  try {
    for (const r of t.watch.routers) watchers.set(r, await watchRoutes(lab.node(r), [t.watch.prefix!], { sink: recorder }));
    for (const c of t.watch.clients) {
      probers.set(
        c.node,
        await startDnsProber(lab.node(c.node), { server: c.server, name: c.name, type: c.type, intervalMs: t.watch.intervalMs, label: `replay-${c.node}` }),
      );
    }
    await waitConverged(lab, t, probers);
    const t0 = monoNow() + 200;
    const plan = occurrences(t);
    const active: Promise<void>[] = [];
    const endAt = t0 + timelineLengthMs(t);
    log(`replaying ${t.name}: ${plan.length} fault(s) over ${(timelineLengthMs(t) / 1000).toFixed(1)} s, then ${(t.settleMs / 1000).toFixed(1)} s settle`);
    for (const o of plan) {
      await sleepUntil(t0 + o.startMs);
      const e = o.entry;
      let h: FaultHandle;
      try {
        h = await recorder.step(`entries[${e.index}] #${o.repetition}: ${e.fault} ${e.target}`, () => inject(faults, o));
      } catch (err) {
        errors.push(`${t.file}: entries[${e.index}] #${o.repetition}: ${(err as Error).message}`);
        continue;
      }
      log(`+${((monoNow() - t0) / 1000).toFixed(1)} s entries[${e.index}] #${o.repetition} ${e.fault} ${e.target}${o.endMs !== undefined ? ` for ${((o.endMs - o.startMs) / 1000).toFixed(1)} s` : ''}`);
      if (!h.reverted) {
        const revert = () => h.revert();
        const revertAt = o.endMs !== undefined ? t0 + o.endMs : endAt;
        active.push(
          (async () => {
            await sleepUntil(revertAt);
            try {
              await revert();
              log(`+${((monoNow() - t0) / 1000).toFixed(1)} s entries[${e.index}] #${o.repetition} reverted`);
            } catch (err) {
              errors.push(`${t.file}: entries[${e.index}] #${o.repetition}: revert failed: ${(err as Error).message}`);
            }
          })(),
        );
      }
    }
    await Promise.all(active);
    await sleepUntil(endAt + t.settleMs);
    const finished = monoNow();
    // Let queries in flight resolve before reading the probes.
    await sleepUntil(finished + 600);
    const samples = new Map<string, DnsProbeSample[]>();
    for (const [node, p] of probers) samples.set(node, await p.samples());
    for (const [node, s] of samples) {
      for (const c of instanceChanges(s)) {
        recorder.event({ at: c.at, node, plane: 'dns', type: 'answer-changed', source: 'dns-probe', detail: { from: c.from ?? null, to: c.to ?? null } });
      }
    }
    // Each occurrence's window runs until the next fault starts (or the replay ends), so
    // the recovery after a revert is seen in the window of the fault that caused it.
    for (let i = 0; i < plan.length; i++) {
      const o = plan[i];
      const nextStart = plan.find((n) => n.startMs > o.startMs)?.startMs;
      const windowEnd = nextStart !== undefined ? t0 + nextStart : finished;
      views.push(viewOf(o, t0 + o.startMs, Math.min(windowEnd, finished), watchers, samples));
    }
    return { t0, views, errors };
  } finally {
    for (const w of watchers.values()) await w.stop().catch(() => undefined);
    for (const p of probers.values()) await p.stop().catch(() => undefined);
    await faults.revertAll().catch(() => undefined);
  }
}

/**
 * How long every watched router's paths for the prefix must stay the same before the
 * first fault. Having *a* best path is not enough: a router that learned the prefix
 * from one site first and hears the other a moment later would move its best path
 * inside the first fault's window and be counted as affected by it.
 */
export const CONVERGED_QUIET_MS = 3000;

/**
 * Before the first fault: every watched router has a best path for the prefix and its
 * set of paths (next hop, which one is best) has not changed for CONVERGED_QUIET_MS,
 * and every client has been answered.
 */
async function waitConverged(lab: DeployedLab, t: Timeline, probers: Map<string, RunningDnsProber>): Promise<void> {
  const seen = new Map<string, { signature: string; since: number }>();
  await waitUntil(
    async () => {
      const missing: string[] = [];
      const now = monoNow();
      for (const r of t.watch.routers) {
        const paths = await frr(lab.node(r)).prefixPaths(t.watch.prefix!);
        if (!paths.some((p) => p.bestpath?.overall)) {
          missing.push(`${r} has no route for ${t.watch.prefix}`);
          seen.delete(r);
          continue;
        }
        const signature = paths.map((p) => `${p.nexthops[0]?.ip ?? '?'}${p.metric !== undefined ? ` med ${p.metric}` : ''}${p.bestpath?.overall ? '*' : ''}`).sort().join(',');
        const prev = seen.get(r);
        if (prev?.signature !== signature) seen.set(r, { signature, since: now });
        const quietFor = now - (seen.get(r)?.since ?? now);
        if (quietFor < CONVERGED_QUIET_MS) missing.push(`${r} paths ${signature} unchanged for ${Math.round(quietFor)} ms of ${CONVERGED_QUIET_MS}`);
      }
      for (const [node, p] of probers) if (!(await p.samples()).slice(-3).some(isGood)) missing.push(`${node} not answered yet`);
      return missing;
    },
    (missing) => missing.length === 0 || missing.join('; '),
    { what: 'the lab is converged before the timeline starts', timeout: 60_000, interval: 100 },
  );
}

function viewOf(o: Occurrence, from: number, to: number, watchers: Map<string, RouteWatcher>, samples: Map<string, DnsProbeSample[]>): OccurrenceView {
  const routers: OccurrenceView['routers'] = {};
  for (const [name, w] of watchers) {
    const changes = w.changes.filter((c) => c.source === 'vty-poll' && c.at >= from && c.at < to);
    const last = [...w.changes].filter((c) => c.source === 'vty-poll' && c.at < to).at(-1);
    routers[name] = {
      bestPathChanges: changes.length,
      ...(changes.length ? { firstChangeMs: Math.round(changes[0].at - from) } : {}),
      bestAtEnd: last ? (last.to ? `via ${last.to.nexthop}` : 'absent') : 'unchanged',
    };
  }
  const clients: OccurrenceView['clients'] = {};
  for (const [node, s] of samples) {
    const out = clientOutage(s, from, to);
    const sites = [...new Set(s.filter((x) => x.at >= from && x.at < to && x.outcome === 'answer').map((x) => x.answers.join(',')))];
    clients[node] = { sent: out.sent, lost: out.lost, outageMs: Math.round(out.outageMs), sites };
  }
  return { entry: o.entry.index, repetition: o.repetition, fault: o.entry.fault, target: o.entry.target, injectedAt: from, windowEnd: to, routers, clients };
}

/** The timeline lined up with what was observed, as text lines for a terminal. */
export function describeViews(views: OccurrenceView[], t0: number): string[] {
  const lines: string[] = [];
  for (const v of views) {
    lines.push(`+${((v.injectedAt - t0) / 1000).toFixed(1)} s entries[${v.entry}] #${v.repetition} ${v.fault} ${v.target}`);
    for (const [r, x] of Object.entries(v.routers)) {
      lines.push(`    router ${r}: ${x.bestPathChanges} best-path change(s)${x.firstChangeMs !== undefined ? `, first after ${x.firstChangeMs} ms` : ''}, at end ${x.bestAtEnd}`);
    }
    for (const [c, x] of Object.entries(v.clients)) {
      lines.push(`    client ${c}: ${x.lost}/${x.sent} queries unanswered, longest outage ${x.outageMs} ms, answered by ${x.sites.join(' then ') || 'nobody'}`);
    }
  }
  return lines;
}

/** Put the lined-up views into the run record: one event per occurrence, one measurement per entry and observer. */
export function recordViews(recorder: RunRecorder, views: OccurrenceView[]): void {
  for (const v of views) {
    recorder.event({ at: v.injectedAt, node: v.target.split(':')[0], plane: 'harness', type: 'timeline-window', source: 'timeline', detail: { ...v } });
    const label = `timeline entries[${v.entry}] ${v.fault} ${v.target}`;
    for (const [client, x] of Object.entries(v.clients)) {
      recorder.measurement(`${label}: longest outage at ${client}`, { plane: 'dns', description: 'one trial per repetition of the entry' }).add(x.outageMs);
      recorder.measurement(`${label}: unanswered queries at ${client}`, { plane: 'dns', unit: 'count' }).add(x.lost);
    }
    for (const [router, x] of Object.entries(v.routers)) {
      recorder.measurement(`${label}: best-path changes at ${router}`, { plane: 'bgp', unit: 'count' }).add(x.bestPathChanges);
    }
  }
}

/**
 * Which part of the run belongs to which scenario. A scenario's window runs from its
 * first step's start to its last step's end; faults, events and DNS samples that do
 * not name their scenario are placed by time into the window that holds them.
 */
import type { DnsOrderSample, FaultEvent, ObservedEvent, RunRecord, Step } from '../run/record.js';

export interface ScenarioWindow {
  scenario: string;
  start: number;
  end: number;
}

/**
 * One window per scenario: those the run lists and any other name its steps (or its
 * labelled faults, events and DNS samples) carry — a scenario may record parts of
 * itself as sub-scenarios — in start order. Steps set the window; a scenario with no
 * steps spans its labelled items.
 */
export function scenarioWindows(record: RunRecord): ScenarioWindow[] {
  const labelled: Timed[] = [...record.faults, ...record.events, ...(record.dnsOrder ?? [])];
  const names = [...new Set([...record.scenarios, ...record.steps.map((s) => s.scenario), ...labelled.flatMap((x) => (x.scenario ? [x.scenario] : []))])];
  const windows: ScenarioWindow[] = [];
  for (const scenario of names) {
    const steps = record.steps.filter((s) => s.scenario === scenario);
    const times =
      steps.length > 0 ? steps.flatMap((s) => [s.start, s.end ?? s.start]) : labelled.filter((x) => x.scenario === scenario).map((x) => x.at);
    if (times.length === 0) continue;
    windows.push({ scenario, start: Math.min(...times), end: Math.max(...times) });
  }
  return windows.sort((a, b) => a.start - b.start);
}

type Timed = { at: number; scenario?: string };

function inWindow<T extends Timed>(items: readonly T[], window: ScenarioWindow): T[] {
  return items.filter((item) =>
    item.scenario !== undefined ? item.scenario === window.scenario : item.at >= window.start && item.at <= window.end,
  );
}

export interface ScenarioSlice {
  window: ScenarioWindow;
  /** The scenario's steps in record order (the report numbers them from 1). */
  steps: Step[];
  faults: FaultEvent[];
  events: ObservedEvent[];
  dnsOrder: DnsOrderSample[];
}

/** The faults, events and DNS samples of one scenario; the window widens to hold all of them. */
export function scenarioSlice(record: RunRecord, window: ScenarioWindow): ScenarioSlice {
  const faults = inWindow(record.faults, window);
  const events = inWindow(record.events, window);
  const dnsOrder = inWindow(record.dnsOrder ?? [], window);
  const times = [...faults, ...events, ...dnsOrder].map((x) => x.at);
  const start = Math.min(window.start, ...times);
  const end = Math.max(window.end, ...times);
  const steps = record.steps.filter((s) => s.scenario === window.scenario);
  return { window: { scenario: window.scenario, start, end }, steps, faults, events, dnsOrder };
}

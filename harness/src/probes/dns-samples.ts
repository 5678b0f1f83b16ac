/**
 * What a DNS prober saw, and what one fault did to it: parse the prober's JSON
 * lines and, for a fault at t0, find the client-observed outage (the window in
 * which queries got no good answer), which instance (site) answered before and
 * after, and when the first answer from the new instance came. Pure functions.
 */
import type { ProbeResult } from './dns-query.js';
import { parseProberLines } from './prober-lines.js';
import { percentileOfSorted } from '@bgpdns-lab/bgpdns';

/** One probe query: its send time and sequence number, and what came back. */
export interface DnsProbeSample extends ProbeResult {
  /** Send time, monotonic ms (harness/src/clock.ts). */
  at: number;
  seq: number;
}

/** Parse prober output; a malformed line is an error naming the file and line. */
export function parseSamples(text: string, file: string): DnsProbeSample[] {
  return parseProberLines<DnsProbeSample>(text, file, 'prober sample', (s) =>
    typeof s.at !== 'number' || typeof s.outcome !== 'string' || !Array.isArray(s.answers) ? 'at, outcome, answers' : undefined,
  );
}

/** A query got a usable answer: NOERROR with at least one record of the asked type. */
export function isGood(s: DnsProbeSample): boolean {
  return s.outcome === 'answer' && s.rcode === 'NOERROR' && s.answers.length > 0;
}

/** Which instance answered, from the answer records (default: the records joined). */
export type InstanceOf = (s: DnsProbeSample) => string;
export const answerInstance: InstanceOf = (s) => s.answers.join(',');

export interface ClientOutage {
  /** Instance answering just before t0 (undefined when nothing answered before). */
  before?: string;
  /** Instance answering at the end of the window. */
  after?: string;
  /** Longest run without a good answer after t0, send time of its first query to the next good answer's (ms); 0 when none. */
  outageMs: number;
  /** Send time of the first unanswered query of that run (monotonic ms). */
  outageStart?: number;
  /** Send time of the first good answer after that run; undefined when the outage never ended in the window. */
  outageEnd?: number;
  /** t0 → send time of the first answer from a different instance than `before` (ms), when that happened. */
  switchMs?: number;
  /** Queries sent in [t0, end) and how many of them got no good answer. */
  sent: number;
  lost: number;
  /** Median latency of good answers in the window (ms). */
  medianLatencyMs?: number;
}

/** Analyse samples for a fault injected at t0; only samples sent in [t0 - lookback, end) are considered. */
export function clientOutage(samples: DnsProbeSample[], t0: number, end: number, instanceOf: InstanceOf = answerInstance): ClientOutage {
  const beforeSample = [...samples].reverse().find((s) => s.at < t0 && isGood(s));
  const before = beforeSample ? instanceOf(beforeSample) : undefined;
  const window = samples.filter((s) => s.at >= t0 && s.at < end);
  let outageMs = 0;
  let outageStart: number | undefined;
  let outageEnd: number | undefined;
  let runStart: number | undefined;
  for (const s of window) {
    if (!isGood(s)) {
      runStart ??= s.at;
      continue;
    }
    if (runStart !== undefined) {
      if (s.at - runStart > outageMs) {
        outageMs = s.at - runStart;
        outageStart = runStart;
        outageEnd = s.at;
      }
      runStart = undefined;
    }
  }
  if (runStart !== undefined && end - runStart > outageMs) {
    outageMs = end - runStart;
    outageStart = runStart;
    outageEnd = undefined;
  }
  const good = window.filter(isGood);
  const lastGood = good.at(-1);
  const switched = before === undefined ? undefined : good.find((s) => instanceOf(s) !== before);
  const latencies = good.map((s) => s.latencyMs).sort((a, b) => a - b);
  return {
    before,
    after: lastGood ? instanceOf(lastGood) : undefined,
    outageMs,
    outageStart,
    outageEnd,
    switchMs: switched ? switched.at - t0 : undefined,
    sent: window.length,
    lost: window.length - good.length,
    medianLatencyMs: latencies.length ? percentileOfSorted(latencies, 50) : undefined,
  };
}

/** Times at which the answering instance changed (or answers stopped/resumed): the client's view as events. */
export function instanceChanges(samples: DnsProbeSample[], instanceOf: InstanceOf = answerInstance): { at: number; from?: string; to?: string }[] {
  const out: { at: number; from?: string; to?: string }[] = [];
  let current: string | undefined | null = null; // null: nothing seen yet
  for (const s of samples) {
    const inst = isGood(s) ? instanceOf(s) : undefined;
    if (inst !== current) {
      if (current !== null) out.push({ at: s.at, from: current, to: inst });
      current = inst;
    }
  }
  return out;
}

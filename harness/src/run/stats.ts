/**
 * Summary statistics of a measurement's trials and its SLO verdict. Percentiles
 * use the nearest-rank method: every reported figure is a value actually measured
 * (with 3 trials, p50 is the middle one and p95 the largest).
 */
import type { Slo } from './record.js';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

export interface Summary {
  p50: number;
  p95: number;
  max: number;
}

export function summarize(values: number[]): Summary {
  return { p50: percentile(values, 50), p95: percentile(values, 95), max: Math.max(...values) };
}

/** Whether one value satisfies the SLO. */
export function meetsSlo(value: number, slo: Slo): boolean {
  switch (slo.op) {
    case '<':
      return value < slo.value;
    case '<=':
      return value <= slo.value;
    case '>':
      return value > slo.value;
    case '>=':
      return value >= slo.value;
  }
}

/** An SLO holds for a measurement only when every trial meets it (the worst trial decides). */
export function sloMet(trials: number[], slo?: Slo): boolean {
  if (trials.length === 0) return false;
  return slo ? trials.every((v) => meetsSlo(v, slo)) : true;
}

export function formatSlo(slo: Slo, unit = 'ms'): string {
  return `${slo.op} ${slo.value} ${unit}`;
}

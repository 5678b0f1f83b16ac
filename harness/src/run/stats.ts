/**
 * A measurement's SLO verdict. Its p50/p95/max summary is the project's one stats
 * module, images/bgpdns/src/support/stats.ts (nearest-rank percentiles).
 */
import type { Slo } from './record.js';

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

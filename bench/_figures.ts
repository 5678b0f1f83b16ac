/** Rounding and missing figures for what benchmarks print (files starting with "_" are helpers, not benchmarks). */
import { percentileOfSorted } from '@bgpdns-lab/harness';

export const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile of sorted samples, NaN (null in the JSON line) when there are none: a figure not measured. */
export function percentileOrNaN(sorted: ArrayLike<number>, p: number): number {
  return sorted.length ? percentileOfSorted(sorted, p) : NaN;
}

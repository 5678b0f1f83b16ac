/**
 * Percentiles, medians and the p50/p95/max summary — one definition for run records,
 * scenarios, probes and benchmarks. Percentiles use the nearest-rank method: the
 * p-th percentile of n values is the ceil(p/100 · n)-th smallest, so every reported
 * figure is a value actually measured (with 3 trials p50 is the middle one and p95
 * the largest; with an even count the median is the lower of the two middle values).
 */

/** Nearest-rank percentile of values already sorted ascending (no copy: for large sample arrays). */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no values');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100], got ${p}`);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

/** Nearest-rank percentile of values in any order. */
export function percentile(values: readonly number[], p: number): number {
  return percentileOfSorted([...values].sort((a, b) => a - b), p);
}

/** The nearest-rank p50. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export interface Summary {
  p50: number;
  p95: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentileOfSorted(sorted, 50), p95: percentileOfSorted(sorted, 95), max: percentileOfSorted(sorted, 100) };
}

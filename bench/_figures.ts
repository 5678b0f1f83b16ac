/** Rounding for the figures benchmarks print (files starting with "_" are helpers, not benchmarks). */
export const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

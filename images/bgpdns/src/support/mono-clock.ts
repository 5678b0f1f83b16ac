/**
 * Monotonic milliseconds from process.hrtime (CLOCK_MONOTONIC), which every process
 * on this host and every network namespace share: times taken here, in the harness
 * and in probe child processes are comparable without any exchange.
 */
export function monoNow(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

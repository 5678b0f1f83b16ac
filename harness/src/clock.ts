/**
 * One clock for every plane. process.hrtime is CLOCK_MONOTONIC, which every
 * process on this machine (and in every network namespace) shares, so probe
 * child processes and the harness agree on timestamps without any exchange.
 * Wall-clock times (FRR log lines) are mapped onto it with an anchor taken once.
 */
import { monoNow } from '@bgpdns-lab/bgpdns';

export type Millis = number;

/** Monotonic milliseconds (fractional), comparable across processes on this host; one definition, shared with the daemons' wait helper. */
export { monoNow };

/** Offset to add to a monotonic time to get Unix epoch milliseconds. */
const wallAnchor = Date.now() - monoNow();

export function monoToWall(t: Millis): number {
  return t + wallAnchor;
}

export function wallToMono(epochMs: number): Millis {
  return epochMs - wallAnchor;
}

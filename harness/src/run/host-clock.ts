/**
 * A host's clock against the harness's, by request/response (docs/scaling.md):
 * the harness notes its wall time t0, asks the host for its wall time t1, notes
 * t3 when the answer is back. The host read its clock somewhere inside
 * [t0, t3] on the harness's clock, so offset = t1 − (t0 + t3)/2 is off by at most
 * (t3 − t0)/2 whatever the asymmetry of the two directions. Of several exchanges
 * the one with the shortest round trip gives the tightest bound.
 */
import type { Slo } from './record.js';

export interface ClockExchange {
  /** Harness wall time (ms since the epoch) when the request left. */
  sentAt: number;
  /** The host's wall time in its answer. */
  hostAt: number;
  /** Harness wall time when the answer was back. */
  receivedAt: number;
}

export interface ClockEstimate {
  /** Host clock minus harness clock, ms: harness time = host time − offsetMs. */
  offsetMs: number;
  /** |true offset − offsetMs| ≤ errorMs (half the best round trip). */
  errorMs: number;
  /** Round trip of the exchange used, ms. */
  rttMs: number;
  exchanges: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function estimateOffset(exchanges: ClockExchange[]): ClockEstimate {
  if (exchanges.length === 0) throw new Error('estimating a clock offset needs at least one exchange');
  for (const e of exchanges) {
    if (!(e.receivedAt >= e.sentAt)) throw new Error(`clock exchange answered before it was sent (sent ${e.sentAt}, back ${e.receivedAt})`);
  }
  const best = exchanges.reduce((a, b) => (b.receivedAt - b.sentAt < a.receivedAt - a.sentAt ? b : a));
  const rtt = best.receivedAt - best.sentAt;
  return { offsetMs: round3(best.hostAt - (best.sentAt + best.receivedAt) / 2), errorMs: round3(rtt / 2), rttMs: round3(rtt), exchanges: exchanges.length };
}

/** A measurement's clock error is worth a flag when it exceeds 10 % of its SLO. */
export const CLOCK_FLAG_FRACTION = 0.1;

export function clockFlag(errorMs: number, slo: Slo | undefined): boolean {
  return slo !== undefined && errorMs > CLOCK_FLAG_FRACTION * Math.abs(slo.value);
}

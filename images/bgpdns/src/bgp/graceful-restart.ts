/**
 * The Receiving Speaker ("helper") side of BGP Graceful Restart, RFC 4724 §4.2,
 * for one peer. The session tells it when the peer's session was lost without a
 * NOTIFICATION, when a new session is established and when End-of-RIB arrives;
 * it says, through `onStaleEnd`, when a family's stale routes must go:
 *   - the Restart Time the peer advertised ran out before a new session came up;
 *   - the new OPEN no longer lists the family, or lists it without the F bit
 *     (forwarding state not preserved);
 *   - End-of-RIB for the family arrived on the new session;
 *   - no End-of-RIB within the stale-path time after re-establishment (a bound
 *     the RFC leaves to the implementation: FRR's `stalepath-time` default, 360 s).
 */
import type { Clock } from './clock.js';
import { Afi, Safi } from './types.js';
import type { PeerRestartCapability } from './open.js';

/** FRR's default `bgp graceful-restart stalepath-time`. */
export const DEFAULT_STALE_PATH_TIME_S = 360;

export type StaleEndReason = 'restart-time-expired' | 'not-preserved' | 'end-of-rib' | 'stale-path-time-expired';

export class GracefulRestartHelper {
  /** Families whose routes are being kept stale. */
  readonly stale = new Set<Afi>();
  private restartTimer?: unknown;
  private staleTimer?: unknown;
  /** Clock ms when the current restart began (for status). */
  since = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onStaleEnd: (afi: Afi, reason: StaleEndReason) => void,
    private readonly stalePathTimeS = DEFAULT_STALE_PATH_TIME_S,
  ) {}

  /**
   * The established session was lost without a NOTIFICATION. Returns the families
   * to keep (those the peer's capability listed and the session carried), empty
   * when the peer did not advertise Graceful Restart for any of them.
   */
  sessionLost(cap: PeerRestartCapability | undefined, carried: readonly Afi[]): Afi[] {
    const keep = (cap?.families ?? []).filter((f) => f.safi === Safi.Unicast && carried.includes(f.afi)).map((f) => f.afi);
    // Families not kept this time end now (a restart within a restart may carry fewer).
    for (const afi of [...this.stale]) if (!keep.includes(afi)) this.end(afi, 'not-preserved');
    if (keep.length === 0) return keep;
    for (const afi of keep) this.stale.add(afi);
    this.since = this.clock.now();
    this.clear('staleTimer');
    this.clear('restartTimer');
    this.restartTimer = this.clock.setTimer(cap!.time * 1000, () => {
      this.restartTimer = undefined;
      for (const afi of [...this.stale]) this.end(afi, 'restart-time-expired');
    });
    return keep;
  }

  /** A new session is up: families not preserved end at once; the rest wait for End-of-RIB. */
  established(cap: PeerRestartCapability | undefined): void {
    if (this.stale.size === 0) return;
    this.clear('restartTimer');
    for (const afi of [...this.stale]) {
      const f = cap?.families.find((x) => x.afi === afi && x.safi === Safi.Unicast);
      if (!f || !f.forwardingPreserved) this.end(afi, 'not-preserved');
    }
    if (this.stale.size === 0) return;
    this.staleTimer = this.clock.setTimer(this.stalePathTimeS * 1000, () => {
      this.staleTimer = undefined;
      for (const afi of [...this.stale]) this.end(afi, 'stale-path-time-expired');
    });
  }

  endOfRib(afi: Afi): void {
    if (this.stale.has(afi)) this.end(afi, 'end-of-rib');
  }

  /** The session ended in a way that is no restart (NOTIFICATION, stop): nothing is kept by us any more. */
  abandon(): void {
    this.clear('restartTimer');
    this.clear('staleTimer');
    this.stale.clear();
  }

  private end(afi: Afi, reason: StaleEndReason): void {
    this.stale.delete(afi);
    if (this.stale.size === 0) {
      this.clear('restartTimer');
      this.clear('staleTimer');
    }
    this.onStaleEnd(afi, reason);
  }

  private clear(name: 'restartTimer' | 'staleTimer'): void {
    if (this[name] !== undefined) this.clock.clearTimer(this[name]);
    this[name] = undefined;
  }
}

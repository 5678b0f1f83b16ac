/**
 * How long a peer stays Idle after its session went down, growing while errors
 * repeat (RFC 4271 §8.1.1 IdleHoldTimer with DampPeerOscillations). A peer that
 * re-sends an oversized or broken table is then re-learned ever more rarely
 * instead of every second.
 *
 * The defaults follow the two references:
 * - FRR (bgpd/bgp_packet.c, bgp_fsm.c): the start timer begins at 1 s
 *   (BGP_INIT_START_TIMER) and doubles on every NOTIFICATION sent or error stop,
 *   capped at 120 s ("if (peer->v_start >= (60 * 2)) peer->v_start = (60 * 2)").
 * - BIRD (proto/bgp, `error wait time 60, 300` and `error forget time 300`): the
 *   delay doubles between a minimum and a maximum, and an error more than
 *   300 s after the previous one starts the sequence again.
 * Here: 1 s base as FRR (a clean restart is not delayed), doubled per error to
 * FRR's 120 s cap, forgotten after BIRD's 300 s without an error.
 */
import { CeaseSubcode, ErrorCode } from './notification-codes.js';
import type { NotificationMessage } from './notification.js';

export interface IdleHoldConfig {
  /** Seconds after a down that was no error (and the base of the doubling). Default 1. */
  idleHoldTime?: number;
  /** Cap of the doubled hold, seconds. Default 120 (FRR). */
  idleHoldMaxTime?: number;
  /** An error this many seconds after the previous one starts again from the base. Default 300 (BIRD). */
  errorForgetTime?: number;
}

export const DEFAULT_IDLE_HOLD_S = 1;
export const DEFAULT_IDLE_HOLD_MAX_S = 120;
export const DEFAULT_ERROR_FORGET_S = 300;

/** Cease subcodes that end a session on purpose rather than because something was wrong. */
const ORDERLY_CEASE = new Set<number>([
  CeaseSubcode.AdministrativeShutdown, CeaseSubcode.AdministrativeReset,
  CeaseSubcode.ConnectionRejected, CeaseSubcode.ConnectionCollisionResolution,
]);

/** True when a session that ended with this NOTIFICATION (sent or received) ended in error. */
export function endedInError(n: NotificationMessage | undefined): boolean {
  if (!n) return false;
  return !(n.code === ErrorCode.Cease && ORDERLY_CEASE.has(n.subcode));
}

export interface IdleHoldState {
  /** The hold applied after the last down, seconds. */
  seconds: number;
  /** Errors in the current sequence (0 after a clean down or once forgotten). */
  consecutiveErrors: number;
  /** Clock ms until which a new session is refused; 0 when none. */
  until: number;
  /** Connections refused because the hold was running. */
  refused: number;
}

export class IdleHold {
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly forgetMs: number;
  private errors = 0;
  private lastErrorAt = -Infinity;
  readonly state: IdleHoldState = { seconds: 0, consecutiveErrors: 0, until: 0, refused: 0 };

  constructor(config: IdleHoldConfig) {
    this.baseMs = (config.idleHoldTime ?? DEFAULT_IDLE_HOLD_S) * 1000;
    this.maxMs = Math.max(this.baseMs, (config.idleHoldMaxTime ?? DEFAULT_IDLE_HOLD_MAX_S) * 1000);
    this.forgetMs = (config.errorForgetTime ?? DEFAULT_ERROR_FORGET_S) * 1000;
  }

  /** The session went down at `now` (clock ms); returns the hold in ms. Errors double it, a clean down keeps the sequence. */
  onDown(error: boolean, now: number): number {
    if (error) {
      if (now - this.lastErrorAt >= this.forgetMs) this.errors = 0;
      this.errors++;
      this.lastErrorAt = now;
    } else if (now - this.lastErrorAt >= this.forgetMs) {
      this.errors = 0;
    }
    const ms = this.errors === 0 ? this.baseMs : Math.min(this.maxMs, this.baseMs * 2 ** this.errors);
    this.state.seconds = ms / 1000;
    this.state.consecutiveErrors = this.errors;
    this.state.until = this.errors > 0 ? now + ms : 0;
    return ms;
  }

  /** While true, a new connection from the peer is refused (the hold after an error is still running). */
  holding(now: number): boolean {
    return this.state.until > now;
  }
}

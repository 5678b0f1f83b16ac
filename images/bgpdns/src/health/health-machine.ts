/**
 * The health agent's decision logic, free of sockets and timers: probe results
 * and the maintenance flag go in, "announce" / "withdraw" decisions come out.
 * rise consecutive successes bring the service up, fall consecutive failures
 * take it down (HAProxy-style hysteresis, so one lost probe does not flap a
 * route across every partner). Maintenance (drain) withdraws regardless of
 * health; leaving it re-announces only if the service is healthy by then.
 */

export type HealthState = 'starting' | 'up' | 'down' | 'draining';

export interface HealthTransition {
  /** Monotonic ms of the observation that caused it. */
  at: number;
  from: HealthState;
  to: HealthState;
  /** Whether the service prefix should be announced from now on. */
  announce: boolean;
  reason: string;
}

export interface HealthMachineOptions {
  rise: number;
  fall: number;
}

export class HealthMachine {
  private current: HealthState = 'starting';
  private okRun = 0;
  private failRun = 0;
  private maintenance = false;
  readonly rise: number;
  readonly fall: number;

  constructor(opts: HealthMachineOptions) {
    if (!Number.isInteger(opts.rise) || opts.rise < 1) throw new Error(`rise must be an integer ≥ 1, got ${opts.rise}`);
    if (!Number.isInteger(opts.fall) || opts.fall < 1) throw new Error(`fall must be an integer ≥ 1, got ${opts.fall}`);
    this.rise = opts.rise;
    this.fall = opts.fall;
  }

  get state(): HealthState {
    return this.current;
  }

  /** Whether the prefix should be announced in the current state. */
  get announced(): boolean {
    return this.current === 'up';
  }

  get consecutiveOk(): number {
    return this.okRun;
  }

  get consecutiveFail(): number {
    return this.failRun;
  }

  /** Feed one probe result; returns the transition it caused, if any. */
  observe(ok: boolean, at: number, detail: string): HealthTransition | undefined {
    if (ok) {
      this.okRun++;
      this.failRun = 0;
    } else {
      this.failRun++;
      this.okRun = 0;
    }
    if (this.current === 'draining') return undefined;
    if (this.current !== 'up' && this.okRun >= this.rise) {
      return this.move('up', at, `${this.okRun} consecutive successful probe(s) (rise ${this.rise}): ${detail}`);
    }
    if (this.current !== 'down' && this.failRun >= this.fall) {
      return this.move('down', at, `${this.failRun} consecutive failed probe(s) (fall ${this.fall}): ${detail}`);
    }
    return undefined;
  }

  /**
   * A failure that cannot wait for `fall` probes (the service address left its
   * interface: a DNS probe to it might now reach another site and pass). Down at once.
   */
  failNow(at: number, detail: string): HealthTransition | undefined {
    this.okRun = 0;
    this.failRun = Math.max(this.failRun + 1, this.fall);
    if (this.current === 'draining' || this.current === 'down') return undefined;
    return this.move('down', at, `${detail} (down at once, without waiting for fall ${this.fall})`);
  }

  /** Enter or leave maintenance (drain); returns the transition it caused, if any. */
  setMaintenance(on: boolean, at: number, why: string): HealthTransition | undefined {
    if (on === this.maintenance) return undefined;
    this.maintenance = on;
    if (on) return this.move('draining', at, `maintenance: ${why}`);
    const healthy = this.okRun >= this.rise;
    return this.move(healthy ? 'up' : 'down', at, `maintenance ended (${why}); service ${healthy ? 'healthy' : 'not yet healthy'}`);
  }

  private move(to: HealthState, at: number, reason: string): HealthTransition {
    const t: HealthTransition = { at, from: this.current, to, announce: to === 'up', reason };
    this.current = to;
    return t;
  }
}

/**
 * Time and scheduling as the session sees them, injected so that the state
 * machine runs under a fake clock in tests.
 */
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  setTimer(ms: number, fn: () => void): unknown;
  clearTimer(handle: unknown): void;
  /** Runs fn soon, after pending I/O and timers got their turn (setImmediate). */
  defer(fn: () => void): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimer: (ms, fn) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  defer: (fn) => setImmediate(fn),
};

/** A manual clock for tests: time moves only with advance(); deferred work runs with runDeferred(). */
export class FakeClock implements Clock {
  private time = 0;
  private nextId = 1;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private deferred: (() => void)[] = [];

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  defer(fn: () => void): void {
    this.deferred.push(fn);
  }

  /** Runs deferred work until none is left (work may defer more). */
  runDeferred(): void {
    while (this.deferred.length) this.deferred.shift()!();
  }

  /** Moves time forward, firing due timers in order (deferred work runs between them). */
  advance(ms: number): void {
    this.moveTime(ms, true);
  }

  /**
   * Moves time forward firing due timers, and leaves the work they defer queued: the
   * moment in a real event loop after the timers phase and before pending I/O is read
   * (a process thawed after a stall). The test delivers that I/O, then runDeferred().
   */
  advanceTimersOnly(ms: number): void {
    this.moveTime(ms, false);
  }

  private moveTime(ms: number, runDeferred: boolean): void {
    const until = this.time + ms;
    if (runDeferred) this.runDeferred();
    for (;;) {
      let nextId = 0;
      let nextAt = Infinity;
      for (const [id, t] of this.timers) {
        if (t.at < nextAt || (t.at === nextAt && id < nextId)) {
          nextAt = t.at;
          nextId = id;
        }
      }
      if (nextAt > until) break;
      const t = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.time = nextAt;
      t.fn();
      if (runDeferred) this.runDeferred();
    }
    this.time = until;
  }

  get pendingTimers(): number {
    return this.timers.size;
  }
}

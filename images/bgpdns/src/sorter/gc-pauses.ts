/**
 * Garbage-collection pauses of this process (perf_hooks "gc" entries), over the same
 * window as the daemon's event-loop delay histogram: a stall in that histogram is then
 * either a GC pause, the daemon's own work, or the process waiting for a CPU (which a
 * bench reads from /proc/PID/schedstat) — the status says which.
 */
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export class GcPauses {
  count = 0;
  totalMs = 0;
  maxMs = 0;
  private observer?: PerformanceObserver;

  enable(): void {
    if (this.observer) return;
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.add(e);
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  disable(): void {
    this.observer?.disconnect();
    this.observer = undefined;
  }

  reset(): void {
    this.count = 0;
    this.totalMs = 0;
    this.maxMs = 0;
  }

  private add(e: PerformanceEntry): void {
    this.count++;
    this.totalMs += e.duration;
    if (e.duration > this.maxMs) this.maxMs = e.duration;
  }
}

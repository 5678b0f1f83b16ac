/**
 * Poll a probe until a check holds. Never a bare sleep: every wait names what it
 * waits for, and its timeout error says for how long, after how many attempts,
 * and what the probe last returned (or why the check still failed).
 */
import { monoNow } from './mono-clock.js';
import { jsonSubset, type JsonDiff } from './json-subset.js';

export interface WaitOptions {
  /** Give up after this long. Default 10000 ms. */
  timeout?: number;
  /** Pause between attempts. Default 100 ms. */
  interval?: number;
  /** What is awaited, in words ("isp1 sessions Established"). */
  what: string;
  /** Aborts the wait (e.g. the scenario is being torn down). */
  signal?: AbortSignal;
  /** The error to throw on timeout instead, e.g. one that names the log to read; gets the timeout's facts. */
  onTimeout?: (timeout: WaitTimeoutError) => Error;
}

/**
 * A check returns true/null when satisfied; false, a message, or a diff (string[])
 * when not. A thrown error from the probe counts as a failed attempt and is reported.
 */
export type CheckResult = boolean | null | string | JsonDiff;

export class WaitTimeoutError extends Error {
  constructor(
    message: string,
    readonly what: string,
    readonly elapsedMs: number,
    readonly attempts: number,
    readonly lastValue: unknown,
    readonly lastProblem: string | undefined,
  ) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

export interface WaitResult<T> {
  value: T;
  /** Monotonic time of the attempt whose value satisfied the check. */
  at: number;
  attempts: number;
  elapsedMs: number;
}

/** Resolves with the first probe value that passes the check. */
export async function waitUntil<T>(
  probe: () => T | Promise<T>,
  check: (value: T) => CheckResult,
  opts: WaitOptions,
): Promise<WaitResult<T>> {
  const timeout = opts.timeout ?? 10_000;
  const interval = opts.interval ?? 100;
  const start = monoNow();
  let attempts = 0;
  let lastValue: unknown = undefined;
  let lastProblem: string | undefined;
  for (;;) {
    if (opts.signal?.aborted) throw new Error(`stopped waiting for ${opts.what}: ${String(opts.signal.reason ?? 'aborted')}`);
    attempts++;
    const at = monoNow();
    try {
      const value = await probe();
      lastValue = value;
      const verdict = check(value);
      if (verdict === true || verdict === null || (Array.isArray(verdict) && verdict.length === 0)) {
        return { value, at, attempts, elapsedMs: at - start };
      }
      lastProblem = describe(verdict);
    } catch (err) {
      lastProblem = `probe failed: ${(err as Error).message}`;
    }
    const elapsed = monoNow() - start;
    if (elapsed >= timeout) {
      const timedOut = new WaitTimeoutError(
        timeoutMessage(opts.what, elapsed, attempts, lastValue, lastProblem),
        opts.what,
        elapsed,
        attempts,
        lastValue,
        lastProblem,
      );
      throw opts.onTimeout ? opts.onTimeout(timedOut) : timedOut;
    }
    await pause(Math.min(interval, Math.max(0, timeout - elapsed)), opts.signal);
  }
}

/** waitUntil with a JSON-subset check: the timeout error shows the diff with paths. */
export function waitForJson<T>(probe: () => T | Promise<T>, expected: unknown, opts: WaitOptions): Promise<WaitResult<T>> {
  return waitUntil(probe, (value) => jsonSubset(value, expected), opts);
}

function describe(verdict: Exclude<CheckResult, true | null>): string | undefined {
  if (verdict === false) return undefined;
  if (typeof verdict === 'string') return verdict;
  return verdict.join('\n');
}

function timeoutMessage(what: string, elapsed: number, attempts: number, lastValue: unknown, problem?: string): string {
  const lines = [`timed out after ${Math.round(elapsed)} ms (${attempts} attempt${attempts === 1 ? '' : 's'}) waiting for ${what}`];
  if (problem && problem.includes('\n')) lines.push('  last diff:', ...problem.split('\n').map((l) => `    ${l}`));
  else if (problem) lines.push(`  last problem: ${problem}`);
  if (attempts > 0 && !problem?.startsWith('probe failed')) lines.push(`  last value: ${render(lastValue)}`);
  return lines.join('\n');
}

function render(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} chars)` : text;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

import type { ProcessOutput } from 'zx';
import type { ExecResult } from './runtime.js';

/**
 * A zx run (nothrow, with `timeout`) as Runtime.exec reports it: exit code 124 when
 * the timeout killed it (as timeout(1) does), 128 when it died without an exit code,
 * and the timeout said in stderr.
 */
export function execResult(out: ProcessOutput, timeoutMs: number | undefined): ExecResult {
  const timedOut = out.signal === 'SIGTERM' && timeoutMs !== undefined;
  return {
    exitCode: out.exitCode ?? (timedOut ? 124 : 128),
    stdout: out.stdout,
    stderr: timedOut ? `${out.stderr}timed out after ${timeoutMs} ms\n` : out.stderr,
  };
}

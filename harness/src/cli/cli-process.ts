/**
 * For tests: run the real CLI (`node --import tsx main.ts ARGS…`) as a user would,
 * optionally as another (non-root) user via runuser. At most a few run at once, so a
 * table of invocations does not start dozens of node processes on a small machine.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
export const REPO_ROOT = path.resolve(path.dirname(CLI_MAIN), '../../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const MAX_RUNNING = 3;
let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** `bgpdns-lab ARGS…` from the repository root; `asUser` runs it as that user (looked up by name by runuser). */
export function runCli(args: readonly string[], opts: { asUser?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const node = [process.execPath, '--import', 'tsx', CLI_MAIN, ...args];
  const [file, ...argv] = opts.asUser ? ['runuser', '-u', opts.asUser, '--', ...node] : node;
  return slot(
    () =>
      new Promise((resolve) => {
        // As another user, tsx would leave a cache directory of that user's in the temp dir: compile without it.
        const env = opts.asUser ? { ...process.env, TSX_DISABLE_CACHE: '1' } : process.env;
        execFile(file, argv, { cwd: REPO_ROOT, env, timeout: opts.timeoutMs ?? 60_000 }, (err, stdout, stderr) => {
          const code = (err as { code?: unknown } | null)?.code;
          resolve({ code: err ? (typeof code === 'number' ? code : 1) : 0, stdout, stderr });
        });
      }),
  );
}

import { spawn as spawnChild } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { procStartTime } from './procs.js';

export interface DetachedChild {
  pid: number;
  /** /proc start time, to tell this process from a later one with the same PID. */
  startTime: number;
  /** Exit code, or the signal name when killed. */
  exited: Promise<number | string>;
}

/**
 * Start a daemon that must outlive a pipe and a harness crash: argv array (no
 * shell), stdout+stderr appended to `logFile`, own process group (a Ctrl-C reaches
 * the harness, which stops daemons in order, by PID), not keeping Node alive.
 * `what` names it in the error when it cannot start.
 */
export async function spawnDetached(
  file: string,
  args: string[],
  opts: { logFile: string; cwd: string; env?: Record<string, string>; what: string },
): Promise<DetachedChild> {
  const fd = openSync(opts.logFile, 'a');
  let child;
  try {
    child = spawnChild(file, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    const err = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new Error(`cannot start ${opts.what}: ${err.message}`);
  }
  const startTime = procStartTime(pid) ?? 0;
  child.unref();
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { pid, startTime, exited };
}

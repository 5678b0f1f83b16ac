/**
 * Commands inside a container through the engine's exec API (what `docker
 * exec` does): Tty off so stdout and stderr arrive multiplexed and are split
 * again here, the stream read to its end, then the exec inspected for the exit
 * code. Long-running daemons are started detached with their output appended
 * to a log file inside the node directory (bind-mounted at the same path), so
 * they outlive the harness process that started them, like netns daemons do.
 */
import { PassThrough } from 'node:stream';
import { engine } from './engine.js';
import type Dockerode from 'dockerode';
import { waitUntil } from '@bgpdns-lab/bgpdns';
import type { ExecOptions, ExecResult } from '../runtime.js';
import { isAlive, procStartTime } from '../procs.js';

function envList(env?: Record<string, string>): string[] | undefined {
  return env ? Object.entries(env).map(([k, v]) => `${k}=${v}`) : undefined;
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
}

/** Run argv in the container and wait for it. Never throws on a non-zero exit; 124 on timeout. */
export async function execIn(containerId: string, argv: string[], opts: ExecOptions = {}, endpoint?: string): Promise<ExecResult> {
  const docker = await engine(endpoint);
  const exec = await docker.getContainer(containerId).exec({
    Cmd: argv,
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: opts.input !== undefined,
    Tty: false,
    Env: envList(opts.env),
    WorkingDir: opts.cwd,
  });
  const stream = await exec.start({ hijack: true, stdin: opts.input !== undefined, Tty: false } as never);
  const out = new PassThrough();
  const err = new PassThrough();
  const stdout = collect(out);
  const stderr = collect(err);
  docker.modem.demuxStream(stream, out, err);
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  if (opts.input !== undefined) {
    stream.write(opts.input);
    // Half-close so the command sees end of input while we keep reading its output.
    (stream as unknown as { end(): void }).end();
  }
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  if (opts.timeoutMs !== undefined) {
    const ms = opts.timeoutMs;
    timer = setTimeout(async () => {
      timedOut = true;
      const info = await exec.inspect().catch(() => undefined);
      if (info?.Running && info.Pid) {
        try {
          process.kill(info.Pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      stream.destroy();
    }, ms);
  }
  await ended;
  if (timer) clearTimeout(timer);
  // A hijacked connection stays open (and keeps the process alive) until destroyed.
  stream.destroy();
  const exitCode = await recordedExitCode(exec, 5);
  if (timedOut) return { exitCode: 124, stdout: stdout(), stderr: `${stderr()}timed out after ${opts.timeoutMs} ms\n` };
  return { exitCode, stdout: stdout(), stderr: stderr() };
}

export interface DetachedExec {
  execId: string;
  /** Host PID of the process (same as /proc on the host shows). */
  pid: number;
  /** Start time from /proc/PID/stat (tells a reused PID apart). */
  startTime: number | undefined;
  /** Polls the engine until the process ended; resolves with its exit code. */
  exited: Promise<number>;
}

/**
 * Start argv detached inside the container, stdout+stderr appended to logFile
 * (a path valid inside the container). `exec "$@"` keeps the PID the engine
 * reports equal to the daemon's own PID.
 */
export async function spawnIn(
  containerId: string,
  argv: string[],
  logFile: string,
  opts: { env?: Record<string, string>; cwd?: string } = {},
  endpoint?: string,
): Promise<DetachedExec> {
  const docker = await engine(endpoint);
  const exec = await docker.getContainer(containerId).exec({
    Cmd: ['/bin/sh', '-c', 'log=$1; shift; exec "$@" >>"$log" 2>&1', 'spawn', logFile, ...argv],
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    Env: envList(opts.env),
    WorkingDir: opts.cwd,
  });
  // Even detached, the engine answers on a stream (the process is already started by
  // then); close it, or its socket keeps the harness alive.
  const answer = (await exec.start({ Detach: true, Tty: false } as never)) as unknown as { destroy?(): void } | undefined;
  answer?.destroy?.();
  // The engine knows the PID a moment after the start; a process that already ended has none.
  const info = await waitUntil(() => exec.inspect(), (i) => Boolean(i.Pid) || i.Running === false || 'no PID yet', {
    what: `PID of ${argv[0]} in container ${containerId.slice(0, 12)}`,
    timeout: 2_000,
    interval: 5,
  }).then(
    (r) => r.value,
    () => exec.inspect(),
  );
  if (!info.Pid) {
    throw new Error(`cannot start ${argv[0]} in container ${containerId.slice(0, 12)} (exit code ${info.ExitCode}); see ${logFile}`);
  }
  const pid = info.Pid;
  const startTime = procStartTime(pid);
  // Liveness from /proc (cheap); the engine is asked only once, for the exit code.
  const exited = new Promise<number>((resolve) => {
    const timer = setInterval(async () => {
      if (isAlive(pid, startTime)) return;
      clearInterval(timer);
      resolve(await recordedExitCode(exec, 10));
    }, 50);
    timer.unref();
  });
  return { execId: exec.id, pid, startTime, exited };
}

export interface StreamingExec {
  /** Resolves with the exit code once the command ended and its output was read. */
  done: Promise<number>;
}

/**
 * Run argv in the container with its stdout streamed to `onStdout` as it comes
 * (an attached exec over the engine's endpoint: the output crosses no socket or
 * path of the harness's machine but that endpoint) and stderr to `onStderr`.
 */
export async function execStreaming(
  containerId: string,
  argv: string[],
  onStdout: (chunk: Buffer) => void,
  onStderr: (chunk: Buffer) => void,
  endpoint?: string,
): Promise<StreamingExec> {
  const docker = await engine(endpoint);
  const exec = await docker.getContainer(containerId).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: false, Tty: false } as never);
  const out = new PassThrough();
  const err = new PassThrough();
  out.on('data', onStdout);
  err.on('data', onStderr);
  docker.modem.demuxStream(stream, out, err);
  const done = new Promise<number>((resolve) => {
    const finish = async () => {
      stream.destroy();
      resolve(await recordedExitCode(exec, 10));
    };
    stream.once('end', finish);
    stream.once('error', finish);
  });
  return { done };
}

/**
 * Run argv in the container with the caller's stdin, stdout and stderr (what
 * `docker exec -i [-t]` does): a terminal when stdin is one (raw mode, sized as
 * ours), else plain streams. Resolves with the exit code.
 */
export async function execAttached(containerId: string, argv: string[], opts: Pick<ExecOptions, 'env' | 'cwd'> = {}, endpoint?: string): Promise<number> {
  const docker = await engine(endpoint);
  const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const exec = await docker.getContainer(containerId).exec({
    Cmd: argv,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: tty,
    Env: envList({ ...(tty ? { TERM: process.env.TERM ?? 'xterm' } : {}), ...opts.env }),
    WorkingDir: opts.cwd,
  });
  const stream = await exec.start({ hijack: true, stdin: true, Tty: tty } as never);
  if (tty) stream.pipe(process.stdout);
  else docker.modem.demuxStream(stream, process.stdout, process.stderr);
  const resize = () => void exec.resize({ h: process.stdout.rows, w: process.stdout.columns }).catch(() => undefined);
  if (tty) {
    process.stdin.setRawMode(true);
    resize();
    process.stdout.on('resize', resize);
  }
  process.stdin.pipe(stream);
  try {
    await new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
  } finally {
    process.stdin.unpipe(stream);
    process.stdin.pause();
    if (tty) {
      process.stdin.setRawMode(false);
      process.stdout.off('resize', resize);
    }
    stream.destroy();
  }
  return recordedExitCode(exec, 5);
}

/**
 * The exit code the engine records for an exec whose process ended: it is set a moment
 * after the output stream ends. 128 when the engine does not say within 2 s.
 */
async function recordedExitCode(exec: Dockerode.Exec, interval: number): Promise<number> {
  try {
    const { value } = await waitUntil(() => exec.inspect(), (info) => !info.Running || 'still running', { what: 'exit code of an exec', timeout: 2_000, interval });
    return value.ExitCode ?? 128;
  } catch {
    return 128;
  }
}

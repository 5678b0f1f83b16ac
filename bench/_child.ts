/**
 * Child processes of the benchmarks (files starting with "_" are helpers, not
 * benchmarks): a node script started with the bench's TypeScript loader, ready when
 * a line of its output matches; stopped with SIGTERM, SIGKILL after 5 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Started {
  child: ChildProcess;
  match: RegExpMatchArray;
  stop(): Promise<void>;
}

export function startChild(args: string[], readyLine: RegExp, timeoutMs = 20_000): Promise<Started> {
  return new Promise((resolve, reject) => {
    // Children run with node's defaults, as `bgpdns` does: only the TypeScript loader is passed
    // on, not the launcher's heap settings (its young generation is sized for the harness's own
    // RSS, not the daemons').
    const loader = process.execArgv.filter((a, i, all) => a.startsWith('--import') || all[i - 1] === '--import');
    const child = spawn(process.execPath, [...loader, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-4000);
      const m = readyLine.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m, stop: () => stopChild(child) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} not ready within ${timeoutMs / 1000} s: ${out.trim()}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}: ${out.trim()}`));
    });
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

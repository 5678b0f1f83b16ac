/**
 * The DNS front as its own process (`bgpdns dns`), for tests and benches that
 * measure it from outside: its RSS from /proc/<pid>/status, its counters from
 * /metrics. Started on free ports, stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dgram from 'node:dgram';
import { waitUntil } from '../../src/support/wait-until.js';

export const bgpdnsBin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'bgpdns.js');

export interface FrontProcess {
  child: ChildProcess;
  pid: number;
  address: { host: string; port: number };
  httpPort: number;
  /** Resident set of the front process now, in kB (VmRSS). */
  rssKb(): number;
  /** One counter or gauge from /metrics (summed over label sets matching `labels`, e.g. 'transport="tcp"'). */
  metric(name: string, labels?: string): Promise<number>;
  stderr(): string;
  stop(): Promise<number | null>;
}

/** A port free on 127.0.0.1 for both UDP and (almost certainly) TCP right now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, host, () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

export function vmRssKb(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  if (!m) throw new Error(`/proc/${pid}/status has no VmRSS line (process gone?)`);
  return Number(m[1]);
}

export async function startFrontProcess(data: string, extraArgs: string[] = [], host = '127.0.0.1'): Promise<FrontProcess> {
  const port = await freePort();
  const httpPort = await freePort();
  const child = spawn(process.execPath, [bgpdnsBin, 'dns', '--data', data, '--listen', `${host.includes(':') ? `[${host}]` : host}:${port}`, '--http', `127.0.0.1:${httpPort}`, ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // Ends early when the process exits; the error below carries its output.
  await waitUntil(() => err, (e) => e.includes('serving') || child.exitCode !== null, { what: `bgpdns dns serving ${data}`, timeout: 20_000, interval: 50 }).catch(() => undefined);
  if (!err.includes('serving')) {
    child.kill('SIGKILL');
    throw new Error(`bgpdns dns did not start serving ${data}: ${err.trim() || 'no output'}`);
  }
  return {
    child,
    pid: child.pid!,
    address: { host, port },
    httpPort,
    rssKb: () => vmRssKb(child.pid!),
    async metric(name, labels) {
      const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
        if (m && m[1] === name && (!labels || (m[2] ?? '').includes(labels))) sum += Number(m[3]);
      }
      return sum;
    },
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

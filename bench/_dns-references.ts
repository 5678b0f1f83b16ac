/**
 * The reference servers of `bench dns` (files starting with "_" are helpers, not
 * benchmarks): NSD (one server process) and Knot DNS (one UDP worker), from their
 * Debian packages, each configured the way its manual describes for an
 * authoritative-only server, in a fresh temp dir removed at stop, bound to a
 * 127.x address only, started and stopped by PID. Ready = the zone's SOA answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQuery, queryUdp } from '@bgpdns-lab/bgpdns/testing';
import { waitUntil } from '@bgpdns-lab/harness';

export interface ReferenceServer {
  name: string;
  host: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

interface Spec {
  name: string;
  command: string;
  args: (dir: string) => string[];
  files: (dir: string) => Record<string, string>;
}

const nsd = (host: string, port: number, zone: string): Spec => ({
  name: 'nsd',
  command: '/usr/sbin/nsd',
  // -d: stay in the foreground (the PID we hold is the main process).
  args: (dir) => ['-d', '-c', join(dir, 'nsd.conf')],
  files: (dir) => ({
    'nsd.conf': [
      'server:',
      `  ip-address: ${host}@${port}`,
      '  server-count: 1',
      '  do-ip6: no',
      '  reuseport: no',
      '  username: ""',
      '  chroot: ""',
      `  zonesdir: "${dir}"`,
      `  zonelistfile: "${join(dir, 'zone.list')}"`,
      `  xfrdfile: "${join(dir, 'xfrd.state')}"`,
      `  pidfile: "${join(dir, 'nsd.pid')}"`,
      `  logfile: "${join(dir, 'nsd.log')}"`,
      '  database: ""',
      '  verbosity: 0',
      '  hide-version: yes',
      // Debian builds NSD with response-rate limiting on (200/s per source /24): every
      // bench query comes from one address, so it would drop the popular names' answers.
      '  rrl-ratelimit: 0',
      'remote-control:',
      '  control-enable: no',
      'zone:',
      '  name: lab.example',
      `  zonefile: "${join(dir, 'lab.example.zone')}"`,
      '',
    ].join('\n'),
    'lab.example.zone': zone,
  }),
});

const knot = (host: string, port: number, zone: string): Spec => ({
  name: 'knot',
  command: '/usr/sbin/knotd',
  args: (dir) => ['-c', join(dir, 'knot.conf')],
  files: (dir) => ({
    'knot.conf': [
      'server:',
      `  rundir: "${dir}"`,
      `  pidfile: "${join(dir, 'knot.pid')}"`,
      `  listen: ${host}@${port}`,
      '  udp-workers: 1',
      '  tcp-workers: 1',
      '  background-workers: 1',
      'database:',
      `  storage: "${dir}"`,
      'control:',
      `  listen: "${join(dir, 'knot.sock')}"`,
      'log:',
      '  - target: stderr',
      '    any: warning',
      'template:',
      '  - id: default',
      `    storage: "${dir}"`,
      '    zonefile-sync: -1',
      '    journal-content: none',
      '    semantic-checks: off',
      'zone:',
      '  - domain: lab.example',
      '    file: lab.example.zone',
      '',
    ].join('\n'),
    'lab.example.zone': zone,
  }),
});

async function start(spec: Spec, host: string, port: number): Promise<ReferenceServer> {
  const dir = mkdtempSync(join(tmpdir(), `b16-${spec.name}-`));
  chmodSync(dir, 0o755);
  for (const [file, text] of Object.entries(spec.files(dir))) writeFileSync(join(dir, file), text);
  const child: ChildProcess = spawn(spec.command, spec.args(dir), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.once('error', (e) => (stderr += ` ${e.message}`));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Loading a large zone takes seconds: wait until the SOA answers.
  const gone = () => child.exitCode !== null || child.signalCode !== null || !child.pid;
  const soaAnswered = async () => {
    const r = await queryUdp({ host, port }, buildQuery({ name: 'lab.example', type: 'SOA' }), { timeoutMs: 200 }).catch(() => null);
    return Boolean(r && r.length > 3 && (r[3] & 0xf) === 0);
  };
  // Ends early when the server exits.
  const started = await waitUntil(async () => (gone() ? 'exited' : (await soaAnswered()) ? 'answers' : 'silent'), (s) => s !== 'silent', {
    what: `${spec.name} answers lab.example SOA`,
    timeout: 60_000,
    interval: 100,
  }).then((r) => r.value, () => 'timeout' as const);
  if (started !== 'answers') {
    await stop();
    throw new Error(started === 'exited'
      ? `${spec.name} on ${host}:${port} exited at start: ${stderr.trim() || '(no output)'}`
      : `${spec.name} on ${host}:${port} did not answer lab.example SOA within 60 s: ${stderr.trim()}`);
  }
  return { name: spec.name, host, port, pid: child.pid!, stop };
}

export const startNsd = (host: string, port: number, zone: string) => start(nsd(host, port, zone), host, port);
export const startKnot = (host: string, port: number, zone: string) => start(knot(host, port, zone), host, port);

/**
 * Real tinydns (Debian package) for differential tests and benchmarks: builds
 * data.cdb with tinydns-data in a fresh directory and starts tinydns bound to a
 * loopback address (it always uses port 53). Started and stopped by PID.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, chmodSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQuery, queryUdp } from './dns-client.js';
import { userIds } from '../user-ids.js';

export interface TinydnsProcess {
  ip: string;
  dir: string;
  dataPath: string;
  pid: number;
  stop(): Promise<void>;
}

/** A loopback address unlikely to collide with other tests running at the same time. */
export function loopbackAddress(tag: number): string {
  return `127.${50 + (tag % 50)}.${(process.pid >> 8) & 0xff}.${(process.pid & 0xfe) + 1}`;
}

export async function startTinydns(dataText: string, ip: string, opts: { mtime?: Date; probeName: string }): Promise<TinydnsProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'h5-tinydns-'));
  chmodSync(dir, 0o755);
  const dataPath = join(dir, 'data');
  writeFileSync(dataPath, dataText, 'latin1');
  if (opts.mtime) utimesSync(dataPath, opts.mtime, opts.mtime);
  try {
    execFileSync('tinydns-data', [], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`tinydns-data rejected the corpus: ${(e as { stderr?: Buffer }).stderr?.toString().trim()}`);
  }
  // tinydns drops to an unprivileged user after binding; nobody's ids are looked up, not assumed.
  const nobody = userIds('nobody');
  const child: ChildProcess = spawn('/usr/sbin/tinydns', [], {
    env: { IP: ip, ROOT: dir, UID: String(nobody.uid), GID: String(nobody.gid) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`tinydns on ${ip} exited at start: ${stderr.trim()}`);
    }
    const r = await queryUdp({ host: ip, port: 53 }, buildQuery({ name: opts.probeName, type: 'SOA' }), { timeoutMs: 200 }).catch(() => null);
    if (r) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`tinydns on ${ip} did not answer ${opts.probeName} SOA within 5 s: ${stderr.trim()}`);
    }
  }
  return { ip, dir, dataPath, pid: child.pid!, stop };
}

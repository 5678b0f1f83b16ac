/**
 * `bgpdns sorter` as an operator runs it: a real process, a config file,
 * SIGTERM. Loopback only (127.0.0.1 / ::1).
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BgpSpeaker, CeaseSubcode, ErrorCode, type NotificationMessage } from '../../bgp/index.js';
import { waitUntil } from '../../support/wait-until.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../../../bin/bgpdns.js');
const SECRET = '5a'.repeat(32);

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawn(process.execPath, [bin, 'sorter', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d) => (stdout += d));
  p.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => p.on('exit', (code) => resolve({ code, stdout, stderr })));
}

async function tempDir(t: import('ava').ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'h4-sorter-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('--check accepts a good file and names the field of a bad one (exit 2)', async (t) => {
  const dir = await tempDir(t);
  const good = join(dir, 'sorter.yaml');
  await writeFile(good, `localAsn: 64500\nrouterId: 198.18.0.10\npeers: [{ address: 198.18.1.1, asn: 64501 }]\nquery: { keys: [{ id: 1, secret: "${SECRET}" }] }\n`);
  const ok = await run(['--config', good, '--check']);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /sorter.yaml: ok \(1 peers, query port 179\)/);
  const bad = join(dir, 'sorter.json');
  await writeFile(bad, JSON.stringify({ localAsn: 64500, routerId: '198.18.0.10', peers: [{ address: '198.18.1.1', asn: 64501 }, { address: '198.18.2.1', asn: 0 }], query: { keys: [{ id: 1, secret: SECRET }] } }));
  const no = await run(['--config', bad, '--check']);
  t.is(no.code, 2);
  t.is(no.stderr.trim(), 'sorter.json: peers[1].asn: expected an ASN in 1..4294967295');
  const missing = await run(['--config', join(dir, 'nope.yaml')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /nope.yaml: cannot read: ENOENT/);
});

test('SIGTERM: every peer gets Cease / Administrative Shutdown, the process exits 0, logs are JSON', async (t) => {
  const dir = await tempDir(t);
  const statusFile = join(dir, 'status.json');
  const config = join(dir, 'sorter.json');
  // Port 0 is not usable for BGP here (the upstream must know where to dial): take a free one first.
  const probe = new BgpSpeaker();
  const { port } = await probe.listen(0, '127.0.0.1');
  await probe.close();
  await writeFile(
    config,
    JSON.stringify({
      localAsn: 64500,
      routerId: '198.18.0.10',
      bgp: { address: '127.0.0.1', port },
      peers: [{ address: '127.0.0.1', asn: 64501, fastFailover: false }],
      query: { address: '127.0.0.1', port: 0, keys: [{ id: 1, secret: SECRET }] },
      statusFile,
    }),
  );
  const daemon = spawn(process.execPath, [bin, 'sorter', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  daemon.stderr.on('data', (d) => (stderr += d));
  const exited = once(daemon, 'exit') as Promise<[number | null]>;
  t.teardown(() => {
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
  });
  await waitUntil(() => readFile(statusFile, 'utf8'), () => true, { what: `the sorter's status file ${statusFile}`, timeout: 20_000, interval: 50 });
  const upstream = new BgpSpeaker();
  t.teardown(() => upstream.close());
  const session = upstream.addPeer({ address: '127.0.0.1', port, localAs: 64501, peerAs: 64500, routerId: '198.18.255.1', mode: 'active', holdTime: 9, connectRetryTime: 1 });
  await once(session, 'established');
  const notified = once(session, 'notificationReceived') as Promise<[NotificationMessage]>;
  daemon.kill('SIGTERM');
  const [n] = await notified;
  t.deepEqual([n.code, n.subcode], [ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown]);
  const [code] = await exited;
  t.is(code, 0);
  const lines = stderr.trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string; component: string });
  t.true(lines.every((l) => l.component === 'sorter' && typeof l.msg === 'string'));
  t.true(lines.some((l) => l.msg === 'session established'));
  t.true(lines.some((l) => l.msg === 'stopped'));
});

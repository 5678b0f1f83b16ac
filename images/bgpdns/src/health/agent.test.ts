/**
 * The health agent against real daemons: tinydns answering on the service address
 * and FRR's bgpd, both in a throwaway network namespace (h8h…), the agent as the
 * real `bgpdns health` CLI child process inside it.
 */
import test from 'ava';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync, chownSync, chmodSync, existsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VtyClient } from '../frr/vty-client.js';
import type { HealthStatus } from './status.js';
import { userIds } from '../../testing/user-ids.js';
import { waitUntil } from '../support/wait-until.js';

const ns = `h8h${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'h8-health-'));
const SERVICE = '198.18.53.53';
const PREFIX = `${SERVICE}/32`;
const ASN = 64600;
const bin = join(dirname(fileURLToPath(import.meta.url)), '../../bin/bgpdns.js');
const children: ChildProcess[] = [];
let tinydns: ChildProcess | undefined;
let vty: VtyClient;
let bgpd: ChildProcess | undefined;
/** Output so far of each child started with a log name (the agent's includes its watchdog's lines). */
const output = new Map<ChildProcess, () => string>();

function sh(argv: string[]): string {
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });
}

function inNs(argv: string[], env: Record<string, string> = {}, logName?: string): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  if (logName) {
    let log = '';
    output.set(child, () => log);
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    child.on('exit', () => writeFileSync(join(dir, `${logName}.log`), log));
  } else {
    child.stdout!.resume();
    child.stderr!.resume();
  }
  return child;
}

/** Polls every 20 ms, for 8 s at most; resolves with the value that passed. */
async function until<T>(what: string, probe: () => Promise<T> | T, ok: (v: T) => boolean, timeout = 8000): Promise<T> {
  return (await waitUntil(probe, ok, { what, timeout, interval: 20 })).value;
}

async function announced(): Promise<boolean> {
  const out = await vty.json<{ prefix?: string; paths?: unknown[] }>(`show bgp ipv4 unicast ${PREFIX} json`);
  return (out.paths?.length ?? 0) > 0;
}

function startTinydns(): void {
  const { uid, gid } = userIds('tinydns');
  tinydns = inNs(['/usr/sbin/tinydns'], { IP: SERVICE, ROOT: join(dir, 'tinydns'), UID: String(uid), GID: String(gid) });
}

/** The agent's status over its HTTP endpoint (live: the file is written on changes only). */
function liveStatus(): HealthStatus {
  return JSON.parse(sh(['ip', 'netns', 'exec', ns, 'curl', '-sf', 'http://127.0.0.1:9553/status'])) as HealthStatus;
}

function status(): HealthStatus {
  return JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as HealthStatus;
}

/**
 * The agent's status once it shows `expected`: status.json is rewritten after the agent
 * acted on bgpd, so what the test saw in bgpd can be a moment ahead of the file.
 */
async function statusLike(expected: Partial<HealthStatus>): Promise<HealthStatus> {
  const keys = Object.keys(expected) as (keyof HealthStatus)[];
  return until(`status ${JSON.stringify(expected)}`, status, (s) => keys.every((k) => s[k] === expected[k]));
}

let agents = 0;

function startAgent(extra: string[] = []): ChildProcess {
  return inNs(
    [
      process.execPath,
      bin,
      'health',
      '--vty', join(dir, 'frr', 'bgpd.vty'),
      '--asn', String(ASN),
      '--prefix', PREFIX,
      '--dns', SERVICE,
      '--name', 'canary.anycast.lab',
      '--type', 'TXT',
      '--expect', 'site-a',
      '--interval', '200',
      '--timeout', '150',
      '--rise', '2',
      '--fall', '2',
      '--maintenance-file', join(dir, 'maintenance'),
      '--status-file', join(dir, 'status.json'),
      '--listen', '127.0.0.1:9553',
      ...extra,
    ],
    {},
    `agent-${++agents}`,
  );
}

test.before(async () => {
  chmodSync(dir, 0o755); // bgpd runs as the frr user and must reach its directory
  sh(['ip', 'netns', 'add', ns]);
  sh(['ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  sh(['ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', `${SERVICE}/32`, 'dev', 'lo']);
  // tinydns: the canary answers which site this is.
  const root = join(dir, 'tinydns');
  execFileSync('mkdir', ['-p', root]);
  writeFileSync(join(root, 'data'), `.anycast.lab:${SERVICE}:ns:300\n'canary.anycast.lab:site-a:300\n`);
  execFileSync('tinydns-data', [], { cwd: root });
  startTinydns();
  // bgpd without zebra (-Z): the agent only needs its vty and BGP table.
  const frr = join(dir, 'frr');
  execFileSync('mkdir', ['-p', frr]);
  writeFileSync(
    join(frr, 'bgpd.conf'),
    `hostname h8h\nroute-map GRACEFUL_DRAIN permit 10\n set community 65535:0 additive\n!\nrouter bgp ${ASN}\n bgp router-id ${SERVICE}\n no bgp network import-check\n no bgp ebgp-requires-policy\n`,
  );
  // bgpd drops to the frr user, whose ids differ between machines.
  const { uid, gid } = userIds('frr');
  chownSync(frr, uid, gid);
  chownSync(join(frr, 'bgpd.conf'), uid, gid);
  startBgpd();
  vty = new VtyClient(join(frr, 'bgpd.vty'));
  await until('bgpd vty', () => vty.command('show version'), () => true);
});

function startBgpd(): ChildProcess {
  const frr = join(dir, 'frr');
  bgpd = inNs(['/usr/lib/frr/bgpd', '-Z', '-f', join(frr, 'bgpd.conf'), '-i', join(frr, 'bgpd.pid'), '--vty_socket', frr, '-P', '0', '-p', '0'], {}, 'bgpd');
  return bgpd;
}

/** Whether a process exists (signal 0 tests without signalling); a zombie of ours counts until reaped. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** PIDs of the watchdogs the agents started (from their 'watchdog-started' lines). */
function watchdogPids(): number[] {
  return [...output.values()].flatMap((log) => [...log().matchAll(/"event":"watchdog-started","pid":(\d+)/g)].map((m) => Number(m[1])));
}

test.after.always(async () => {
  await vty?.close().catch(() => undefined);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of watchdogPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* exited already */
    }
  }
  // The namespace goes once nothing of ours runs in it any more.
  const running = () => children.filter((c) => c.exitCode === null && c.signalCode === null).length + watchdogPids().filter(alive).length;
  await waitUntil(running, (n) => n === 0, { what: 'agents, bgpd and watchdogs gone', timeout: 5000, interval: 10 }).catch(() => undefined);
  try {
    sh(['ip', 'netns', 'del', ns]);
  } catch {
    /* already gone */
  }
  if (!process.env.H8_KEEP) rmSync(dir, { recursive: true, force: true });
});

test.serial('announces when healthy, withdraws on hang, kill and drain, re-announces on recovery, withdraws on SIGTERM', async (t) => {
  t.timeout(60_000);
  const agent = startAgent();
  await announcedBy(agent);
  t.like(await statusLike({ state: 'up', announced: true, inSync: true }), { state: 'up', announced: true, inSync: true });

  // Hung DNS (SIGSTOP): probes time out, fall=2 → withdrawn.
  tinydns!.kill('SIGSTOP');
  const hungAt = Date.now();
  await until('withdrawal after SIGSTOP', announced, (v) => !v);
  const hangToWithdraw = Date.now() - hungAt;
  t.true(hangToWithdraw < 1500, `hang → withdraw took ${hangToWithdraw} ms`);
  t.like(await statusLike({ state: 'down', announced: false }), { state: 'down', announced: false });
  t.regex(status().transitions.at(-1)!.reason, /dns timeout/);
  tinydns!.kill('SIGCONT');
  await until('re-announcement after SIGCONT', announced, (v) => v);

  // Killed DNS: the port is closed, probes are refused at once.
  tinydns!.kill('SIGKILL');
  await until('withdrawal after kill', announced, (v) => !v);
  t.regex(status().transitions.at(-1)!.reason, /dns refused/);
  startTinydns();
  await until('re-announcement after restart', announced, (v) => v);

  // Drain: withdrawn while the file exists, although DNS is healthy.
  writeFileSync(join(dir, 'maintenance'), '');
  await until('withdrawal on drain', announced, (v) => !v);
  t.like(await statusLike({ state: 'draining', maintenance: true }), { state: 'draining', maintenance: true });
  unlinkSync(join(dir, 'maintenance'));
  await until('re-announcement after drain', announced, (v) => v);

  // Status and metrics over HTTP, from inside the namespace.
  const metrics = sh(['ip', 'netns', 'exec', ns, 'curl', '-sf', 'http://127.0.0.1:9553/metrics']);
  t.regex(metrics, /bgpdns_health_announced 1/);
  t.regex(metrics, /bgpdns_health_transitions_total\{to="draining"\} 1/);
  const httpStatus = JSON.parse(sh(['ip', 'netns', 'exec', ns, 'curl', '-sf', 'http://127.0.0.1:9553/status'])) as HealthStatus;
  t.deepEqual(
    httpStatus.transitions.map((x) => x.to),
    ['up', 'down', 'up', 'down', 'up', 'draining', 'up'],
  );

  // SIGTERM: the agent withdraws before it exits.
  const exited = new Promise<number | null>((r) => agent.once('exit', (code) => r(code)));
  agent.kill('SIGTERM');
  t.is(await exited, 0);
  // bgpd removes the route from its table through its work queue, a moment after the vty command returns.
  t.false(await until('withdrawal on SIGTERM', announced, (v) => !v, 1000));
});

test.serial('a graceful drain first announces through the drain route-map, then withdraws', async (t) => {
  t.timeout(30_000);
  const agent = startAgent(['--drain-route-map', 'GRACEFUL_DRAIN', '--drain-grace', '800']);
  await announcedBy(agent);
  const communities = async () => {
    const out = await vty.json<{ paths?: { community?: { string: string } }[] }>(`show bgp ipv4 unicast ${PREFIX} json`);
    return out.paths?.[0]?.community?.string ?? (out.paths?.length ? 'none' : 'withdrawn');
  };
  t.is(await communities(), 'none');
  writeFileSync(join(dir, 'maintenance'), '');
  const drainAt = Date.now();
  await until('graceful announcement', communities, (c) => c === 'graceful-shutdown');
  t.like(await statusLike({ state: 'draining', announcement: 'graceful', announced: true }), { state: 'draining', announcement: 'graceful', announced: true });
  await until('withdrawal after the grace period', communities, (c) => c === 'withdrawn');
  t.true(Date.now() - drainAt >= 800, 'withdrawn only after the grace period');
  unlinkSync(join(dir, 'maintenance'));
  await until('plain announcement again', communities, (c) => c === 'none');
  const exited = new Promise((r) => agent.once('exit', r));
  agent.kill('SIGTERM');
  await exited;
});

test.serial('a wrong canary answer is unhealthy: never announced', async (t) => {
  t.timeout(20_000);
  const agent = startAgent(['--expect', 'site-b']);
  await until('agent decides', () => (existsSync(join(dir, 'status.json')) ? status() : undefined), (s) => s?.state === 'down');
  t.false(await announced());
  t.regex(status().transitions.at(-1)!.reason, /lacks expected "site-b"/);
  const exited = new Promise((r) => agent.once('exit', r));
  agent.kill('SIGTERM');
  await exited;
});

test.serial('works with the bgpdns DNS front, its HTTP health endpoint as a second signal', async (t) => {
  t.timeout(30_000);
  tinydns!.kill('SIGKILL');
  // The later tests need tinydns back, whatever happens here.
  t.teardown(() => startTinydns());
  const front = inNs(
    [process.execPath, bin, 'dns', '--data', join(dir, 'tinydns', 'data'), '--listen', `${SERVICE}:53`, '--http', '127.0.0.1:9554'],
    {},
    'dns-front',
  );
  const agent = startAgent(['--health-url', 'http://127.0.0.1:9554/ready']);
  await announcedBy(agent);
  t.regex(status().lastProbe!.detail, /dns ok .*health endpoint 200/);
  front.kill('SIGKILL');
  await until('withdrawal after the DNS front died', announced, (v) => !v);
  t.regex(status().transitions.at(-1)!.reason, /dns refused/);
  const exited = new Promise((r) => agent.once('exit', r));
  agent.kill('SIGTERM');
  await exited;
});

test('bad arguments exit 2 with the flag named', (t) => {
  const r = spawnSyncCli(['health', '--vty', '/x', '--asn', 'abc', '--prefix', PREFIX, '--dns', SERVICE, '--name', 'c']);
  t.is(r.status, 2);
  t.regex(r.stderr, /bgpdns health: --asn must be an AS number, got "abc"/);
  const r2 = spawnSyncCli(['health', '--vty', '/x', '--asn', '1', '--prefix', PREFIX, '--dns', SERVICE, '--name', 'c', '--interval', '100', '--timeout', '100']);
  t.regex(r2.stderr, /--timeout \(100\) must be shorter than --interval \(100\)/);
});

/** Waits until `agent` said it announced (its log) and bgpd holds the route. */
async function announcedBy(agent: ChildProcess, timeout = 15_000): Promise<void> {
  await until('the agent announced', () => output.get(agent)!(), (log) => /"event":"announce"/.test(log), timeout);
  await until('announcement', announced, (v) => v);
}

/**
 * Starts an agent and waits until it announced — this agent, by its own log line: bgpd's
 * table alone can still hold the previous test's route for a moment after that agent's
 * withdrawal (bgpd applies `no network` through its work queue), and a test that went on
 * then would fault a service the new agent had not even judged yet.
 */
async function announcedAgent(extra: string[] = []): Promise<ChildProcess> {
  const agent = startAgent(extra);
  await announcedBy(agent);
  await until('watchdog ready', () => output.get(agent)!(), (log) => log.includes('"event":"watchdog-ready"'), 15_000);
  return agent;
}

async function stopAgent(agent: ChildProcess): Promise<void> {
  if (agent.exitCode !== null || agent.signalCode !== null) return;
  const exited = new Promise((r) => agent.once('exit', r));
  // A test that failed may leave its agent stopped (SIGSTOP): wake it so SIGTERM lands.
  agent.kill('SIGCONT');
  agent.kill('SIGTERM');
  const killLater = setTimeout(() => agent.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killLater);
}

/** An announced agent that is stopped when the test ends, passed or failed, so no agent outlives its test. */
async function agentFor(t: { teardown(fn: () => Promise<void>): void }, extra: string[] = []): Promise<ChildProcess> {
  const agent = await announcedAgent(extra);
  lastAgent = { agent, view: [] };
  const mine = lastAgent;
  t.teardown(async () => {
    mine.view = await agentView();
    await stopAgent(agent);
  });
  return agent;
}

/** The agent's own view next to the test's, taken as its test ends: its live status, bgpd's table, who is in the namespace. */
async function agentView(): Promise<string[]> {
  const lines: string[] = [];
  const view = async (what: string, read: () => unknown) => {
    try {
      lines.push(`${what}: ${JSON.stringify(await read())}`);
    } catch (err) {
      lines.push(`${what}: ${(err as Error).message}`);
    }
  };
  await view('agent live status', liveStatus);
  await view(`bgpd: show bgp ipv4 unicast ${PREFIX} json`, () => vty.json(`show bgp ipv4 unicast ${PREFIX} json`));
  await view('processes in the namespace', () => sh(['ip', 'netns', 'pids', ns]).trim().split('\n').map((p) => `${p} ${existsSync(`/proc/${p}/comm`) ? readFileSync(`/proc/${p}/comm`, 'utf8').trim() : '?'}`));
  return lines;
}

/** The agent of the running test: its log (and its watchdog's) and its view explain a failure. */
let lastAgent: { agent: ChildProcess; view: string[] } | undefined;
test.afterEach.always((t) => {
  if (!t.passed && lastAgent) t.log(`agent output:\n${output.get(lastAgent.agent)!()}\n${lastAgent.view.join('\n')}`);
  lastAgent = undefined;
});

test.serial('bgpd restarted without the route: the agent puts it back within one interval', async (t) => {
  t.timeout(30_000);
  const agent = await agentFor(t);
  const exited = new Promise((r) => bgpd!.once('exit', r));
  bgpd!.kill('SIGKILL');
  await exited;
  startBgpd();
  // bgpd's config has no `network` line: only the agent can bring the route back.
  await until('bgpd vty again', () => vty.command('show version'), () => true);
  const upAt = Date.now();
  await until('route back after the bgpd restart', announced, (v) => v, 5000);
  const ms = Date.now() - upAt;
  t.log(`route back ${ms} ms after bgpd's vty answered (interval 200 ms)`);
  t.true(ms <= 200 + 150, `took ${ms} ms`);
  // The agent logs its announce once bgpd acknowledged it: the line may reach us just after the route did.
  await until('the agent says why it announced again', () => output.get(agent)!(), (log) => /"event":"announce".*"why":"(bgpd lost the announcement|vty connection re-opened|bgpd state unknown after a vty error)/.test(log), 2000);
  await stopAgent(agent);
});

test.serial('the service address leaves lo: withdrawn at once, back after it returns and rise probes pass', async (t) => {
  t.timeout(30_000);
  const agent = await agentFor(t);
  sh(['ip', 'netns', 'exec', ns, 'ip', 'addr', 'del', `${SERVICE}/32`, 'dev', 'lo']);
  t.teardown(() => {
    sh(['ip', 'netns', 'exec', ns, 'ip', 'addr', 'replace', `${SERVICE}/32`, 'dev', 'lo']);
  });
  await until('withdrawal when the address left lo', announced, (v) => !v, 2000);
  t.like(await statusLike({ state: 'down', announced: false }), { state: 'down', announced: false });
  t.regex(status().transitions.at(-1)!.reason, /service address 198\.18\.53\.53 is not on lo \(down at once/);
  sh(['ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', `${SERVICE}/32`, 'dev', 'lo']);
  await until('re-announcement with the address back', announced, (v) => v);
  await stopAgent(agent);
});

test.serial('hold-down: after a withdrawal the route stays away for --hold-down even when healthy again', async (t) => {
  t.timeout(30_000);
  const agent = await agentFor(t, ['--hold-down', '4000']);
  tinydns!.kill('SIGKILL');
  await until('withdrawal after the DNS service died', announced, (v) => !v);
  const withdrawnAt = Date.now();
  startTinydns();
  // status.json is rewritten on changes: wait for the up that follows the down, not the one before it.
  const healthy = await until('healthy again (state up after a down)', status, (s) => s.state === 'up' && s.transitions.some((x) => x.to === 'down'));
  t.truthy(healthy.holdDownUntil, `hold-down in the status: ${JSON.stringify(healthy)}`);
  t.false(await announced(), 'still withdrawn while the hold-down lasts');
  await until('re-announcement after the hold-down', announced, (v) => v, 5000);
  const heldMs = Date.now() - withdrawnAt;
  t.true(heldMs >= 4000 - 250, `re-announced ${heldMs} ms after the withdrawal`);
  await stopAgent(agent);
});

test.serial('the agent crashes (SIGKILL): its watchdog withdraws the route at once', async (t) => {
  t.timeout(30_000);
  const agent = await agentFor(t);
  const killedAt = Date.now();
  agent.kill('SIGKILL');
  await until('withdrawal by the watchdog', announced, (v) => !v, 3000);
  const ms = Date.now() - killedAt;
  t.log(`withdrawn ${ms} ms after the agent was killed`);
  t.true(ms < 1000, `took ${ms} ms`);
  await until('watchdog log line', () => output.get(agent)!(), (log) => /"event":"watchdog-withdraw","reason":"agent-died"/.test(log));
});

test.serial('the agent hangs (SIGSTOP): after --watchdog the watchdog kills it and withdraws', async (t) => {
  t.timeout(30_000);
  const agent = await agentFor(t, ['--watchdog', '1000']);
  const exited = new Promise<NodeJS.Signals | null>((r) => agent.once('exit', (_code, sig) => r(sig)));
  const stoppedAt = Date.now();
  agent.kill('SIGSTOP');
  await until('withdrawal by the watchdog', announced, (v) => !v, 5000);
  const ms = Date.now() - stoppedAt;
  t.log(`withdrawn ${ms} ms after the agent hung (watchdog 1000 ms)`);
  t.true(ms >= 1000 - 100 && ms < 1000 + 1000, `took ${ms} ms`);
  t.is(await exited, 'SIGKILL', 'the hung agent was killed so it cannot wake up and act on stale state');
  t.regex(output.get(agent)!(), /"event":"watchdog-withdraw","reason":"agent-hung"/);
});

test.serial('agent and watchdog frozen together (the whole host stopped) and thawed: no false hang', async (t) => {
  t.timeout(30_000);
  const agent = await agentFor(t, ['--watchdog', '1000']);
  const watchdog = Number(/"event":"watchdog-started","pid":(\d+)/.exec(output.get(agent)!())![1]);
  agent.kill('SIGSTOP');
  process.kill(watchdog, 'SIGSTOP');
  // The freeze itself: 2.5 s, longer than --watchdog.
  await new Promise((r) => setTimeout(r, 2500));
  process.kill(watchdog, 'SIGCONT');
  agent.kill('SIGCONT');
  // The agent's clock is CLOCK_MONOTONIC like ours: wait for a probe well past the watchdog's deadline.
  const thawedAt = Number(process.hrtime.bigint()) / 1e6;
  await until('a probe round 1.5 s after the thaw', liveStatus, (s) => (s.lastProbe?.at ?? 0) > thawedAt + 1500, 5000);
  t.is(agent.exitCode, null, 'the agent was not killed');
  t.is(agent.signalCode, null);
  t.true(await announced());
  t.notRegex(output.get(agent)!(), /watchdog-withdraw/);
  await stopAgent(agent);
});

test.serial('agent and bgpd frozen, the watchdog running (the lab freezes only the processes it knows): it holds, no kill', async (t) => {
  t.timeout(30_000);
  const agent = await agentFor(t, ['--watchdog', '1000']);
  agent.kill('SIGSTOP');
  bgpd!.kill('SIGSTOP');
  // The freeze itself: 2.5 s, more than two watchdog deadlines.
  await new Promise((r) => setTimeout(r, 2500));
  bgpd!.kill('SIGCONT');
  agent.kill('SIGCONT');
  await until('the watchdog held', () => output.get(agent)!(), (log) => log.includes('"event":"watchdog-hold"'));
  const thawedAt = Number(process.hrtime.bigint()) / 1e6;
  await until('a probe round 1.5 s after the thaw', liveStatus, (s) => (s.lastProbe?.at ?? 0) > thawedAt + 1500, 5000);
  t.is(agent.signalCode, null, 'the agent was not killed');
  t.true(await announced());
  t.notRegex(output.get(agent)!(), /watchdog-withdraw/);
  await stopAgent(agent);
});

test('bad watchdog and hold-down values exit 2 with the flag named', (t) => {
  const base = ['health', '--vty', '/x', '--asn', '1', '--prefix', PREFIX, '--dns', SERVICE, '--name', 'c'];
  t.regex(spawnSyncCli([...base, '--watchdog', '500']).stderr, /--watchdog \(500\) must be longer than two intervals \(1000\), or 0 for none/);
  t.regex(spawnSyncCli([...base, '--hold-down', '2s']).stderr, /--hold-down must be a whole number of milliseconds \(0 = off\), got "2s"/);
});

function spawnSyncCli(args: string[]): { status: number | null; stderr: string } {
  try {
    execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, stderr: '' };
  } catch (err) {
    const e = err as { status: number | null; stderr: string };
    return { status: e.status, stderr: e.stderr };
  }
}

/**
 * Simulated container hosts on this machine: `bgpdns-lab hosts up N --set S`
 * makes N network namespaces `S-host1` … `S-hostN`, each with its own Docker
 * engine (own socket, data root, exec root; no bridge, no iptables), joined by
 * an underlay: one veth per host into a namespace `S-ul` holding a bridge. The
 * bridge's own address is where the harness stands on the underlay (a real
 * setup's management network). Labs then place nodes on these hosts exactly as
 * on remote engines: by Docker endpoint and underlay address.
 *
 * dockerd is started with `nsenter --net` (not `ip netns exec`, which remounts
 * /sys and hides the cgroup hierarchy dockerd needs). Everything is found again
 * from the set's state file, or from names alone, so `hosts down` works after a
 * SIGKILLed harness.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import type { LabHost } from '../../topology/model.js';
import { engineAnswers } from '../docker/engine.js';
import { allContainers, removeContainer } from '../docker/containers.js';
import { ensureImages } from '../docker/cross-host.js';
import { findByArgv, isAlive, terminate } from '../procs.js';
import { spawnDetached } from '../spawn-detached.js';
import { addNamespace, deleteNamespace, namespaceNames } from '../netns-ip.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';

/** State of every set (outside /run/bgpdns-lab on purpose: every directory there is a lab). */
export const HOSTS_RUN_DIR = '/run/bgpdns-lab-hosts';
/** Image layers of the simulated engines (a disk, not tmpfs). */
export const HOSTS_DATA_DIR = '/var/lib/bgpdns-lab-hosts';
/** The underlay: host i has 198.19.254.i/24, the harness .254 on the bridge. */
const UNDERLAY_PREFIX = '198.19.254';
const UNDERLAY_HARNESS = `${UNDERLAY_PREFIX}.254`;
const MAX_HOSTS = 32;

export interface SimulatedHost extends LabHost {
  netns: string;
  dir: string;
  dataRoot: string;
  dockerd?: { pid: number; startTime: number };
}

export interface HostSet {
  set: string;
  /** Namespace holding the underlay bridge; the harness's address on it is `harness`. */
  underlayNetns: string;
  harness: string;
  hosts: SimulatedHost[];
}

const setDir = (set: string) => path.join(HOSTS_RUN_DIR, set);
const stateFile = (set: string) => path.join(setDir(set), 'hosts.json');

export function checkSetName(set: string): void {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(set)) throw new Error(`host set "${set}": use 1–31 lower-case letters, digits and "-", starting with a letter`);
}

export function readHostSet(set: string): HostSet | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(set), 'utf8')) as HostSet;
  } catch {
    return undefined;
  }
}

/** Sets with state on this machine. */
export function hostSets(): string[] {
  try {
    return readdirSync(HOSTS_RUN_DIR).filter((s) => existsSync(stateFile(s)));
  } catch {
    return [];
  }
}

function save(hs: HostSet): void {
  writeFileSync(stateFile(hs.set), JSON.stringify(hs, null, 1));
}

async function ip(args: string[], what: string): Promise<void> {
  const out = await $({ nothrow: true, quiet: true })`ip ${args}`;
  if (out.exitCode !== 0) throw new Error(`cannot ${what}: ${out.stderr.trim()}`);
}

function describe(i: number, set: string): SimulatedHost {
  const name = `host${i}`;
  const dir = path.join(setDir(set), name);
  return {
    name,
    netns: `${set}-${name}`,
    dir,
    dataRoot: path.join(HOSTS_DATA_DIR, set, name),
    endpoint: `unix://${path.join(dir, 'docker.sock')}`,
    underlay: `${UNDERLAY_PREFIX}.${i}`,
  };
}

/**
 * Make N hosts; on any failure everything made so far is torn down before the error
 * is thrown. `log` gets one line per step.
 */
export async function hostsUp(set: string, n: number, log: (line: string) => void = () => undefined, timeoutMs = 60_000): Promise<HostSet> {
  checkSetName(set);
  if (!Number.isInteger(n) || n < 1 || n > MAX_HOSTS) throw new Error(`hosts up: N must be 1–${MAX_HOSTS}, got ${n}`);
  if (existsSync(setDir(set)) || (await namespacesOf(set)).length > 0) {
    throw new Error(`host set "${set}" exists already; take it down first: bgpdns-lab hosts down --set ${set}`);
  }
  const hs: HostSet = { set, underlayNetns: `${set}-ul`, harness: UNDERLAY_HARNESS, hosts: [] };
  mkdirSync(setDir(set), { recursive: true });
  save(hs);
  try {
    await addNamespace(hs.underlayNetns);
    await ip(['-n', hs.underlayNetns, 'link', 'add', 'br0', 'type', 'bridge'], 'create the underlay bridge');
    await ip(['-n', hs.underlayNetns, 'addr', 'add', `${UNDERLAY_HARNESS}/24`, 'dev', 'br0'], 'address the underlay bridge');
    await ip(['-n', hs.underlayNetns, 'link', 'set', 'br0', 'up'], 'bring the underlay bridge up');
    for (let i = 1; i <= n; i++) {
      const h = describe(i, set);
      hs.hosts.push(h);
      save(hs);
      await addNamespace(h.netns);
      await ip(['link', 'add', 'ul0', 'netns', h.netns, 'type', 'veth', 'peer', 'name', h.name, 'netns', hs.underlayNetns], `wire ${h.name} to the underlay`);
      await ip(['-n', hs.underlayNetns, 'link', 'set', h.name, 'master', 'br0', 'up'], `attach ${h.name} to the underlay bridge`);
      await ip(['-n', h.netns, 'addr', 'add', `${h.underlay}/24`, 'dev', 'ul0'], `address ${h.name}`);
      await ip(['-n', h.netns, 'link', 'set', 'ul0', 'up'], `bring ${h.name}'s underlay up`);
      await ip(['-n', h.netns, 'link', 'set', 'lo', 'up'], `bring ${h.name}'s loopback up`);
    }
    await Promise.all(hs.hosts.map((h) => startEngine(hs, h, timeoutMs, log)));
    return hs;
  } catch (err) {
    await hostsDown(set, log).catch((e) => log(`clean-up after the failure failed too: ${(e as Error).message}`));
    throw err;
  }
}

async function startEngine(hs: HostSet, h: SimulatedHost, timeoutMs: number, log: (line: string) => void): Promise<void> {
  mkdirSync(h.dir, { recursive: true });
  mkdirSync(h.dataRoot, { recursive: true });
  // An empty config: the machine's /etc/docker/daemon.json belongs to its own engine.
  const config = path.join(h.dir, 'daemon.json');
  writeFileSync(config, '{}\n');
  const logFile = path.join(h.dir, 'dockerd.log');
  const started = Date.now();
  const child = await spawnDetached(
    'nsenter',
    [
      `--net=/run/netns/${h.netns}`,
      'dockerd',
      '--config-file', config,
      '--data-root', h.dataRoot,
      '--exec-root', path.join(h.dir, 'exec'),
      '-H', h.endpoint,
      '--pidfile', path.join(h.dir, 'dockerd.pid'),
      '--bridge', 'none',
      '--iptables=false',
      '--ip6tables=false',
    ],
    { logFile, cwd: h.dir, what: `dockerd for ${h.name}` },
  );
  h.dockerd = { pid: child.pid, startTime: child.startTime };
  save(hs);
  // The wait also ends when dockerd exits: nothing would answer any more.
  const { value: engine } = await waitUntil(
    async () => ({ answers: await engineAnswers(1000, h.endpoint), alive: isAlive(child.pid, child.startTime) }),
    (s) => s.answers || !s.alive,
    {
      what: `dockerd of ${h.name} answers`,
      timeout: Math.max(0, timeoutMs - (Date.now() - started)),
      interval: 200,
      onTimeout: () => new Error(`dockerd of ${h.name} (pid ${child.pid}) did not answer within ${timeoutMs / 1000} s; see ${logFile}`),
    },
  );
  if (!engine.answers) throw new Error(`dockerd of ${h.name} exited while starting; see ${logFile}`);
  log(`${h.name}: namespace ${h.netns}, underlay ${h.underlay}, engine ${h.endpoint} (dockerd pid ${child.pid}, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

async function namespacesOf(set: string): Promise<string[]> {
  return (await namespaceNames()).filter((n) => n === `${set}-ul` || new RegExp(`^${set}-host\\d+$`).test(n));
}

/** Processes of a set: dockerd, its containerd and shims all name the set's directories. */
function processesOf(set: string): number[] {
  return findByArgv(new Set(), [`${setDir(set)}/`, `${path.join(HOSTS_DATA_DIR, set)}/`]);
}

async function mountsUnder(roots: string[]): Promise<string[]> {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m): m is string => m !== undefined && roots.some((r) => m === r || m.startsWith(`${r}/`)));
  // Deepest first.
  return mounts.sort((a, b) => b.length - a.length);
}

/**
 * Take a set down: every container on its engines, the engines (by PID; their
 * containerd and shims by the set's paths in their argv), mounts, namespaces and
 * directories. Idempotent; works from the state file or, without one, from names.
 */
export async function hostsDown(set: string, log: (line: string) => void = () => undefined): Promise<void> {
  checkSetName(set);
  const hs = readHostSet(set);
  for (const h of hs?.hosts ?? []) {
    if (!h.dockerd || !isAlive(h.dockerd.pid, h.dockerd.startTime)) continue;
    if (await engineAnswers(1000, h.endpoint)) {
      const all = await allContainers(h.endpoint).catch(() => []);
      await Promise.all(all.map((c) => removeContainer(c.id, h.endpoint).catch(() => undefined)));
      if (all.length) log(`${h.name}: removed ${all.length} container(s)`);
    }
    await terminate([h.dockerd], 20_000);
    log(`${h.name}: dockerd (pid ${h.dockerd.pid}) stopped`);
  }
  const stray = processesOf(set);
  if (stray.length) {
    await terminate(stray.map((pid) => ({ pid })), 5000);
    log(`stopped ${stray.length} leftover engine process(es)`);
  }
  const roots = [setDir(set), path.join(HOSTS_DATA_DIR, set)];
  for (const m of await mountsUnder(roots)) await $({ nothrow: true, quiet: true })`umount -l ${m}`;
  for (const ns of await namespacesOf(set)) await deleteNamespace(ns);
  for (const r of roots) await rm(r, { recursive: true, force: true });
  // The parents go too once no set uses them.
  for (const parent of [HOSTS_RUN_DIR, HOSTS_DATA_DIR]) await rmdir(parent).catch(() => undefined);
  const left = await hostSetLeftovers(set);
  if (left.length) throw new Error(`host set ${set}: hosts down left ${left.join(', ')}`);
}

/** What of a set still exists: namespaces, processes, mounts, directories (empty when it is down). */
export async function hostSetLeftovers(set: string): Promise<string[]> {
  const out: string[] = [];
  for (const ns of await namespacesOf(set)) out.push(`netns ${ns}`);
  for (const pid of processesOf(set)) out.push(`process ${pid}`);
  const roots = [setDir(set), path.join(HOSTS_DATA_DIR, set)];
  for (const m of await mountsUnder(roots)) out.push(`mount ${m}`);
  for (const r of roots) if (existsSync(r)) out.push(`dir ${r}`);
  return out;
}

/** The hosts of a running set as a lab names them (Docker endpoint + underlay address). */
export function labHostsOf(set: string): LabHost[] {
  const hs = readHostSet(set);
  if (!hs) throw new Error(`no host set "${set}" on this machine; make one: bgpdns-lab hosts up N --set ${set}`);
  return hs.hosts.map(({ name, endpoint, underlay }) => ({ name, endpoint, underlay }));
}

/**
 * Copy images from the harness's engine to a host's before a deploy needs them
 * (a deploy copies what is missing itself, but a first copy takes a minute).
 */
export async function loadImages(set: string, host: string, refs: string[]): Promise<void> {
  const h = readHostSet(set)?.hosts.find((x) => x.name === host);
  if (!h) throw new Error(`host set ${set} has no host "${host}"`);
  await ensureImages(refs, h.endpoint);
}

/** Endpoints of every simulated host on this machine (for leak checks across labs). */
export function simulatedEndpoints(): string[] {
  return hostSets().flatMap((s) => readHostSet(s)?.hosts.map((h) => h.endpoint) ?? []);
}

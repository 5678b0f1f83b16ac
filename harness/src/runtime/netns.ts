import os from 'node:os';
import path from 'node:path';
import { $ } from 'zx';
import type { Lab, LabLink, LabNode } from '../topology/model.js';
import { netnsName } from '../topology/names.js';
import type { ExecOptions, ExecResult, Leftover, NodeProcess, Runtime, SpawnOptions } from './runtime.js';
import { LabStateFile, labDir, readState } from './lab-state.js';
import { isAlive, terminate } from './procs.js';
import { spawnDetached } from './spawn-detached.js';
import { IpBatcher } from './ip-batch.js';
import { execResult } from './exec-result.js';
import { destroyNetnsLab, netnsLeftovers } from './netns-destroy.js';
import { ensureNodeCgroup, joiningArgv, machineFreezers, setFrozen, type CgroupFreezer } from './node-cgroups.js';
import { nodeSysctlArgv } from './node-sysctls.js';

/**
 * The embedded runtime: one network namespace per node (`<lab>.<node>`, see
 * topology/names.ts), veth pairs created directly inside both namespaces with the
 * interface names from the file, daemons as child processes entered with
 * `ip netns exec`, node files in /run/bgpdns-lab/<lab>/<node>/.
 *
 * Lab-building commands are coalesced into `ip -batch` runs of validated names
 * (ip-batch.ts); other one-shot commands go through zx templates (arguments are
 * quoted by zx, never pasted into a string). Daemons are started with child_process.spawn and an argv
 * array (no shell at all) because they must outlive a pipe: their output goes
 * straight to a log file, and they run in their own process group so a Ctrl-C
 * reaches the harness, which then stops them in order, by PID. Each runs in its
 * node's cgroup (node-cgroups.ts), which is how a node freezes at once.
 */
export class NetnsRuntime implements Runtime {
  readonly name = 'netns' as const;
  private states = new Map<string, LabStateFile>();
  private batchers = new Map<string, IpBatcher>();
  /** Node cgroups made so far: `<lab>/<node>` → its cgroup.procs file. */
  private cgroups = new Map<string, Promise<string>>();
  /** The hierarchy node cgroups live in; undefined: this machine has no freezer. */
  readonly freezer: CgroupFreezer | undefined;
  /** Present only when the machine has a freezer (see Runtime.freezeNode). */
  readonly freezeNode?: (lab: Lab, node: string) => Promise<void>;
  readonly thawNode?: (lab: Lab, node: string) => Promise<void>;

  /** `freezer`: which hierarchy to use (tests pick each); default the machine's first, null for none. */
  constructor(opts: { freezer?: CgroupFreezer | null } = {}) {
    const f = opts.freezer === undefined ? machineFreezers()[0] : (opts.freezer ?? undefined);
    this.freezer = f;
    if (f) {
      this.freezeNode = (lab, node) => setFrozen(f, lab.name, node, true);
      this.thawNode = (lab, node) => setFrozen(f, lab.name, node, false);
    }
  }

  /** The node's cgroup.procs file, the cgroup made on first use (named by lab and node, see node-cgroups.ts). */
  private cgroupOf(lab: Lab, node: string): Promise<string> | undefined {
    const f = this.freezer;
    if (!f) return undefined;
    const key = `${lab.name}/${node}`;
    let procs = this.cgroups.get(key);
    if (!procs) {
      procs = ensureNodeCgroup(f, lab.name, node);
      procs.catch(() => this.cgroups.delete(key));
      this.cgroups.set(key, procs);
    }
    return procs;
  }

  /** Lab-building commands (namespaces, links) of one lab, coalesced into `ip -batch` runs (see ip-batch.ts). */
  private ip(lab: Lab): IpBatcher {
    let b = this.batchers.get(lab.name);
    if (!b) {
      b = new IpBatcher(labDir(lab.name), Math.max(2, os.cpus().length));
      this.batchers.set(lab.name, b);
    }
    return b;
  }

  /** The state record of a lab this process deploys (created on first use). */
  state(lab: Lab): LabStateFile {
    let st = this.states.get(lab.name);
    if (!st) {
      st = LabStateFile.openOrCreate(lab);
      this.states.set(lab.name, st);
    }
    return st;
  }

  async createNode(lab: Lab, node: LabNode): Promise<void> {
    const ns = netnsName(lab.name, node.name);
    // Recorded before it exists: a harness killed mid-command still leaves a findable name.
    this.state(lab).addNamespace(ns);
    await this.ip(lab).run(
      [
        ['netns', 'add', ns],
        ['netns', 'exec', ns, 'ip', 'link', 'set', 'dev', 'lo', 'up'],
        // Forwarding on, whatever the host has (node-sysctls.ts): a router must route on a fresh machine too.
        ['netns', 'exec', ns, ...nodeSysctlArgv()],
      ],
      `create namespace ${ns} for node ${node.name}`,
    );
  }

  async wireLink(lab: Lab, link: LabLink): Promise<void> {
    const nsA = netnsName(lab.name, link.a.node);
    const nsB = netnsName(lab.name, link.b.node);
    const mtu = link.mtu !== undefined ? ['mtu', String(link.mtu)] : [];
    const what = `link ${link.a.node}:${link.a.iface} <-> ${link.b.node}:${link.b.iface}`;
    // The first end can be created up; the kernel refuses IFF_UP for the peer in the same request.
    await this.ip(lab).run(
      [
        ['link', 'add', link.a.iface, 'netns', nsA, ...mtu, 'up', 'type', 'veth', 'peer', 'name', link.b.iface, 'netns', nsB, ...mtu],
        ['netns', 'exec', nsB, 'ip', 'link', 'set', 'dev', link.b.iface, 'up'],
      ],
      `create ${what}`,
    );
  }

  async exec(lab: Lab, node: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const ns = netnsName(lab.name, node);
    // Not through the command limit: a user's exec may run long and must not hold up others.
    const out = await $({
      nothrow: true,
      quiet: true,
      input: opts.input,
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      timeout: opts.timeoutMs,
    })`ip netns exec ${ns} ${argv}`;
    return execResult(out, opts.timeoutMs);
  }

  async execAttached(lab: Lab, node: string, argv: string[], opts: Pick<ExecOptions, 'env' | 'cwd'> = {}): Promise<number> {
    const out = await $({ stdio: 'inherit', nothrow: true, quiet: true, cwd: opts.cwd, env: { ...process.env, ...opts.env } })`ip netns exec ${netnsName(lab.name, node)} ${argv}`;
    return out.exitCode ?? 128;
  }

  async spawn(lab: Lab, node: string, argv: string[], opts: SpawnOptions = {}): Promise<NodeProcess> {
    const ns = netnsName(lab.name, node);
    const dir = this.nodeDir(lab, node);
    const role = opts.role ?? path.basename(argv[0]);
    const logFile = opts.logFile ?? path.join(dir, `${path.basename(argv[0])}.log`);
    const inNs = ['ip', 'netns', 'exec', ns, ...argv];
    // The node's own processes join its cgroup (frozen with it); instruments beside it do not.
    const cgroup = opts.placement === 'beside' ? undefined : this.cgroupOf(lab, node);
    const [file, ...args] = cgroup ? joiningArgv(await cgroup, inNs) : inNs;
    const child = await spawnDetached(file, args, {
      logFile,
      cwd: opts.cwd ?? dir,
      env: opts.env,
      what: `${argv[0]} in node ${node}`,
    });
    // Recorded before anyone relies on it: a SIGKILLed harness leaves a findable PID.
    this.state(lab).addProcess({ node, role, pid: child.pid, startTime: child.startTime, argv });
    return new SpawnedProcess(node, role, child.pid, child.startTime, argv, child.exited);
  }

  netnsPath(lab: Lab, node: string): string {
    return `/run/netns/${netnsName(lab.name, node)}`;
  }

  nodeDir(lab: Lab, node: string): string {
    return path.join(labDir(lab.name), node);
  }

  async destroy(labName: string): Promise<void> {
    const st = this.states.get(labName);
    if (st) st.setStatus('destroying');
    await destroyNetnsLab(labName);
    this.states.delete(labName);
    this.batchers.delete(labName);
    for (const key of this.cgroups.keys()) if (key.startsWith(`${labName}/`)) this.cgroups.delete(key);
  }

  leftovers(labName?: string): Promise<Leftover[]> {
    return netnsLeftovers(labName);
  }
}

/** A process this harness started (exit known from the child) or found in a state file (exit polled via /proc). */
export class SpawnedProcess implements NodeProcess {
  constructor(
    readonly node: string,
    readonly role: string,
    readonly pid: number,
    readonly startTime: number,
    readonly argv: string[],
    readonly exited: Promise<number | string>,
  ) {}

  signal(sig: NodeJS.Signals): void {
    if (isAlive(this.pid, this.startTime)) process.kill(this.pid, sig);
  }

  async stop(graceMs = 1000): Promise<void> {
    await terminate([{ pid: this.pid, startTime: this.startTime }], graceMs);
  }

  get alive(): boolean {
    return isAlive(this.pid, this.startTime);
  }
}

/** A process from a lab's state file, seen from another harness process (no child handle). */
export function attachedProcess(p: { node: string; role: string; pid: number; startTime: number; argv: string[] }): SpawnedProcess {
  const exited = new Promise<number | string>((resolve) => {
    const timer = setInterval(() => {
      if (!isAlive(p.pid, p.startTime)) {
        clearInterval(timer);
        resolve('unknown');
      }
    }, 100);
    timer.unref();
  });
  return new SpawnedProcess(p.node, p.role, p.pid, p.startTime, p.argv, exited);
}

export { readState };

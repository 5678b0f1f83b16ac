/**
 * The Docker runtime: one container per node, run from the images built
 * offline from images/ (never pulled), named and labelled the way containerlab
 * does it (`<prefix>-<lab>-<node>`, labels containerlab=<lab>,
 * clab-node-name=<node>) plus our own lab/node/run labels for the reaper.
 *
 * Networking: `--network none` (loopback only, no route off the machine, no
 * DNS forwarder); every data-plane link is a veth pair created directly inside
 * the two containers' namespaces with the names from the topology file —
 * Docker's own (internal) networks would drop routed traffic.
 *
 * Files: the node directory (/run/bgpdns-lab/<lab>/<node>) is bind-mounted at
 * the same path, so kinds write configs on the host, daemons find them inside,
 * and FRR's vty sockets answer the harness exactly as under netns.
 *
 * Where a command runs is declared, not guessed (SpawnOptions/ExecOptions.placement):
 *  - 'node' (the default): inside the container (docker exec); the kind chose an
 *    argv that exists in its image (kinds/*.ts nodeImage, kinds/bgpdns-command.ts);
 *  - 'beside': an instrument (DNS prober, route injector) on the host inside the
 *    container's network namespace (`nsenter --net`), as it would run under netns;
 *    for a node on another host, in the agent container beside it.
 */
import { spawn as spawnChild } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { $, type ProcessPromise } from 'zx';
import type { Lab, LabLink, LabNode } from '../topology/model.js';
import type { ExecOptions, ExecResult, Leftover, NodeProcess, Runtime, SpawnOptions } from './runtime.js';
import type { RuntimeName } from './names.js';
import { LabStateFile, labDir, readState, statePath, type StateProcess } from './lab-state.js';
import { findByArgv, procStartTime, terminate } from './procs.js';
import { SpawnedProcess } from './netns.js';
import { engineAnswers, requireEngine } from './docker/engine.js';
import { CrossHost } from './docker/cross-host.js';
import {
  CLAB_KIND,
  CLAB_LAB,
  CLAB_NODE,
  CLAB_TOPO,
  LABEL_KIND,
  LABEL_LAB,
  LABEL_NODE,
  LABEL_RUN,
  containerName,
  containerPid,
  containersWith,
  createAndStart,
  networksWith,
  pauseContainer,
  removeContainer,
  removeNetwork,
  unpauseContainer,
} from './docker/containers.js';
import { execAttached, execIn, spawnIn } from './docker/exec.js';
import { execResult } from './exec-result.js';
import { dockerImageOf } from './docker/kind-image.js';
import { LABEL_HOST, clockExchanges, hostAgentsOf } from './docker/host-agent.js';
import { agentInstrument, spawnInAgent, startNodeAgent } from './docker/node-agent.js';
import { remoteVtyRoute } from './docker/remote-vty.js';
import { NodeDirCopies, copyBinds } from './docker/node-files.js';
import { addVtyRoute } from '../frr/frr-control.js';
import { estimateOffset, type ClockEstimate } from '../run/host-clock.js';
import { monoNow } from '../clock.js';
import { hostOf } from '../topology/hosts.js';
import { simulatedEndpoints } from './hosts/simulated-hosts.js';
import { removeStrayTunnels as removeLocalStrayTunnels, strayTunnels } from './hosts/stray-tunnels.js';
import { NODE_SYSCTLS } from './node-sysctls.js';

/** One host's clock estimate, taken at `at` on the harness's monotonic clock. */
export interface HostClock extends ClockEstimate {
  host: string;
  at: number;
}

/** A node's container as this (or another) harness process knows it. */
export interface NodeContainer {
  id: string;
  name: string;
  pid: number;
  image: string;
  /** Docker endpoint of the node's host; absent: the harness's own engine. */
  endpoint?: string;
  /** Name of that host in the lab's hosts. */
  host?: string;
}

/**
 * What FRR needs (NET_ADMIN + SYS_ADMIN; ip/nft need NET_ADMIN). Not privileged (hosts
 * like this one refuse the full capability set); /proc/sys is writable instead, so exec
 * lines may set the node's own network sysctls as they can under containerlab.
 */
const CAPS = ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'];

export interface DockerRuntimeOptions {
  /** Run id put in every container's bgpdns-lab.run label. */
  runId?: string;
}

function containersFile(lab: string): string {
  return path.join(labDir(lab), 'containers.json');
}

export class DockerRuntime implements Runtime {
  readonly name: Extract<RuntimeName, 'docker' | 'attach'> = 'docker';
  protected readonly known = new Map<string, Map<string, NodeContainer>>();
  /** Instruments started on the host in a node's namespace (not in the container). */
  private readonly hostProcs = new Map<string, SpawnedProcess[]>();
  private readonly states = new Map<string, LabStateFile>();
  /** Host agents, images and tunnels of labs placed on several hosts. */
  private readonly crossHost: CrossHost;
  readonly runId: string;

  constructor(opts: DockerRuntimeOptions = {}) {
    this.runId = opts.runId ?? process.env.BGPDNS_RUN_ID ?? `deploy-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
    this.crossHost = new CrossHost(this.runId);
    // FRR of a node on another host is asked through that host's engine, never its vty socket.
    addVtyRoute(remoteVtyRoute((lab, node) => this.containerSync(lab, node)));
  }

  /** The lab's state record (model, processes) so other harness processes can reopen it. */
  state(lab: Lab): LabStateFile {
    let st = this.states.get(lab.name);
    if (!st) {
      st = LabStateFile.openOrCreate(lab, 'docker');
      this.states.set(lab.name, st);
    }
    return st;
  }

  /** Put a started process in the lab's state file (destroy and other harness processes find it there). */
  protected recordProcess(lab: Lab, p: StateProcess): void {
    this.state(lab).addProcess(p);
  }

  protected remember(lab: string, node: string, c: NodeContainer): void {
    let nodes = this.known.get(lab);
    if (!nodes) this.known.set(lab, (nodes = new Map()));
    nodes.set(node, c);
    // Written synchronously so netnsPath works from another harness process too.
    mkdirSync(labDir(lab), { recursive: true, mode: 0o755 });
    const file = containersFile(lab);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(nodes), null, 1));
    renameSync(tmp, file);
  }

  /** The node's container, from memory, the lab's containers.json, or the engine (by labels). */
  protected containerSync(lab: string, node: string): NodeContainer | undefined {
    const mem = this.known.get(lab)?.get(node);
    if (mem) return mem;
    try {
      const all = JSON.parse(readFileSync(containersFile(lab), 'utf8')) as Record<string, NodeContainer>;
      const nodes = new Map(Object.entries(all));
      this.known.set(lab, nodes);
      return nodes.get(node);
    } catch {
      return undefined;
    }
  }

  protected async container(lab: string, node: string): Promise<NodeContainer> {
    const found = this.containerSync(lab, node);
    if (found) return found;
    await this.load(lab);
    const loaded = this.known.get(lab)?.get(node);
    if (!loaded) throw new Error(`lab ${lab}: no container for node ${node} (is the lab deployed with --runtime docker?)`);
    return loaded;
  }

  /** Look the lab's containers up by containerlab's labels (ours carry them too). */
  async load(lab: string): Promise<Map<string, NodeContainer>> {
    await requireEngine();
    const nodes = new Map<string, NodeContainer>();
    for (const endpoint of this.endpointsOf(lab)) {
      for (const c of await containersWith(CLAB_LAB, lab, endpoint)) {
        const node = c.labels[CLAB_NODE];
        if (!node) continue;
        const { pid } = await containerPid(c.id, endpoint);
        nodes.set(node, { id: c.id, name: c.name, pid, image: '', ...(endpoint ? { endpoint, host: c.labels[LABEL_HOST] } : {}) });
      }
    }
    this.known.set(lab, nodes);
    return nodes;
  }

  /** The harness's engine (undefined) and every host engine the lab's model names. */
  protected endpointsOf(lab: string): (string | undefined)[] {
    const hosts = readState(lab)?.model.hosts ?? [];
    return [undefined, ...new Set(hosts.map((h) => h.endpoint))];
  }

  async createNode(lab: Lab, node: LabNode): Promise<void> {
    const host = hostOf(lab, node.name);
    await requireEngine(3000, host?.endpoint);
    // Recorded before the container exists: a harness killed mid-create leaves a findable lab.
    this.state(lab);
    const dir = this.nodeDir(lab, node.name);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const image = dockerImageOf(node);
    if (host) await this.crossHost.prepare(lab, host);
    const name = containerName(lab.prefix, lab.name, node.name);
    const labels: Record<string, string> = {
      ...node.labels,
      [LABEL_LAB]: lab.name,
      [LABEL_NODE]: node.name,
      [LABEL_RUN]: this.runId,
      [LABEL_KIND]: node.kind,
      [CLAB_LAB]: lab.name,
      [CLAB_NODE]: node.name,
      [CLAB_KIND]: node.kind,
      [CLAB_TOPO]: lab.file,
      ...(host ? { [LABEL_HOST]: host.name } : {}),
    };
    const { id, pid } = await createAndStart({
      name,
      image,
      hostname: node.name,
      labels,
      env: node.env,
      // On another host nothing is bind-mounted from here: the node directory is the container's own volume, files are copied in.
      binds: host ? [] : containerBinds(lab, node, dir),
      ...(host ? { volumes: [dir] } : {}),
      capAdd: CAPS,
      sysctls: { ...NODE_SYSCTLS },
      cmd: ['sleep', 'infinity'],
    }, host?.endpoint);
    if (host) await copyBinds({ id, endpoint: host.endpoint }, containerBinds(lab, node, dir).slice(0, -1));
    this.remember(lab.name, node.name, { id, name, pid, image, ...(host ? { endpoint: host.endpoint, host: host.name } : {}) });
  }

  async wireLink(lab: Lab, link: LabLink): Promise<void> {
    const a = await this.container(lab.name, link.a.node);
    const b = await this.container(lab.name, link.b.node);
    // A link between hosts is a VXLAN tunnel over the underlay; on one host, a veth pair.
    if (a.host !== b.host) return this.crossHost.tunnel(lab, link, a, b);
    const mtu = link.mtu !== undefined ? ['mtu', String(link.mtu)] : [];
    const what = `link ${link.a.node}:${link.a.iface} <-> ${link.b.node}:${link.b.iface}`;
    await run($`ip link add ${link.a.iface} netns ${a.pid} ${mtu} type veth peer name ${link.b.iface} netns ${b.pid} ${mtu}`, `create ${what}`);
    await Promise.all([
      run($`nsenter --net=${`/proc/${a.pid}/ns/net`} ip link set dev ${link.a.iface} up`, `bring up ${link.a.node}:${link.a.iface}`),
      run($`nsenter --net=${`/proc/${b.pid}/ns/net`} ip link set dev ${link.b.iface} up`, `bring up ${link.b.node}:${link.b.iface}`),
    ]);
  }

  async exec(lab: Lab, node: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const c = await this.container(lab.name, node);
    if ((opts.placement ?? 'node') === 'node' && c.host !== undefined) await this.nodeDirCopies.sync(c, this.nodeDir(lab, node));
    if ((opts.placement ?? 'node') === 'node') return execIn(c.id, argv, { ...opts, cwd: opts.cwd === undefined ? undefined : this.containerCwd(lab, node, opts.cwd) }, c.endpoint);
    const out = await $({
      nothrow: true,
      quiet: true,
      input: opts.input,
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      timeout: opts.timeoutMs,
    })`nsenter --net=${`/proc/${c.pid}/ns/net`} -- ${argv}`;
    return execResult(out, opts.timeoutMs);
  }

  async execAttached(lab: Lab, node: string, argv: string[], opts: Pick<ExecOptions, 'env' | 'cwd' | 'placement'> = {}): Promise<number> {
    const c = await this.container(lab.name, node);
    if ((opts.placement ?? 'node') === 'node' && c.host !== undefined) await this.nodeDirCopies.sync(c, this.nodeDir(lab, node));
    if ((opts.placement ?? 'node') === 'node') return execAttached(c.id, argv, { env: opts.env, cwd: opts.cwd === undefined ? undefined : this.containerCwd(lab, node, opts.cwd) }, c.endpoint);
    const out = await $({ stdio: 'inherit', nothrow: true, quiet: true, cwd: opts.cwd, env: { ...process.env, ...opts.env } })`nsenter --net=${`/proc/${c.pid}/ns/net`} -- ${argv}`;
    return out.exitCode ?? 128;
  }

  async spawn(lab: Lab, node: string, argv: string[], opts: SpawnOptions = {}): Promise<NodeProcess> {
    const dir = this.nodeDir(lab, node);
    const role = opts.role ?? path.basename(argv[0]);
    const logFile = opts.logFile ?? path.join(dir, `${path.basename(argv[0])}.log`);
    const c = await this.container(lab.name, node);
    const beside = opts.placement === 'beside';
    // An instrument for a node on another host runs in the agent beside it, not through nsenter here.
    const instrument = beside && c.host !== undefined && opts.instrument ? agentInstrument(opts.instrument) : undefined;
    if (instrument) return this.spawnBesideNode(lab, node, role, argv, instrument, c, logFile);
    if (!beside) {
      if (c.host !== undefined) await this.nodeDirCopies.sync(c, dir);
      const started = await spawnIn(c.id, argv, this.insideContainer(c, logFile), { env: opts.env, cwd: this.containerCwd(lab, node, opts.cwd) }, c.endpoint);
      this.recordProcess(lab, { node, role, pid: started.pid, startTime: started.startTime ?? 0, argv });
      return new SpawnedProcess(node, role, started.pid, started.startTime ?? 0, argv, started.exited);
    }
    const fd = openSync(logFile, 'a');
    let child;
    try {
      child = spawnChild('nsenter', [`--net=/proc/${c.pid}/ns/net`, '--', ...argv], {
        cwd: opts.cwd ?? dir,
        env: { ...process.env, ...opts.env },
        stdio: ['ignore', fd, fd],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    const pid = child.pid;
    if (pid === undefined) {
      const err = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new Error(`node ${node}: cannot start ${argv[0]}: ${err.message}`);
    }
    child.unref();
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    const proc = new SpawnedProcess(node, role, pid, procStartTime(pid) ?? 0, argv, exited);
    this.recordProcess(lab, { node, role, pid, startTime: proc.startTime, argv });
    const list = this.hostProcs.get(lab.name) ?? [];
    list.push(proc);
    this.hostProcs.set(lab.name, list);
    return proc;
  }

  /** What of each node directory was copied into its container on another host. */
  private readonly nodeDirCopies = new NodeDirCopies();
  /** Agents beside nodes on other hosts: lab → node → container id. */
  private readonly nodeAgents = new Map<string, Map<string, Promise<string>>>();
  /** Latest clock offset of each host (host clock − harness clock, ms), from hostClocks. */
  private readonly clockOffsets = new Map<string, number>();

  private async spawnBesideNode(lab: Lab, node: string, role: string, argv: string[], instrument: { file: string; args: string[] }, c: NodeContainer, logFile: string): Promise<NodeProcess> {
    const endpoint = c.endpoint!;
    let perLab = this.nodeAgents.get(lab.name);
    if (!perLab) this.nodeAgents.set(lab.name, (perLab = new Map()));
    let agent = perLab.get(node);
    if (!agent) {
      agent = startNodeAgent(lab.prefix, lab.name, node, { id: c.id, endpoint }, this.runId);
      perLab.set(node, agent);
    }
    const out = instrument.args.indexOf('--out');
    if (out < 0 || out + 1 >= instrument.args.length) throw new Error(`node ${node}: ${role} beside a node on another host needs --out FILE (its samples are streamed there)`);
    const outFile = instrument.args[out + 1];
    const args = [...instrument.args.slice(0, out), ...instrument.args.slice(out + 2)];
    if (!this.clockOffsets.has(c.host!)) await this.hostClocks(lab);
    return spawnInAgent(await agent, endpoint, { node, role, argv, file: instrument.file, args, outFile, logFile, clockOffsetMs: this.clockOffsets.get(c.host!) ?? 0 });
  }

  /** Only the lab directory is shared with the container; a host cwd elsewhere (the repo) becomes the node directory. */
  private containerCwd(lab: Lab, node: string, cwd: string | undefined): string {
    const c = this.containerSync(lab.name, node);
    const dir = this.nodeDir(lab, node);
    const chosen = cwd !== undefined && (cwd === labDir(lab.name) || cwd.startsWith(`${labDir(lab.name)}/`)) ? cwd : dir;
    return c ? this.insideContainer(c, chosen) : chosen;
  }

  /** The path a host path has inside the container (node directories are bind-mounted at the same path). */
  protected insideContainer(c: NodeContainer, hostPath: string): string {
    const root = `/proc/${c.pid}/root`;
    return hostPath.startsWith(`${root}/`) ? hostPath.slice(root.length) : hostPath;
  }

  /**
   * Each host's clock against the harness's (offset and error bound), by
   * request/response through the lab's agent on that host. Empty for a lab on one engine.
   */
  async hostClocks(lab: Lab, rounds = 8): Promise<HostClock[]> {
    const out: HostClock[] = [];
    for (const host of lab.hosts ?? []) {
      if (!lab.nodes.some((n) => n.host === host.name)) continue;
      const [agent] = await hostAgentsOf(lab.name, host.endpoint);
      if (!agent) throw new Error(`lab ${lab.name}: no agent on host ${host.name} to read its clock`);
      const at = monoNow();
      const estimate = estimateOffset(await clockExchanges({ id: agent.id, host }, rounds));
      this.clockOffsets.set(host.name, estimate.offsetMs);
      out.push({ host: host.name, at, ...estimate });
    }
    return out;
  }

  netnsPath(lab: Lab, node: string): string {
    const c = this.containerSync(lab.name, node);
    if (!c) throw new Error(`lab ${lab.name}: node ${node} has no container yet (netnsPath before createNode?)`);
    return `/proc/${c.pid}/ns/net`;
  }

  nodeDir(lab: Lab, node: string): string {
    return path.join(labDir(lab.name), node);
  }

  /** Freeze every process of the node at once (cgroup freezer): a silent failure, TCP stays open. */
  async freezeNode(lab: Lab, node: string): Promise<void> {
    const c = await this.container(lab.name, node);
    await pauseContainer(c.id, c.endpoint);
  }

  async thawNode(lab: Lab, node: string): Promise<void> {
    const c = await this.container(lab.name, node);
    await unpauseContainer(c.id, c.endpoint);
  }

  /**
   * Remove every container and network labelled with the lab, the instruments
   * started in their namespaces, and the lab directory. Works from any process
   * (labels, not memory). Several passes: a create request a killed harness
   * sent may still land after the first look.
   */
  async destroy(labName: string): Promise<void> {
    if (existsSync(statePath(labName))) this.states.get(labName)?.setStatus('destroying');
    const endpoints = this.endpointsOf(labName);
    const engineUp = await engineAnswers();
    // A netns lab is left to the netns runtime (its directory and processes are its own).
    if (!(await this.isDockerLab(labName, engineUp))) return;
    for (const endpoint of endpoints) {
      if (!(endpoint === undefined ? engineUp : await engineAnswers(2000, endpoint))) continue;
      // Tunnel ends never moved into a node stay in the host's namespace: removed through its agent first.
      if (endpoint !== undefined) await this.crossHost.removeStrayTunnels(labName, endpoint);
      for (let pass = 0, quiet = 0; pass < 10 && quiet < 2; pass++) {
        const containers = await containersWith(LABEL_LAB, labName, endpoint);
        const networks = await networksWith(LABEL_LAB, labName, endpoint);
        if (containers.length === 0 && networks.length === 0) {
          quiet++;
          if (quiet < 2) await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        quiet = 0;
        await this.reapHostSide(labName);
        await Promise.all(
          containers.map(async (c) => {
            if (c.state === 'paused') await unpauseContainer(c.id, endpoint).catch(() => undefined);
            await removeContainer(c.id, endpoint);
          }),
        );
        for (const n of networks) await removeNetwork(n.id, endpoint);
      }
    }
    this.crossHost.forget(labName);
    this.nodeAgents.delete(labName);
    await removeLocalStrayTunnels(labName);
    await this.reapHostSide(labName);
    this.known.delete(labName);
    this.states.delete(labName);
    await rm(labDir(labName), { recursive: true, force: true });
    // On every engine the lab used (its model, which named them, went with the directory).
    const left = await this.leftoversOn(labName, endpoints.filter((e): e is string => e !== undefined));
    if (left.length > 0) {
      throw new Error(`lab ${labName}: destroy left ${left.map((l) => `${l.type} ${l.id}`).join(', ')}; run \`bgpdns-lab destroy ${labName}\` again`);
    }
  }

  /** Did the Docker runtime deploy (or start to deploy) this lab? */
  private async isDockerLab(labName: string, engineUp: boolean): Promise<boolean> {
    if (readState(labName)?.runtime === 'docker' || existsSync(containersFile(labName))) return true;
    if ((await strayTunnels(labName)).length > 0) return true;
    if (!engineUp) return false;
    return (await containersWith(LABEL_LAB, labName)).length > 0 || (await networksWith(LABEL_LAB, labName)).length > 0;
  }

  /** Instruments on the host: ours by PID, a killed harness's by the lab directory in their argv. */
  private async reapHostSide(labName: string): Promise<void> {
    await this.stopOwn(labName);
    await terminate(findByArgv(new Set(), [`${labDir(labName)}/`]).map((pid) => ({ pid })), 1000);
  }

  /** Stop the instruments this runtime object started on the host for the lab, by PID. */
  protected async stopOwn(labName: string): Promise<void> {
    await terminate((this.hostProcs.get(labName) ?? []).map((p) => ({ pid: p.pid, startTime: p.startTime })), 1000);
    this.hostProcs.delete(labName);
  }

  /**
   * Containers and networks labelled with the lab (or any lab); for a Docker lab
   * also host-side processes naming its directory, and the directory itself.
   */
  async leftovers(labName?: string): Promise<Leftover[]> {
    const hostEndpoints = labName === undefined ? simulatedEndpoints() : this.endpointsOf(labName).filter((e): e is string => e !== undefined);
    return this.leftoversOn(labName, hostEndpoints);
  }

  private async leftoversOn(labName: string | undefined, hostEndpoints: string[]): Promise<Leftover[]> {
    const out: Leftover[] = [];
    for (const endpoint of [undefined, ...new Set([...hostEndpoints, ...simulatedEndpoints()])]) {
      if (!(await engineAnswers(2000, endpoint))) continue;
      const on = endpoint ? ` on ${endpoint}` : '';
      for (const c of await containersWith(LABEL_LAB, labName, endpoint)) out.push({ lab: c.labels[LABEL_LAB], type: 'container', id: `${c.name}${on}` });
      for (const n of await networksWith(LABEL_LAB, labName, endpoint)) out.push({ lab: n.labels[LABEL_LAB], type: 'network', id: `${n.name}${on}` });
    }
    out.push(...(await strayTunnels(labName)));
    if (labName !== undefined && (out.length > 0 || (await this.isDockerLab(labName, false)))) {
      for (const pid of findByArgv(new Set(), [`${labDir(labName)}/`])) out.push({ lab: labName, type: 'process', id: String(pid) });
      if (existsSync(labDir(labName))) out.push({ lab: labName, type: 'dir', id: labDir(labName) });
    }
    return out;
  }
}

/**
 * The file's binds as written, plus the same host paths at the same place inside
 * (read-only): kinds read and reference lab files by their host path (an unbound
 * config including its bound file, a DNS data file), and those paths must mean the
 * same inside the container. The node directory is shared read-write.
 */
export function containerBinds(lab: Lab, node: LabNode, nodeDir: string): string[] {
  const samePath = new Set<string>([lab.dir]);
  for (const b of node.binds) {
    const host = b.split(':')[0];
    if (host !== lab.dir && !host.startsWith(`${lab.dir}/`)) samePath.add(host);
  }
  return [...node.binds, ...[...samePath].map((p) => `${p}:${p}:ro`), `${nodeDir}:${nodeDir}`];
}

/** Await a zx command; on failure throw one sentence saying what we tried and what ip said. */
async function run(p: ProcessPromise, what: string): Promise<void> {
  const out = await p.nothrow().quiet();
  if (out.exitCode !== 0) throw new Error(`cannot ${what}: ${out.stderr.trim() || `exit code ${out.exitCode}`}`);
}


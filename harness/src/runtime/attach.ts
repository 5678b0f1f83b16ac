/**
 * Drive a lab someone else deployed — containerlab (`containerlab deploy -t`),
 * or another bgpdns-lab process with `--runtime docker`. Containers are found
 * by containerlab's labels (containerlab=<lab>, clab-node-name=<node>), which
 * both carry. Nothing is created or removed: "create" adopts the running
 * container, "wire" checks that the link's interfaces exist, and "destroy"
 * stops only what this harness started (probers, injectors) and leaves the lab
 * to whoever deployed it. exec/spawn/netns work as in the Docker runtime.
 *
 * Files: a lab deployed by bgpdns-lab keeps its node directories under
 * /run/bgpdns-lab/<lab>/<node> (vty sockets, FRR log). A containerlab FRR node
 * is reached through its own root: /proc/<pid>/root/run/frr holds FRR's vty
 * sockets, so vty queries work; FRR's millisecond log is wherever that image
 * logs (not available to the route watcher's log reader).
 */
import { existsSync, readlinkSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import type { Lab, LabLink, LabNode } from '../topology/model.js';
import type { Leftover, NodeProcess } from './runtime.js';
import { DockerRuntime, type NodeContainer } from './docker.js';
import { containerPid, containersWith, CLAB_LAB, CLAB_NODE, LABEL_LAB } from './docker/containers.js';
import { labDir, readState } from './lab-state.js';
import { attachedProcess } from './netns.js';
import { cmdline, procStartTime } from './procs.js';
import { requireEngine } from './docker/engine.js';
import { LabHandle, NodeHandle } from '../lab/lab-handle.js';

/** Where this harness keeps its own files for an attached lab it did not deploy. */
function scratchDir(lab: string): string {
  return path.join(labDir(lab), '.attach');
}

export class AttachRuntime extends DockerRuntime {
  override readonly name = 'attach' as const;
  /** Containers deployed by bgpdns-lab carry our lab label and a bind-mounted node directory. */
  private readonly ours = new Set<string>();

  /** Adopt the node's running container; a clear error when it is not there. */
  override async createNode(lab: Lab, node: LabNode): Promise<void> {
    await requireEngine();
    const found = (await containersWith(CLAB_LAB, lab.name)).filter((c) => c.labels[CLAB_NODE] === node.name);
    if (found.length === 0) {
      throw new Error(
        `lab ${lab.name}: no container for node ${node.name} (looked for labels containerlab=${lab.name}, clab-node-name=${node.name}); deploy it first (containerlab deploy -t ${lab.file}, or bgpdns-lab deploy --runtime docker)`,
      );
    }
    const c = found[0];
    const { pid, state } = await containerPid(c.id);
    if (state !== 'running') throw new Error(`lab ${lab.name}: container ${c.name} of node ${node.name} is ${state}, not running`);
    if (c.labels[LABEL_LAB] === lab.name) this.ours.add(`${lab.name}/${node.name}`);
    this.known.set(lab.name, this.known.get(lab.name) ?? new Map());
    this.known.get(lab.name)!.set(node.name, { id: c.id, name: c.name, pid, image: '' });
  }

  /** Check that both interfaces of the link exist; attaching never rewires a lab. */
  override async wireLink(lab: Lab, link: LabLink): Promise<void> {
    for (const end of [link.a, link.b]) {
      const c = await this.container(lab.name, end.node);
      const r = await $({ nothrow: true, quiet: true })`nsenter --net=${`/proc/${c.pid}/ns/net`} ip link show dev ${end.iface}`;
      if (r.exitCode !== 0) throw new Error(`lab ${lab.name}: ${end.node}:${end.iface} does not exist in container ${c.name}; is this the topology file the lab was deployed from?`);
    }
  }

  override nodeDir(lab: Lab, node: string): string {
    const ourDir = path.join(labDir(lab.name), node);
    if (this.ours.has(`${lab.name}/${node}`) || existsSync(ourDir)) return ourDir;
    const c = this.containerSync(lab.name, node);
    if (!c) return path.join(scratchDir(lab.name), node);
    // /run/frr first: /var/run is an absolute symlink to /run, which through /proc/<pid>/root
    // would resolve against the harness's root, not the container's.
    const root = `/proc/${c.pid}/root`;
    const frrRun = [`${root}/run/frr`, `${root}/var/run/frr`].find((d) => existsSync(path.join(d, 'zebra.vty')) || existsSync(path.join(d, 'bgpd.vty')));
    return frrRun ?? `${root}/tmp`;
  }

  /** Processes running in the node: the deployer's record when bgpdns-lab deployed it, else what runs in the container. */
  processesOf(lab: Lab, node: string): NodeProcess[] {
    const state = readState(lab.name);
    if (state?.runtime === 'docker') {
      return state.processes.filter((p) => p.node === node).map(attachedProcess);
    }
    const c = this.containerSync(lab.name, node);
    if (!c) return [];
    return pidsInContainer(c).map((pid) => {
      const argv = cmdline(pid);
      return attachedProcess({ node, role: path.basename(argv[0] ?? String(pid)), pid, startTime: procStartTime(pid) ?? 0, argv });
    });
  }

  /** The deployer's state file is not ours to change; this runtime tracks its own processes in memory. */
  protected override recordProcess(): void {}

  /** Stop what this harness started (host-side instruments); the lab itself stays. */
  override async destroy(labName: string): Promise<void> {
    await this.stopOwn(labName);
    rmSync(scratchDir(labName), { recursive: true, force: true });
    this.known.delete(labName);
  }

  /** Only what this harness added to the lab counts as a leftover of an attach. */
  override async leftovers(labName?: string): Promise<Leftover[]> {
    const out: Leftover[] = [];
    if (labName !== undefined && existsSync(scratchDir(labName))) out.push({ lab: labName, type: 'dir', id: scratchDir(labName) });
    return out;
  }
}

/** Host PIDs of every process in the container's PID namespace (its init first). */
function pidsInContainer(c: NodeContainer): number[] {
  let ns: string;
  try {
    ns = readlinkSync(`/proc/${c.pid}/ns/pid`);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (readlinkSync(`/proc/${pid}/ns/pid`) === ns) pids.push(pid);
    } catch {
      // Gone meanwhile.
    }
  }
  return pids.filter((p) => p !== c.pid);
}

/**
 * A deployed-lab handle on a lab that is already running: every node adopted,
 * every link checked, processes read from the deployer's record or the
 * containers. Disposing it stops only what this harness started.
 */
export async function attachToLab(model: Lab, runtime = new AttachRuntime()): Promise<LabHandle> {
  for (const node of model.nodes) await runtime.createNode(model, node);
  for (const link of model.links) await runtime.wireLink(model, link);
  const nodes = model.nodes.map((n) => new NodeHandle(model, runtime, n, runtime.processesOf(model, n.name)));
  return new LabHandle(model, runtime, nodes, undefined, model.warnings);
}

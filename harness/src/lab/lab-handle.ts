import path from 'node:path';
import type { Lab, LabNode } from '../topology/model.js';
import type { ExecOptions, ExecResult, NodeProcess, Runtime, SpawnOptions } from '../runtime/runtime.js';
import type { DeployedLab, DeployedNode } from './handle.js';
import type { DeployTimings } from './progress.js';
import { unguardLab } from './cleanup-on-signal.js';
import { closeVtyClients } from '../frr/frr-control.js';

/** The DeployedLab deploy() returns (and attachLab() rebuilds from a state file). */
export class LabHandle implements DeployedLab {
  private destroying?: Promise<void>;
  private readonly byName: Map<string, NodeHandle>;

  constructor(
    readonly model: Lab,
    readonly runtime: Runtime,
    nodes: NodeHandle[],
    /** Per-node phase times; undefined for a lab attached from another process. */
    readonly timings: DeployTimings | undefined,
    /** Topology and kind warnings met while deploying. */
    readonly warnings: string[],
  ) {
    this.byName = new Map(nodes.map((n) => [n.name, n]));
  }

  node(name: string): NodeHandle {
    const n = this.byName.get(name);
    if (!n) throw new Error(`lab ${this.model.name} has no node "${name}"; its nodes: ${[...this.byName.keys()].join(', ')}`);
    return n;
  }

  nodes(): NodeHandle[] {
    return [...this.byName.values()];
  }

  destroy(): Promise<void> {
    this.destroying ??= this.runtime.destroy(this.model.name).finally(async () => {
      unguardLab(this.model.name);
      // Shared vty clients of its daemons (frr-control.ts) would otherwise outlive the lab in this process.
      await Promise.all(this.nodes().map((n) => closeVtyClients(n.dir)));
    });
    return this.destroying;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.destroy();
  }
}

export class NodeHandle implements DeployedNode {
  private readonly procs: NodeProcess[] = [];

  constructor(
    private readonly lab: Lab,
    private readonly runtime: Runtime,
    readonly model: LabNode,
    started: NodeProcess[] = [],
  ) {
    this.procs.push(...started);
  }

  get name(): string {
    return this.model.name;
  }

  get kind(): string {
    return this.model.kind;
  }

  get dir(): string {
    return this.runtime.nodeDir(this.lab, this.model.name);
  }

  get netns(): string {
    return this.runtime.netnsPath(this.lab, this.model.name);
  }

  exec(argv: string[], opts?: ExecOptions): Promise<ExecResult> {
    return this.runtime.exec(this.lab, this.model.name, argv, opts);
  }

  async spawn(argv: string[], opts?: SpawnOptions): Promise<NodeProcess> {
    const p = await this.runtime.spawn(this.lab, this.model.name, argv, opts);
    this.procs.push(p);
    return p;
  }

  /** Record processes a kind started (deploy) or a restart created (faults). */
  adopt(...procs: NodeProcess[]): void {
    this.procs.push(...procs);
  }

  processes(): NodeProcess[] {
    return [...this.procs];
  }

  vtySocket(daemon: string): string {
    return path.join(this.dir, `${daemon}.vty`);
  }
}

import type { Lab, LabNode } from '../topology/model.js';
import type { ExecOptions, ExecResult, NodeProcess, Runtime, SpawnOptions } from '../runtime/runtime.js';

/**
 * A deployed lab: what `deploy(topologyFile)` returns once every node is ready.
 * Only a deployed lab can exec, inject faults or be probed. Disposing it destroys it:
 *   await using lab = await deploy('labs/multihomed/multihomed.clab.yml');
 */
export interface DeployedLab extends AsyncDisposable {
  readonly model: Lab;
  readonly runtime: Runtime;
  /** Throws a clear error naming the lab and listing its nodes when `name` is unknown. */
  node(name: string): DeployedNode;
  nodes(): DeployedNode[];
  /** Tear everything down (idempotent). */
  destroy(): Promise<void>;
}

export interface DeployedNode {
  readonly name: string;
  readonly kind: string;
  readonly model: LabNode;
  /** Host directory with the node's configs, sockets (e.g. bgpd.vty) and logs. */
  readonly dir: string;
  /** Path of the node's network namespace. */
  readonly netns: string;
  exec(argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  spawn(argv: string[], opts?: SpawnOptions): Promise<NodeProcess>;
  /** Processes the node's kind started (daemons), plus any spawned since, still running or not. */
  processes(): NodeProcess[];
  /** Path of an FRR daemon's vty socket in this node, e.g. vtySocket('bgpd'). */
  vtySocket(daemon: string): string;
}

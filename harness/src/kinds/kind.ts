import type { Lab, LabNode } from '../topology/model.js';
import type { NodeProcess, Runtime } from '../runtime/runtime.js';
import type { TopologyIssue } from '../topology/errors.js';

/**
 * What a node *is*: how it starts, when it is ready, how to talk to it.
 * Adding a kind = one file exporting a Kind + one line in registry.ts.
 * Kinds only act through the Runtime, so they work under netns and docker alike
 * (a kind may look at `runtime.name` where the two really differ).
 */
export interface Kind {
  /** Name written in topology files (`kind: frr`). */
  readonly name: string;
  /** One line for `help` and for the unknown-kind error. */
  readonly summary: string;
  /** Image names that mean this kind when a file says `kind: linux` or no kind (prefix match, `*` = any tag). */
  readonly images: readonly string[];
  /**
   * Host executables this kind runs and the Debian package of each: what `doctor`
   * checks and the launcher installs for the labs that use the kind.
   */
  readonly needs?: readonly { executable: string; package: string }[];
  /** Node keys this kind reads from `LabNode.settings`; other unknown keys only warn. */
  readonly settingsKeys?: readonly string[];
  /** Check the resolved node at load time (files exist, config parses); issues name the field. */
  validate?(lab: Lab, node: LabNode): Promise<TopologyIssue[]>;
  /** Write the node's files into its directory before it starts (pre-deploy phase). */
  prepare?(ctx: KindContext): Promise<void>;
  /** Start the node's daemons inside the (created, wired) node; returns what it started. */
  start(ctx: KindContext): Promise<NodeProcess[]>;
  /** Resolves once the node answers (e.g. FRR's vty sockets answer a command); rejects with why not. */
  ready(ctx: KindContext, timeoutMs: number): Promise<void>;
  /** Environment for commands run in the node (`exec:` lines, `bgpdns-lab exec`), e.g. a PATH with node-bound tools. */
  execEnv?(ctx: Pick<KindContext, 'lab' | 'node' | 'dir'>): Record<string, string>;
  /** FRR daemons whose vty socket this node serves, for `vtySocket()` / inspect (empty when none). */
  vtyDaemons?(ctx: KindContext): string[];
}

/** Everything a kind needs to act on one node. */
export interface KindContext {
  readonly lab: Lab;
  readonly node: LabNode;
  readonly runtime: Runtime;
  /** Host directory of the node (runtime.nodeDir). */
  readonly dir: string;
  /** Non-fatal findings while preparing/starting (shown by deploy). */
  warn(message: string): void;
  /** Aborted when the deploy failed elsewhere: long waits (ready) stop early. */
  readonly signal: AbortSignal;
}

import type { Lab, LabNode } from '../topology/model.js';
import type { NodeProcess, Runtime } from '../runtime/runtime.js';
import type { TopologyIssue } from '../topology/errors.js';
import type { HostNeed } from '../install/host-need.js';
import type { ImageName } from '../images/catalog.js';
import type { RuntimeName } from '../runtime/names.js';

/**
 * The image (images/<name>/, built offline by `bgpdns-lab images build`, never pulled)
 * a node of the kind runs from, per runtime that runs nodes from images. The netns
 * runtime runs host executables instead (`needs`); attach runs whatever was deployed.
 */
export type NodeImages = Readonly<Partial<Record<RuntimeName, ImageName>>>;

/**
 * What a node *is*: how it starts, when it is ready, how to talk to it.
 * Adding a kind = one file exporting a Kind + one line in registry.ts.
 * A kind owns its deployment facts — the image per runtime, which processes it starts
 * and where each runs (SpawnOptions.placement) — and acts only through the Runtime,
 * which owns the mechanics (namespace, container, exec, freeze).
 */
export interface Kind {
  /** Name written in topology files (`kind: frr`). */
  readonly name: string;
  /** One line for `help` and for the unknown-kind error. */
  readonly summary: string;
  /** Image names that mean this kind when a file says `kind: linux` or no kind (prefix match, `*` = any tag). */
  readonly images: readonly string[];
  /** The image a node of this kind runs from under each runtime that runs images (Docker). */
  readonly nodeImage: NodeImages;
  /**
   * Host executables this kind runs under the netns runtime, with their Debian package:
   * the launcher installs them for the commands whose labs use the kind, deploying refuses
   * without them, `doctor` lists what is missing.
   */
  readonly needs: readonly HostNeed[];
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

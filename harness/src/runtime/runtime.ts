import type { Lab, LabLink, LabNode } from '../topology/model.js';
import type { RuntimeName } from './names.js';

/**
 * A runtime turns the Lab model into isolated nodes and wires between them.
 * netns (default, embedded), docker (dockerode) and attach (a lab someone else
 * deployed, e.g. containerlab) implement it. Kinds start daemons through it;
 * faults act through it. Every resource carries the lab name so that
 * `leftovers` and `destroy` find it even after the harness was SIGKILLed.
 */
export interface Runtime {
  readonly name: RuntimeName;

  /** Create the node's isolated network stack (namespace/container), no daemons yet. */
  createNode(lab: Lab, node: LabNode): Promise<void>;
  /** Create the link's two interfaces, named as in the file, and bring them up. */
  wireLink(lab: Lab, link: LabLink): Promise<void>;
  /** Run a command inside the node and wait for it. Never throws on a non-zero exit. */
  exec(lab: Lab, node: string, argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Run a command inside the node with the caller's stdin, stdout and stderr (a
   * terminal when they are one: `bgpdns-lab exec`); resolves with its exit code.
   */
  execAttached(lab: Lab, node: string, argv: string[], opts?: Pick<ExecOptions, 'env' | 'cwd' | 'placement'>): Promise<number>;
  /** Start a long-running process inside the node (a daemon in the foreground). */
  spawn(lab: Lab, node: string, argv: string[], opts?: SpawnOptions): Promise<NodeProcess>;
  /** Path of the node's network namespace (for `ip netns exec`-style entry and nsenter). */
  netnsPath(lab: Lab, node: string): string;
  /** Directory on the host where the node's files (configs, sockets, logs) live. */
  nodeDir(lab: Lab, node: string): string;
  /** Stop everything of the lab by PID/id and remove namespaces, links, nft tables, dirs. */
  destroy(labName: string): Promise<void>;
  /** What of a lab (or of every lab, when no name) still exists on this host. */
  leftovers(labName?: string): Promise<Leftover[]>;
  /**
   * Freeze every process of the node at once, kernel state untouched (the cgroup
   * freezer: docker pause, or the node's cgroup under netns); a silent failure like
   * SIGSTOP. Processes placed 'beside' the node are not frozen. Absent where the
   * machine has no freezer: faults fall back to per-process SIGSTOP.
   */
  freezeNode?(lab: Lab, node: string): Promise<void>;
  /** Undo freezeNode. */
  thawNode?(lab: Lab, node: string): Promise<void>;
}

/**
 * Where a process runs, as the kind or the caller declares it; the runtime carries it out.
 *  - 'node': inside the node itself — its namespace under netns, its container under
 *    Docker (so it must exist in the node's image there). The node's daemons and tools.
 *  - 'beside': a harness instrument (prober, route injector, query tool) run from the
 *    harness's own files on the harness's side, sharing only the node's network
 *    namespace. Not frozen with the node. Under netns the two differ only in that.
 */
export type Placement = 'node' | 'beside';

export interface ExecOptions {
  /** Default 'node'. */
  placement?: Placement;
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** Default 'node'. */
  placement?: Placement;
  env?: Record<string, string>;
  cwd?: string;
  /** File that receives stdout+stderr (appended). Default: <nodeDir>/<argv0 basename>.log */
  logFile?: string;
  /** Name used in the lab state file and in `inspect` (e.g. "bgpd"). */
  role?: string;
  /**
   * The harness instrument argv runs, declared by its caller (a 'beside' process only): a
   * runtime that cannot run the harness's files next to the node (a node on another host)
   * runs the instrument's copy in the agent beside it with these arguments instead of argv.
   */
  instrument?: InstrumentRun;
}

/** A harness instrument by its source file (relative to the repository root) and its arguments. */
export interface InstrumentRun {
  source: string;
  args: string[];
}

/** A process started inside a node. Stopped by PID, never by name. */
export interface NodeProcess {
  readonly node: string;
  readonly role: string;
  readonly pid: number;
  readonly argv: string[];
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after graceMs; resolves when it is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface Leftover {
  lab: string;
  type: 'netns' | 'veth' | 'tunnel' | 'process' | 'container' | 'network' | 'nft' | 'dir' | 'cgroup';
  id: string;
}

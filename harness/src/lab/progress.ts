import type { Millis } from '../clock.js';

/**
 * Deploy progress, per node and per link, for the CLI's live view and for timings.
 * Phases of one node, in order (containerlab's pre-deploy → deploy → post-deploy):
 *   prepare  write the node's files into its directory (kind.prepare)
 *   create   namespace / container (runtime.createNode)
 *   wire     the node's links (runtime.wireLink; a link waits for both its nodes)
 *   start    daemons (kind.start)
 *   ready    daemons answer (kind.ready)
 *   exec     the file's `exec:` lines, in order
 */
export type NodePhase = 'prepare' | 'create' | 'wire' | 'start' | 'ready' | 'exec';
export const NODE_PHASES: readonly NodePhase[] = ['prepare', 'create', 'wire', 'start', 'ready', 'exec'];

export type DeployEvent =
  | { type: 'phase'; node: string; phase: NodePhase; state: 'start' | 'done'; at: Millis; ms?: number }
  | { type: 'phase-failed'; node: string; phase: NodePhase; at: Millis; error: string }
  | { type: 'link'; link: string; state: 'start' | 'done'; at: Millis; ms?: number }
  | { type: 'warning'; message: string; at: Millis }
  | { type: 'lab'; state: 'deploying' | 'ready' | 'failed' | 'destroying' | 'destroyed'; at: Millis; ms?: number };

/** Milliseconds each node spent per phase, and when the whole lab was ready. */
export interface DeployTimings {
  startedAt: Millis;
  readyAt: Millis;
  /** readyAt − startedAt. */
  totalMs: number;
  nodes: Record<string, Partial<Record<NodePhase, number>>>;
}

import { monoNow, type Millis } from '../clock.js';
import { closeVtyClients, vtyClient } from '../frr/frr-control.js';
import type { DeployedLab, DeployedNode } from './handle.js';

/**
 * "Converged" as the CLI and the lab-up benchmark mean it: every BGP session
 * configured on every FRR node of the lab is Established. Read from bgpd over
 * its vty socket (`show bgp neighbors json`, which also lists neighbors with no
 * address family activated).
 */
export interface BgpSessionState {
  node: string;
  peer: string;
  state: string;
}

interface NeighborJson {
  bgpState?: string;
}

/** Nodes running bgpd (the processes their kind started say so). */
export function bgpNodes(lab: DeployedLab): DeployedNode[] {
  return lab.nodes().filter((n) => n.processes().some((p) => p.role === 'bgpd'));
}

export async function bgpSessions(node: DeployedNode): Promise<BgpSessionState[]> {
  const json = await vtyClient(node.vtySocket('bgpd')).json<Record<string, NeighborJson>>('show bgp neighbors json');
  return Object.entries(json).map(([peer, n]) => ({ node: node.name, peer, state: n.bgpState ?? 'unknown' }));
}

export interface ConvergedResult {
  /** When the last node had all its sessions Established (monotonic ms). */
  at: Millis;
  sessions: number;
}

/**
 * Resolve once every session is Established; a node stops being polled once all of
 * its sessions are up. On timeout the error lists the sessions that are not up.
 */
export async function waitBgpConverged(lab: DeployedLab, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<ConvergedResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = monoNow() + timeoutMs;
  const pending = new Set(bgpNodes(lab));
  const last = new Map<string, BgpSessionState[]>();
  let sessions = 0;
  let at = monoNow();
  try {
    while (pending.size > 0) {
      await Promise.all(
        [...pending].map(async (node) => {
          try {
            const s = await bgpSessions(node);
            last.set(node.name, s);
            if (s.every((x) => x.state === 'Established')) {
              pending.delete(node);
              sessions += s.length;
              at = monoNow();
            }
          } catch (e) {
            last.set(node.name, [{ node: node.name, peer: '-', state: `vty error: ${(e as Error).message}` }]);
          }
        }),
      );
      if (pending.size === 0) break;
      if (monoNow() > deadline) {
        const down = [...pending].flatMap((n) => (last.get(n.name) ?? []).filter((s) => s.state !== 'Established'));
        throw new Error(
          `lab ${lab.model.name}: BGP not converged after ${(timeoutMs / 1000).toFixed(1)} s; not Established: ${down
            .slice(0, 20)
            .map((s) => `${s.node} ${s.peer} ${s.state}`)
            .join(', ')}${down.length > 20 ? ` (and ${down.length - 20} more)` : ''}`,
        );
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    await closeVtyClients(lab.nodes()[0] ? lab.nodes()[0].dir.slice(0, lab.nodes()[0].dir.lastIndexOf('/') + 1) : undefined);
  }
  return { at, sessions };
}

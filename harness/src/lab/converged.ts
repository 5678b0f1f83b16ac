import { monoNow, type Millis } from '../clock.js';
import { closeVtyClients, vtyClient } from '../frr/frr-control.js';
import type { DeployedLab, DeployedNode } from './handle.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';

/**
 * "Converged" as the CLI and the lab-up benchmark mean it: every BGP session
 * configured on every FRR node of the lab is Established. Read from bgpd over
 * its vty socket with `show bgp summary json` (~0.7 kB a peer; `show bgp neighbors
 * json` is ten times larger, which matters when 100 routers are polled every 20 ms).
 * A neighbor with no address family activated never comes up in FRR, so the summary
 * lists every session that can.
 */
export interface BgpSessionState {
  node: string;
  peer: string;
  state: string;
}

/** Nodes running bgpd (the processes their kind started say so). */
export function bgpNodes(lab: DeployedLab): DeployedNode[] {
  return lab.nodes().filter((n) => n.processes().some((p) => p.role === 'bgpd'));
}

/** A bgpd to ask: the node's name and its vty socket. */
export interface BgpdTarget {
  node: string;
  socket: string;
}

export async function bgpSessions(target: BgpdTarget): Promise<BgpSessionState[]> {
  const summary = await vtyClient(target.socket).json<Record<string, { peers?: Record<string, { state?: string }> }>>('show bgp summary json');
  // A peer is listed once per address family it has; it is up when it is Established in all of them.
  const byPeer = new Map<string, string>();
  for (const af of Object.values(summary)) {
    for (const [peer, p] of Object.entries(af?.peers ?? {})) {
      const state = p.state ?? 'unknown';
      if (byPeer.get(peer) === undefined || state !== 'Established') byPeer.set(peer, state);
    }
  }
  return [...byPeer].map(([peer, state]) => ({ node: target.node, peer, state }));
}

export interface ConvergedResult {
  /** When the last node had all its sessions Established (monotonic ms). */
  at: Millis;
  sessions: number;
}

export interface ConvergeOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** After each polling round: sessions Established so far and sessions seen. */
  onProgress?(established: number, seen: number): void;
  /** Only sessions to peers this accepts count (e.g. a lab cut down to its routers). Default: all. */
  peers?(peer: string): boolean;
}

/** Every BGP session of a deployed lab Established (see waitSessionsEstablished). */
export function waitBgpConverged(lab: DeployedLab, opts: ConvergeOptions = {}): Promise<ConvergedResult> {
  const targets = bgpNodes(lab).map((n) => ({ node: n.name, socket: n.vtySocket('bgpd') }));
  return waitSessionsEstablished(targets, { ...opts, what: `lab ${lab.model.name}` });
}

/**
 * Resolve once every session of every target is Established; a node stops being
 * polled once all of its sessions are up. On timeout the error lists the sessions
 * that are not up. The vty connections are closed on the way out.
 */
export async function waitSessionsEstablished(targets: BgpdTarget[], opts: ConvergeOptions & { what?: string } = {}): Promise<ConvergedResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const intervalMs = opts.intervalMs ?? 50;
  const pending = new Set(targets);
  const last = new Map<string, BgpSessionState[]>();
  let sessions = 0;
  let at = monoNow();
  // One attempt asks every node still pending; nodes drop out once all their sessions are up.
  const round = async (): Promise<number> => {
    await Promise.all(
      [...pending].map(async (target) => {
        try {
          const s = (await bgpSessions(target)).filter((x) => opts.peers?.(x.peer) ?? true);
          last.set(target.node, s);
          if (s.every((x) => x.state === 'Established')) {
            pending.delete(target);
            sessions += s.length;
            at = monoNow();
          }
        } catch (e) {
          last.set(target.node, [{ node: target.node, peer: '-', state: `vty error: ${(e as Error).message}` }]);
        }
      }),
    );
    if (opts.onProgress) {
      const open = [...pending].flatMap((t) => last.get(t.node) ?? []);
      opts.onProgress(sessions + open.filter((x) => x.state === 'Established').length, sessions + open.length);
    }
    return pending.size;
  };
  const notConverged = () => {
    const down = [...pending].flatMap((t) => (last.get(t.node) ?? []).filter((s) => s.state !== 'Established'));
    return new Error(
      `${opts.what ?? 'lab'}: BGP not converged after ${(timeoutMs / 1000).toFixed(1)} s; not Established: ${down
        .slice(0, 20)
        .map((s) => `${s.node} ${s.peer} ${s.state}`)
        .join(', ')}${down.length > 20 ? ` (and ${down.length - 20} more)` : ''}`,
    );
  };
  try {
    if (pending.size > 0) {
      await waitUntil(round, (left) => left === 0 || `${left} node(s) not converged`, { what: `${opts.what ?? 'lab'}: BGP converged`, timeout: timeoutMs, interval: intervalMs, onTimeout: notConverged });
    }
  } finally {
    await Promise.all(targets.map((t) => closeVtyClients(t.socket)));
  }
  return { at, sessions };
}

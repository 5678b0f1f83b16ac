/** The node processes faults signal: which are alive, and waiting for one to be gone. */
import type { NodeProcess } from '../runtime/runtime.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The processes of a list that are still alive (signal 0 probes without touching them). */
export function running(procs: NodeProcess[]): NodeProcess[] {
  return procs.filter((p) => isRunning(p.pid));
}

/**
 * Wait until a signalled process is gone. Not only `exited`: a process attached from a
 * lab's state file (CLI) is not our child, and its exit is only seen by polling.
 */
export async function gone(p: NodeProcess, what: string): Promise<void> {
  let exited = false;
  void p.exited.then(() => (exited = true));
  await waitUntil(() => exited || !isRunning(p.pid), (done) => done, { what, timeout: 10_000, interval: 5 });
}

/** The roles a node's processes have, for error messages. */
export function rolesOf(procs: NodeProcess[]): string[] {
  return [...new Set(procs.map((p) => p.role))];
}

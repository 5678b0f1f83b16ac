import { attachedProcess } from '../runtime/netns.js';
import { labsOnDisk, readState } from '../runtime/lab-state.js';
import type { Leftover, Runtime } from '../runtime/runtime.js';
import { allRuntimes, runtimeNamed } from '../runtime/by-name.js';
import { LabHandle, NodeHandle } from './lab-handle.js';

/**
 * Lab lifecycle from outside the process that deployed it: destroy, leftovers and
 * attach all work from what is on the host (the state file, namespace names).
 */

/**
 * Stop and remove everything of a lab (idempotent; fine when the lab does not exist).
 * Without a runtime, every runtime cleans up what it may own (containers first, then
 * namespaces and the lab directory), so the state file's runtime never has to be trusted.
 */
export async function destroyLab(labName: string, runtime?: Runtime): Promise<void> {
  for (const r of runtime ? [runtime] : allRuntimes().reverse()) await r.destroy(labName);
}

/** What of a lab (or of every lab) still exists on this host, in any runtime (or in the one given). */
export async function leftovers(labName?: string, runtime?: Runtime): Promise<Leftover[]> {
  const seen = new Map<string, Leftover>();
  for (const r of runtime ? [runtime] : allRuntimes()) {
    for (const l of await r.leftovers(labName)) seen.set(`${l.lab}\0${l.type}\0${l.id}`, l);
  }
  return [...seen.values()];
}

/** Labs with state on this host (deployed, deploying, or left over by a killed harness). */
export function deployedLabs(): string[] {
  return labsOnDisk();
}

/**
 * Reopen a lab deployed by another process (CLI `inspect`, `exec`, `fault`):
 * nodes, processes and sockets come from its state file. Disposing it destroys the lab.
 */
export function attachLab(labName: string): LabHandle {
  const state = readState(labName);
  if (!state) {
    const labs = labsOnDisk();
    throw new Error(`no deployed lab "${labName}" on this host; ${labs.length ? `deployed labs: ${labs.join(', ')}` : 'no lab is deployed'}`);
  }
  const runtime = runtimeNamed(state.runtime ?? 'netns');
  const model = state.model;
  const nodes = model.nodes.map(
    (n) => new NodeHandle(model, runtime, n, state.processes.filter((p) => p.node === n.name).map(attachedProcess)),
  );
  return new LabHandle(model, runtime, nodes, undefined, model.warnings);
}

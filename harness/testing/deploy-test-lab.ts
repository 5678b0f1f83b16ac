/**
 * Labs for the harness's own lab-backed tests, made the way users make theirs: a
 * topology file (with its per-node configs beside it) deployed by deploy() on the netns
 * runtime, FRR started by the frr kind. Only the lab name changes: the file's name plus
 * this process's PID, so two test files (or two runs) deploying the same file at the same
 * time never touch each other's namespaces, links or node directories.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { deploy } from '../src/lab/deploy.js';
import { destroyLab } from '../src/lab/destroy.js';
import type { LabHandle } from '../src/lab/lab-handle.js';
import { parseTopology } from '../src/topology/load.js';
import { closeVtyClients } from '../src/frr/frr-control.js';

/** The name a test run gives the lab of `file`: `<name in the file>-<pid in base 36>`. */
export function testLabName(fileLabName: string): string {
  return `${fileLabName}-${process.pid.toString(36)}`;
}

/**
 * Deploys `file` under a per-process lab name. On failure deploy() has already
 * destroyed what it made; call destroyTestLab (e.g. in test.after.always) to tear
 * the lab down, which also closes the vty connections the tests opened to it.
 */
export async function deployTestLab(file: string): Promise<LabHandle> {
  const abs = path.resolve(file);
  const text = await readFile(abs, 'utf8');
  const match = /^name:\s*(\S+)\s*$/m.exec(text);
  if (!match) throw new Error(`${file}: expected a top-level "name:" line`);
  const name = testLabName(match[1]);
  const lab = await parseTopology(text.replace(match[0], `name: ${name}`), abs, file);
  // A lab of this name can only be left from a SIGKILLed run with the same PID; clear it.
  await destroyLab(name);
  return deploy(lab);
}

/** Destroys a lab deployTestLab made (idempotent; undefined when deploy failed). */
export async function destroyTestLab(lab: LabHandle | undefined): Promise<void> {
  if (!lab) return;
  for (const n of lab.nodes()) await closeVtyClients(`${n.dir}/`);
  await lab.destroy();
}

/**
 * How every command names a lab: by its name, or by its topology file (the lab
 * name is then the file's `name:`), so `inspect labs/x/x.clab.yml` and
 * `destroy labs/x/x.clab.yml` mean the same lab.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';
import { labsOnDisk as deployedLabs } from '../runtime/lab-state.js';
import { labNameProblem } from '../topology/names.js';
import { UsageError } from './exit-codes.js';

/** Whether a word names a topology file rather than a lab (a lab name never ends in .yml). */
export function isTopologyFile(word: string): boolean {
  return /\.ya?ml$/.test(word) || (word.includes('/') && existsSync(word) && statSync(word).isFile());
}

/** The lab a word means: a lab name as it is, or a topology file's `name:` (read loosely: a broken file must still be destroyable). */
export function labNameOf(word: string): string {
  if (!isTopologyFile(word)) {
    const problem = labNameProblem(word);
    if (problem) throw new UsageError(`${problem} (or a topology file)`);
    return word;
  }
  let doc: unknown;
  try {
    doc = parse(readFileSync(word, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`${word}: cannot read the lab name: ${err.code === 'ENOENT' ? 'file not found' : err.message.split('\n')[0]}`);
  }
  const name = (doc as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || name === '') throw new UsageError(`${word}: name: expected the lab name as a string`);
  const problem = labNameProblem(name);
  if (problem) throw new UsageError(`${word}: name: ${problem}`);
  return name;
}

/** Whether a word names a lab: a topology file, or the name of a lab deployed here. */
export function namesLab(word: string): boolean {
  return isTopologyFile(word) || deployedLabs().includes(word);
}

/** The deployed lab a command means: the one named (by name or file), or the only one deployed. */
export function pickLab(named: string | undefined): string {
  const labs = deployedLabs();
  if (named !== undefined) {
    const name = labNameOf(named);
    if (!labs.includes(name)) {
      const from = name === named ? '' : ` (named in ${named})`;
      throw new UsageError(`no deployed lab "${name}"${from} on this host; ${labs.length ? `deployed: ${labs.join(', ')}` : 'no lab is deployed'}`);
    }
    return name;
  }
  if (labs.length === 1) return labs[0];
  if (labs.length === 0) throw new UsageError('no lab is deployed on this host; deploy one: bgpdns-lab deploy <file.clab.yml>');
  throw new UsageError(`several labs are deployed (${labs.join(', ')}); name one`);
}

/** A node of a deployed lab, or a usage error naming the lab's nodes. */
export function pickNode<N>(lab: { model: { name: string; nodes: readonly { name: string }[] }; node(name: string): N }, name: string): N {
  if (!lab.model.nodes.some((n) => n.name === name)) {
    throw new UsageError(`lab ${lab.model.name} has no node "${name}"; its nodes: ${lab.model.nodes.map((n) => n.name).join(', ')}`);
  }
  return lab.node(name);
}

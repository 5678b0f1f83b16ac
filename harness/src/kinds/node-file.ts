/**
 * A file a node's daemon writes in its node directory (a status file), read by the
 * harness: from this machine's file system, or, for a node on another host (whose
 * node directory is its container's own), with `cat` in the node through its host's
 * engine. Rejects when the file is not there (yet).
 */
import { readFile } from 'node:fs/promises';
import type { Lab, LabNode } from '../topology/model.js';
import type { Runtime } from '../runtime/runtime.js';

export interface NodeFileReader {
  readonly lab: Lab;
  readonly node: LabNode;
  readonly runtime: Runtime;
}

export async function readNodeFile(at: NodeFileReader, file: string): Promise<string> {
  if (at.node.host === undefined) return readFile(file, 'utf8');
  const r = await at.runtime.exec(at.lab, at.node.name, ['cat', file], { timeoutMs: 10_000 });
  if (r.exitCode !== 0) throw new Error(`node ${at.node.name} on host ${at.node.host}: cannot read ${file}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  return r.stdout;
}

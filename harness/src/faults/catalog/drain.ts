/**
 * drain NODE — create the node's maintenance file (<node dir>/maintenance): our
 * health agent sees it and withdraws the node's service routes, as an operator
 * draining a site would. Revert removes the file.
 */
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onlyArgs } from '../fault-args.js';
import { defineFault } from '../definition.js';

export const MAINTENANCE_FILE = 'maintenance';

export const drain = defineFault<Record<string, never>>({
  name: 'drain',
  target: 'node',
  lasting: 'held',
  summary: "create the node's maintenance file (revert: remove it)",
  params: [],
  parse(raw) {
    onlyArgs(raw, 'drain', []);
    return {};
  },
  async apply({ lab }, node) {
    const file = join(lab.node(node).dir, MAINTENANCE_FILE);
    await writeFile(file, 'drained by a bgpdns-lab fault\n');
    return { record: { file }, revert: () => unlink(file).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e))) };
  },
  async clear(lab, node) {
    const file = join(lab.node(node).dir, MAINTENANCE_FILE);
    const removed = await unlink(file).then(
      () => true,
      (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? false : Promise.reject(e)),
    );
    return removed ? 'removed its maintenance file' : undefined;
  },
});

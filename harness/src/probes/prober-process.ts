/**
 * A prober running as a process inside a lab node (dns-prober-main.ts,
 * sorter-prober-main.ts): it appends one JSON line per sample to a file in the
 * node's directory, so samples survive the prober and can be read while it runs.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeployedNode } from '../lab/handle.js';
import type { NodeProcess } from '../runtime/runtime.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root: where `--import tsx` resolves from. */
const repoRoot = join(here, '..', '..', '..');

export class RunningProber<T> {
  constructor(
    readonly node: string,
    readonly file: string,
    private readonly proc: NodeProcess,
    private readonly parse: (text: string, file: string) => T[],
  ) {}

  /** Samples written so far (the prober keeps running). */
  async samples(): Promise<T[]> {
    if (!existsSync(this.file)) return [];
    return this.parse(await readFile(this.file, 'utf8'), this.file);
  }

  /** Stop the prober (it finishes queries in flight) and return everything it saw. */
  async stop(): Promise<T[]> {
    await this.proc.stop(3000);
    return this.samples();
  }
}

/**
 * Starts `main` (a file in this directory) under tsx in the node with `args` and
 * `--out <node dir>/<label>.jsonl`; its log goes to `<label>.log`.
 */
export async function startProber<T>(node: DeployedNode, label: string, main: string, args: string[], parse: (text: string, file: string) => T[]): Promise<RunningProber<T>> {
  const file = join(node.dir, `${label}.jsonl`);
  const instrumentArgs = [...args, '--out', file];
  const argv = [process.execPath, '--import', 'tsx', join(here, main), ...instrumentArgs];
  // An instrument: beside the node (its network namespace only), not in its image, not frozen with it.
  const instrument = { source: `harness/src/probes/${main}`, args: instrumentArgs };
  const proc = await node.spawn(argv, { placement: 'beside', instrument, cwd: repoRoot, role: label, logFile: join(node.dir, `${label}.log`) });
  return new RunningProber(node.name, file, proc, parse);
}

/**
 * Start a sorter prober (sorter-prober.ts) inside a lab node and read what it saw.
 * Samples go to a JSON-lines file in the node's directory, readable while it runs.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeployedNode } from '../lab/handle.js';
import type { NodeProcess } from '../runtime/runtime.js';
import { parseSorterSamples, type SorterSample } from './sorter-prober.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');

export interface SorterProberSpec {
  /** ADDR:PORT of the sorter's query service as seen from the node. */
  server: string;
  keyFile: string;
  clients: string[];
  candidates: string[];
  intervalMs?: number;
  timeoutMs?: number;
  label?: string;
}

export class RunningSorterProber {
  constructor(
    readonly node: string,
    readonly file: string,
    private readonly proc: NodeProcess,
  ) {}

  async samples(): Promise<SorterSample[]> {
    if (!existsSync(this.file)) return [];
    return parseSorterSamples(await readFile(this.file, 'utf8'), this.file);
  }

  async stop(): Promise<SorterSample[]> {
    await this.proc.stop(3000);
    return this.samples();
  }
}

export async function startSorterProber(node: DeployedNode, spec: SorterProberSpec): Promise<RunningSorterProber> {
  const label = spec.label ?? 'sorter-prober';
  const file = join(node.dir, `${label}.jsonl`);
  const argv = [process.execPath, '--import', 'tsx', join(here, 'sorter-prober-main.ts'), '--server', spec.server, '--key', spec.keyFile];
  for (const c of spec.clients) argv.push('--client', c);
  argv.push('--interval', String(spec.intervalMs ?? 20), '--timeout', String(spec.timeoutMs ?? 200), '--out', file, ...spec.candidates);
  const proc = await node.spawn(argv, { cwd: repoRoot, role: label, logFile: join(node.dir, `${label}.log`) });
  return new RunningSorterProber(node.name, file, proc);
}

/**
 * Start a sorter prober (sorter-prober.ts) inside a lab node and read what it saw.
 * Samples go to a JSON-lines file in the node's directory, readable while it runs.
 */
import type { DeployedNode } from '../lab/handle.js';
import { parseSorterSamples, type SorterSample } from './sorter-prober.js';
import { startProber, type RunningProber } from './prober-process.js';

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

export type RunningSorterProber = RunningProber<SorterSample>;

export function startSorterProber(node: DeployedNode, spec: SorterProberSpec): Promise<RunningSorterProber> {
  const args = ['--server', spec.server, '--key', spec.keyFile];
  for (const c of spec.clients) args.push('--client', c);
  args.push('--interval', String(spec.intervalMs ?? 20), '--timeout', String(spec.timeoutMs ?? 200), ...spec.candidates);
  return startProber(node, spec.label ?? 'sorter-prober', 'sorter-prober-main.ts', args, parseSorterSamples);
}

/**
 * Start a DNS prober inside a deployed lab node and read back what it saw.
 * The prober appends JSON lines to a file in the node's directory, so samples
 * survive the prober and can be read while it runs.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeployedNode } from '../lab/handle.js';
import type { NodeProcess } from '../runtime/runtime.js';
import { parseSamples, type DnsProbeSample } from './dns-samples.js';

const here = dirname(fileURLToPath(import.meta.url));
const proberMain = join(here, 'dns-prober-main.ts');
/** Repository root: where `--import tsx` resolves from. */
const repoRoot = join(here, '..', '..', '..');

export interface DnsProberSpec {
  server: string;
  name: string;
  type?: string;
  port?: number;
  intervalMs?: number;
  timeoutMs?: number;
  /** Set RD in the queries (asking a recursive resolver). */
  recursionDesired?: boolean;
  /** Distinguishes several probers in one node (file name). Default "dns-prober". */
  label?: string;
}

export class RunningDnsProber {
  constructor(
    readonly node: string,
    readonly file: string,
    private readonly proc: NodeProcess,
  ) {}

  /** Samples written so far (the prober keeps running). */
  async samples(): Promise<DnsProbeSample[]> {
    if (!existsSync(this.file)) return [];
    return parseSamples(await readFile(this.file, 'utf8'), this.file);
  }

  /** Stop the prober (it finishes queries in flight) and return everything it saw. */
  async stop(): Promise<DnsProbeSample[]> {
    await this.proc.stop(3000);
    return this.samples();
  }
}

export async function startDnsProber(node: DeployedNode, spec: DnsProberSpec): Promise<RunningDnsProber> {
  const label = spec.label ?? 'dns-prober';
  const file = join(node.dir, `${label}.jsonl`);
  const argv = [
    process.execPath,
    '--import',
    'tsx',
    proberMain,
    '--server', spec.server,
    '--name', spec.name,
    '--type', spec.type ?? 'A',
    '--port', String(spec.port ?? 53),
    '--interval', String(spec.intervalMs ?? 20),
    '--timeout', String(spec.timeoutMs ?? 500),
    '--out', file,
    ...(spec.recursionDesired ? ['--rd'] : []),
  ];
  const proc = await node.spawn(argv, { cwd: repoRoot, role: label, logFile: join(node.dir, `${label}.log`) });
  return new RunningDnsProber(node.name, file, proc);
}

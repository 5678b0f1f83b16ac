/**
 * Start a DNS prober inside a deployed lab node and read back what it saw.
 * The prober appends JSON lines to a file in the node's directory, so samples
 * survive the prober and can be read while it runs.
 */
import type { DeployedNode } from '../lab/handle.js';
import { parseSamples, type DnsProbeSample } from './dns-samples.js';
import { startProber, type RunningProber } from './prober-process.js';

export interface DnsProberSpec {
  server: string;
  name: string;
  type?: string;
  port?: number;
  intervalMs?: number;
  timeoutMs?: number;
  /** Set RD in the queries (asking a recursive resolver). */
  recursionDesired?: boolean;
  /** EDNS client subnet on every query, "ADDR/LEN". */
  clientSubnet?: string;
  /** Distinguishes several probers in one node (file name). Default "dns-prober". */
  label?: string;
}

export type RunningDnsProber = RunningProber<DnsProbeSample>;

export function startDnsProber(node: DeployedNode, spec: DnsProberSpec): Promise<RunningDnsProber> {
  const args = [
    '--server', spec.server,
    '--name', spec.name,
    '--type', spec.type ?? 'A',
    '--port', String(spec.port ?? 53),
    '--interval', String(spec.intervalMs ?? 20),
    '--timeout', String(spec.timeoutMs ?? 500),
    ...(spec.recursionDesired ? ['--rd'] : []),
    ...(spec.clientSubnet ? ['--subnet', spec.clientSubnet] : []),
  ];
  return startProber(node, spec.label ?? 'dns-prober', 'dns-prober-main.ts', args, parseSamples);
}

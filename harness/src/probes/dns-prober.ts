/**
 * The DNS prober: a child process that runs inside a lab node's network namespace
 * and asks one question of one server every few milliseconds, the way a partner's
 * client would, writing one JSON line per query:
 *   {"at":123.4,"seq":7,"outcome":"answer","rcode":"NOERROR","answers":["site-a"],"latencyMs":0.8}
 * `at` is the send time on CLOCK_MONOTONIC (process.hrtime — the same clock as
 * harness/src/clock.ts monoNow() in the harness), so samples line up with faults
 * and BGP events without any clock exchange.
 * Queries are sent on a fixed schedule whether or not earlier ones were answered
 * (an outage must not slow the sampling down), each on its own socket.
 *
 *   node --import tsx harness/src/probes/dns-prober-main.ts --server 198.18.53.53 --name whoami.anycast.lab --type TXT
 * With --subnet ADDR/LEN every query carries that EDNS client subnet (a client
 * behind a resolver, as the front or a resolver would see it).
 */
import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import type dnsPacket from 'dns-packet';
import { clientSubnetOption, probeQuery } from './dns-query.js';
import { monoNow } from '../clock.js';
import type { DnsProbeSample } from './dns-samples.js';

export interface ProberOptions {
  server: string;
  port: number;
  name: string;
  type: dnsPacket.RecordType;
  intervalMs: number;
  timeoutMs: number;
  /** Stop after this long (ms); default: until SIGTERM. */
  durationMs?: number;
  /** Append lines to this file instead of stdout. */
  out?: string;
  /** Ask with RD set (through a recursive resolver). */
  recursionDesired?: boolean;
  /** EDNS client subnet sent with every query, "ADDR/LEN". */
  clientSubnet?: string;
}

export const proberUsage = `usage: dns-prober --server ADDR [--port 53] --name NAME [--type A] [--interval 20] [--timeout 500] [--duration MS] [--out FILE] [--rd] [--subnet ADDR/LEN]`;

export function parseProberArgs(argv: string[]): ProberOptions {
  const { values } = parseArgs({
    args: argv,
    options: { ...Object.fromEntries(['server', 'port', 'name', 'type', 'interval', 'timeout', 'duration', 'out', 'subnet'].map((k) => [k, { type: 'string' as const }])), rd: { type: 'boolean' as const } },
    strict: true,
  }) as unknown as { values: Record<string, string | undefined> & { rd?: boolean } };
  const num = (flag: string, dflt: number | undefined, min: number): number | undefined => {
    const v = values[flag];
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`dns-prober: --${flag} must be a number ≥ ${min}, got "${v}"\n${proberUsage}`);
    return n;
  };
  if (!values.server || !isIP(values.server)) throw new Error(`dns-prober: --server must be an IP address, got "${values.server ?? ''}"\n${proberUsage}`);
  if (!values.name) throw new Error(`dns-prober: --name is required\n${proberUsage}`);
  if (values.subnet !== undefined) {
    try {
      clientSubnetOption(values.subnet);
    } catch (e) {
      throw new Error(`dns-prober: --subnet: ${(e as Error).message}\n${proberUsage}`);
    }
  }
  return {
    server: values.server,
    port: num('port', 53, 1)!,
    name: values.name,
    type: (values.type ?? 'A').toUpperCase() as dnsPacket.RecordType,
    intervalMs: num('interval', 20, 1)!,
    timeoutMs: num('timeout', 500, 1)!,
    durationMs: num('duration', undefined, 1),
    out: values.out,
    ...(values.rd ? { recursionDesired: true } : {}),
    ...(values.subnet !== undefined ? { clientSubnet: values.subnet } : {}),
  };
}

/** Run the probe loop until `stop` resolves (or the duration ends); `emit` gets each sample. */
export async function runProber(opts: ProberOptions, emit: (s: DnsProbeSample) => void, stop: Promise<unknown>): Promise<number> {
  let stopping = false;
  void stop.then(() => (stopping = true));
  const started = monoNow();
  const inFlight = new Set<Promise<void>>();
  let seq = 0;
  while (!stopping && (opts.durationMs === undefined || monoNow() - started < opts.durationMs)) {
    const at = monoNow();
    const mySeq = seq++;
    const p = probeQuery({ server: opts.server, port: opts.port, name: opts.name, type: opts.type, timeoutMs: opts.timeoutMs, recursionDesired: opts.recursionDesired, clientSubnet: opts.clientSubnet }).then((r) => {
      emit({ at, seq: mySeq, outcome: r.outcome, rcode: r.rcode, answers: r.answers, ttl: r.ttl, scope: r.scope, latencyMs: Math.round(r.latencyMs * 1000) / 1000, error: r.error });
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    // Fixed-rate schedule: the next send is due at started + seq*interval, however long this one takes.
    const due = started + seq * opts.intervalMs;
    const wait = due - monoNow();
    if (wait > 0) await Promise.race([new Promise((r) => setTimeout(r, wait)), stop]);
  }
  await Promise.all(inFlight);
  return seq;
}

/**
 * The sorter prober: the BGP plane as the BGPDNS sorter sees it, on the harness's
 * monotonic clock. A child process in a lab node that asks the sorter (query
 * protocol, docs/bgpdns-protocol.md) every few milliseconds how it ranks a fixed
 * candidate list for each watched client, and writes one JSON line per answer:
 *   {"at":123.4,"client":"198.19.1.10","status":"ranked","neighborAs":64501,
 *    "matchedPrefix":"198.19.1.0/24","generation":7,"preferences":[1000,998,999],"latencyMs":0.4}
 * A query without an answer within the timeout is written with status "timeout".
 * The first candidate with the highest preference is the sorter's best path.
 *
 *   node --import tsx harness/src/probes/sorter-prober-main.ts --server 127.0.0.1:179 --key FILE \
 *     --client 198.19.1.10 --client 198.19.2.10 --out FILE 198.18.16.10 198.18.32.10 198.18.48.10
 */
import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { ProbeTimeoutError, parseKeyFile, type SorterAsker } from './sorter-udp.js';
import type { WireStatus } from './sorter-wire.js';
import { monoNow } from '../clock.js';
import { parseProberLines } from './prober-lines.js';

export interface SorterSample {
  /** Send time, monotonic ms. */
  at: number;
  client: string;
  status: WireStatus | 'timeout' | 'error';
  neighborAs?: number;
  matchedPrefix?: string;
  /** The answer's scope (protocol version 2): where around the client this answer holds. */
  scopeLength?: number;
  generation?: number;
  preferences: number[];
  latencyMs: number;
  error?: string;
}

export interface SorterProberOptions {
  host: string;
  port: number;
  keyId: number;
  key: Buffer;
  clients: string[];
  candidates: string[];
  intervalMs: number;
  timeoutMs: number;
  out?: string;
}

export const sorterProberUsage = 'usage: sorter-prober --server ADDR:PORT --key FILE --client ADDR… [--interval 20] [--timeout 200] [--out FILE] CANDIDATE…';

export function parseSorterProberArgs(argv: string[]): SorterProberOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { server: { type: 'string' }, key: { type: 'string' }, client: { type: 'string', multiple: true }, interval: { type: 'string' }, timeout: { type: 'string' }, out: { type: 'string' } },
  });
  const fail = (m: string): never => {
    throw new Error(`sorter-prober: ${m}\n${sorterProberUsage}`);
  };
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(values.server ?? '');
  if (!m || isIP(m[1]) === 0) fail(`--server must be ADDR:PORT, got "${values.server ?? ''}"`);
  if (!values.key) fail('--key FILE is required');
  let keyId = 0;
  let key: Buffer = Buffer.alloc(0);
  try {
    [keyId, key] = parseKeyFile(readFileSync(values.key!, 'utf8'));
  } catch (e) {
    fail(`--key ${values.key}: ${(e as Error).message}`);
  }
  const clients = values.client ?? [];
  if (clients.length === 0 || clients.some((c) => isIP(c) === 0)) fail(`--client must be given at least once, each an IP address, got ${JSON.stringify(clients)}`);
  if (positionals.length === 0 || positionals.some((c) => isIP(c) === 0)) fail(`candidates must be IP addresses, got ${JSON.stringify(positionals)}`);
  const num = (flag: string, v: string | undefined, dflt: number) => {
    const n = v === undefined ? dflt : Number(v);
    if (!(n >= 1)) fail(`--${flag} must be a number ≥ 1, got "${v}"`);
    return n;
  };
  return {
    host: m![1],
    port: Number(m![2]),
    keyId,
    key,
    clients,
    candidates: positionals,
    intervalMs: num('interval', values.interval, 20),
    timeoutMs: num('timeout', values.timeout, 200),
    out: values.out,
  };
}

/** Ask about every client each interval (fixed-rate, unanswered queries do not slow it) until `stop` resolves. */
export async function runSorterProber(ranker: SorterAsker, opts: SorterProberOptions, emit: (s: SorterSample) => void, stop: Promise<unknown>): Promise<void> {
  let stopping = false;
  void stop.then(() => (stopping = true));
  const started = monoNow();
  const inFlight = new Set<Promise<void>>();
  for (let seq = 0; !stopping; seq++) {
    for (const client of opts.clients) {
      const at = monoNow();
      const p = ranker.rank({ client, candidates: opts.candidates }, { timeoutMs: opts.timeoutMs }).then(
        (a) => emit({ at, client, status: a.status, neighborAs: a.neighborAs, matchedPrefix: a.matchedPrefix, scopeLength: a.scopeLength, generation: a.generation, preferences: a.preferences, latencyMs: round(monoNow() - at) }),
        (e: Error) => emit({ at, client, status: e instanceof ProbeTimeoutError ? 'timeout' : 'error', preferences: [], latencyMs: round(monoNow() - at), error: e.message }),
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    const wait = started + (seq + 1) * opts.intervalMs - monoNow();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(inFlight);
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The candidate the sorter puts first (highest preference, first of equals), or undefined when it states no preference. */
export function sorterFirst(s: SorterSample, candidates: readonly string[]): string | undefined {
  if (s.status !== 'ranked' || s.preferences.length !== candidates.length) return undefined;
  const best = Math.max(...s.preferences);
  if (s.preferences.filter((p) => p === best).length > 1) return undefined;
  return candidates[s.preferences.indexOf(best)];
}

export function parseSorterSamples(text: string, file: string): SorterSample[] {
  return parseProberLines<SorterSample>(text, file, 'sorter-prober sample');
}

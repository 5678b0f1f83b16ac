/**
 * The route watcher's eyes beside a node on another host (run by the node agent,
 * shipped in the bgpdns image as /opt/bgpdns-lab/agent/route-watch.mjs). It does
 * locally what RouteWatcher does from the harness on one host — poll bgpd's vty
 * socket for each prefix's best path, read FRR's log — and writes one JSON line per
 * observation, stamped on its own host's monotonic clock (`at`, `notBefore`). The
 * harness converts those stamps to its clock with the host's measured offset and
 * feeds the lines to the same RouteWatcher logic (route-watcher.ts), so changes,
 * sessions and their times mean the same on one host and split over several.
 *
 *   {"at":…,"poll":"198.18.16.0/20","best":{"peer":…,"nexthop":…,"asPath":[…]}|null,"notBefore":…,"base":true?}
 *   {"at":…,"log":{"kind":"route-install","prefix":…,"nexthops":[…]}}
 * A poll line is written for the baseline (`base`) and whenever the best path changes.
 * A failed poll is a line {"at":…,"pollError":"…"}.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { monoNow } from '../clock.js';
import { FrrControl } from '../frr/frr-control.js';
import { summarizePath, type BestPath } from './route-watcher.js';
import { FrrLogParser, type LogRouteEvent } from './route-watcher-log.js';

export interface RouteWatchAgentOptions {
  /** bgpd's vty socket. */
  socket: string;
  /** FRR's log, or undefined: poll only. */
  log?: string;
  intervalMs: number;
  prefixes: string[];
  /** Append lines here instead of stdout. */
  out?: string;
}

export type AgentLine =
  | { at: number; poll: string; best: BestPath | null; notBefore?: number; base?: true }
  | { at: number; log: Omit<LogRouteEvent, 'at'> }
  | { at: number; pollError: string };

export const routeWatchAgentUsage = 'usage: route-watch --socket BGPD_VTY [--log FRR_LOG] [--interval 20] [--out FILE] PREFIX…';

export function parseRouteWatchAgentArgs(argv: string[]): RouteWatchAgentOptions {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { socket: { type: 'string' }, log: { type: 'string' }, interval: { type: 'string' }, out: { type: 'string' } } });
  const fail = (m: string): never => {
    throw new Error(`route-watch: ${m}\n${routeWatchAgentUsage}`);
  };
  if (!values.socket) fail('--socket BGPD_VTY is required');
  if (positionals.length === 0) fail('at least one prefix to watch is required');
  const intervalMs = values.interval === undefined ? 20 : Number(values.interval);
  if (!(intervalMs >= 1)) fail(`--interval must be a number ≥ 1, got "${values.interval}"`);
  return { socket: values.socket!, log: values.log, intervalMs, prefixes: positionals, out: values.out };
}

/** Watch until `stop` resolves; every observation goes to `emit`. */
export async function runRouteWatchAgent(opts: RouteWatchAgentOptions, emit: (l: AgentLine) => void, stop: Promise<unknown>): Promise<void> {
  let stopping = false;
  void stop.then(() => (stopping = true));
  const frr = new FrrControl({ name: 'agent', vtySocket: () => opts.socket });
  const best = async (prefix: string): Promise<BestPath | null> => {
    const p = (await frr.prefixPaths(prefix)).find((x) => x.bestpath?.overall);
    return p ? summarizePath(p) : null;
  };
  // The log is read from its end as it is now: only what happens while watching.
  let log: { fh: FileHandle; offset: number; rest: string; parser: FrrLogParser } | undefined;
  if (opts.log) log = { fh: await open(opts.log, 'r'), offset: (await stat(opts.log)).size, rest: '', parser: new FrrLogParser() };
  const readLog = async (): Promise<void> => {
    if (!log) return;
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await log.fh.read(buf, 0, buf.length, log.offset);
      if (bytesRead === 0) return;
      log.offset += bytesRead;
      const lines = (log.rest + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
      log.rest = lines.pop() ?? '';
      for (const line of lines) for (const e of log.parser.push(line)) emitLog(e);
    }
  };
  const emitLog = ({ at, ...rest }: LogRouteEvent) => emit({ at, log: rest });
  const current = new Map<string, string>();
  for (const p of opts.prefixes) {
    const b = await best(p);
    current.set(p, JSON.stringify(b));
    emit({ at: monoNow(), poll: p, best: b, base: true });
  }
  let lastPoll = monoNow();
  let nextLogRead = 0;
  while (!stopping) {
    const started = monoNow();
    for (const p of opts.prefixes) {
      const sent = monoNow();
      let b: BestPath | null;
      try {
        b = await best(p);
      } catch (err) {
        emit({ at: monoNow(), pollError: (err as Error).message });
        continue;
      }
      const key = JSON.stringify(b);
      if (key !== current.get(p)) {
        current.set(p, key);
        emit({ at: (sent + monoNow()) / 2, poll: p, best: b, notBefore: lastPoll });
      }
    }
    lastPoll = monoNow();
    if (started >= nextLogRead) {
      await readLog().catch(() => undefined);
      nextLogRead = started + 100;
    }
    const wait = opts.intervalMs - (monoNow() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await readLog().catch(() => undefined);
  if (log) {
    for (const e of log.parser.flush()) emitLog(e);
    await log.fh.close();
  }
  await frr.vty().close();
}

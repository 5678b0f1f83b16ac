/**
 * A fault timeline: a declarative YAML file saying which fault happens when, on
 * which node or link, for how long — a partner outage written down so it can be
 * replayed on a lab (`bgpdns-lab replay <lab> <timeline>`).
 *
 *   name: comfone-flaps-then-outage
 *   watch:                                   # what to observe while replaying
 *     prefix: 198.18.53.53/32
 *     routers: [comfone, sparkle, future]
 *     clients:
 *       - { node: cl-comfone, server: 198.18.53.53, name: whoami.anycast.lab, type: TXT }
 *   settle: 10s                              # keep observing after the last fault ends
 *   entries:
 *     - at: 0s                               # offset from the start of the replay
 *       fault: link-down                     # any fault of faults/catalog/
 *       link: comfone:eth1                   # NODE:IF for link faults, node: NODE for the others
 *       for: 5s                              # revert after (omit: stays until the end)
 *       repeat: { count: 5, every: 20s }     # optional train
 *
 * Parsing is pure; every error names the file, the entry and the field (with its line).
 */
import { LineCounter, parseDocument, isMap, isSeq, type Document } from 'yaml';
import { isIP } from 'node:net';
import { FaultArgError } from '../faults/fault-args.js';
import { faultNames, findFault } from '../faults/registry.js';
import { parseDurationText } from '../faults/duration.js';

export { parseDurationText };

export interface TimelineEntry {
  index: number;
  line?: number;
  atMs: number;
  /** The fault's registry name (an alias in the file is resolved). */
  fault: string;
  /** NODE:IF for link faults, NODE for node faults. */
  target: string;
  args: Record<string, unknown>;
  forMs?: number;
  repeat?: { count: number; everyMs: number };
}

export interface WatchClient {
  node: string;
  server: string;
  name: string;
  type: string;
}

export interface Timeline {
  file: string;
  name: string;
  description?: string;
  watch: { prefix?: string; routers: string[]; clients: WatchClient[]; intervalMs: number };
  settleMs: number;
  entries: TimelineEntry[];
}

/** One scheduled inject (and revert) of an entry. */
export interface Occurrence {
  entry: TimelineEntry;
  /** 1-based repetition number. */
  repetition: number;
  startMs: number;
  endMs?: number;
}

export class TimelineError extends Error {
  override name = 'TimelineError';
}

export function parseTimeline(text: string, file: string): Timeline {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    throw new TimelineError(`${file}${pos ? `:${pos.line}` : ''}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const lineOf = (path: (string | number)[]): number | undefined => {
    const n = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return n?.range ? lines.linePos(n.range[0]).line : undefined;
  };
  const fail = (path: (string | number)[], message: string): never => {
    // A missing field has no line of its own: point at the nearest enclosing one.
    let line: number | undefined;
    for (let n = path.length; n > 0 && line === undefined; n--) line = lineOf(path.slice(0, n));
    const shown = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
    throw new TimelineError(`${file}${line ? `:${line}` : ''}: ${shown}: ${message}`);
  };
  const root = doc.toJS() as Record<string, unknown> | null;
  if (!root || typeof root !== 'object' || Array.isArray(root)) throw new TimelineError(`${file}: expected a mapping with name, entries (and optionally watch, settle)`);
  const known = new Set(['name', 'description', 'lab', 'watch', 'settle', 'entries']);
  for (const k of Object.keys(root)) if (!known.has(k)) fail([k], `unknown field; known: ${[...known].join(', ')}`);
  if (typeof root.name !== 'string' || !root.name) fail(['name'], 'expected the timeline name as a string');
  const watch = parseWatch(doc, root.watch, fail);
  const settleMs = root.settle === undefined ? 5000 : (parseDurationText(root.settle) ?? fail(['settle'], `expected a duration like "10s", got ${JSON.stringify(root.settle)}`));
  if (!isSeq(doc.get('entries', true)) || !Array.isArray(root.entries) || root.entries.length === 0) fail(['entries'], 'expected a non-empty list of timeline entries');
  const entries = (root.entries as unknown[]).map((raw, i) => parseEntry(raw, i, fail, lineOf(['entries', i])));
  const timeline: Timeline = { file, name: root.name as string, description: root.description as string | undefined, watch, settleMs, entries };
  schedule(timeline, fail);
  return timeline;
}

type Fail = (path: (string | number)[], message: string) => never;

function parseWatch(doc: Document, raw: unknown, fail: Fail): Timeline['watch'] {
  const out: Timeline['watch'] = { routers: [], clients: [], intervalMs: 20 };
  if (raw === undefined) return out;
  if (!isMap(doc.get('watch', true))) fail(['watch'], 'expected a mapping with prefix, routers, clients, interval');
  const w = raw as Record<string, unknown>;
  for (const k of Object.keys(w)) if (!['prefix', 'routers', 'clients', 'interval'].includes(k)) fail(['watch', k], 'unknown field; known: prefix, routers, clients, interval');
  if (w.prefix !== undefined) {
    const [addr, len] = String(w.prefix).split('/');
    if (!isIP(addr) || len === undefined || !/^\d+$/.test(len)) fail(['watch', 'prefix'], `expected a prefix like 198.18.53.53/32, got ${JSON.stringify(w.prefix)}`);
    out.prefix = String(w.prefix);
  }
  if (w.routers !== undefined) {
    if (!Array.isArray(w.routers) || !w.routers.every((r) => typeof r === 'string')) fail(['watch', 'routers'], 'expected a list of node names');
    out.routers = w.routers as string[];
    if (out.routers.length && !out.prefix) fail(['watch', 'routers'], 'watching routers needs watch.prefix');
  }
  if (w.clients !== undefined) {
    if (!Array.isArray(w.clients)) fail(['watch', 'clients'], 'expected a list of {node, server, name, type}');
    out.clients = (w.clients as unknown[]).map((c, i) => {
      if (!c || typeof c !== 'object') fail(['watch', 'clients', i], 'expected {node, server, name, type}');
      const cc = c as Record<string, unknown>;
      if (typeof cc.node !== 'string') fail(['watch', 'clients', i, 'node'], 'expected the client node name');
      if (typeof cc.server !== 'string' || !isIP(cc.server)) fail(['watch', 'clients', i, 'server'], `expected the DNS server address, got ${JSON.stringify(cc.server)}`);
      if (typeof cc.name !== 'string') fail(['watch', 'clients', i, 'name'], 'expected the name to query');
      return { node: cc.node as string, server: cc.server as string, name: cc.name as string, type: typeof cc.type === 'string' ? cc.type : 'A' };
    });
  }
  if (w.interval !== undefined) out.intervalMs = parseDurationText(w.interval) ?? fail(['watch', 'interval'], `expected a duration like "20ms", got ${JSON.stringify(w.interval)}`);
  return out;
}

function parseEntry(raw: unknown, i: number, fail: Fail, line: number | undefined): TimelineEntry {
  const p = (k: string): (string | number)[] => ['entries', i, k];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(['entries', i], 'expected a mapping with at, fault, node or link');
  const e = raw as Record<string, unknown>;
  const known = ['at', 'fault', 'node', 'link', 'args', 'for', 'repeat'];
  for (const k of Object.keys(e)) if (!known.includes(k)) fail(p(k), `unknown field; known: ${known.join(', ')}`);
  if (e.at === undefined) fail(p('at'), 'missing: the offset from the start, like "20s"');
  const atMs = parseDurationText(e.at) ?? fail(p('at'), `expected an offset like "20s", "500ms", "1m30s" or milliseconds, got ${JSON.stringify(e.at)}`);
  const def = findFault(e.fault);
  if (!def) fail(p('fault'), `unknown fault ${JSON.stringify(e.fault)}; one of ${faultNames()}`);
  const fault = def!.name;
  let target: string;
  if (def!.target === 'link') {
    if (e.node !== undefined) fail(p('node'), `${fault} acts on a link end: use link: NODE:IF`);
    if (typeof e.link !== 'string' || !/^[^:\s]+:[^:\s]+$/.test(e.link)) fail(p('link'), `${fault} needs link: NODE:IF (e.g. comfone:eth1), got ${JSON.stringify(e.link)}`);
    target = e.link as string;
  } else {
    if (e.link !== undefined) fail(p('link'), `${fault} acts on a node: use node: NAME`);
    if (typeof e.node !== 'string' || !e.node) fail(p('node'), `${fault} needs node: NAME`);
    target = e.node as string;
  }
  const args = (e.args ?? {}) as Record<string, unknown>;
  if (typeof args !== 'object' || Array.isArray(args)) fail(p('args'), 'expected a mapping');
  try {
    def!.parse(args);
  } catch (err) {
    if (!(err instanceof FaultArgError)) throw err;
    const known = args[err.arg] !== undefined;
    fail(known ? ['entries', i, 'args', err.arg] : p('args'), known ? err.problem : `${fault} needs args.${err.arg}: ${err.problem.replace(/^missing: /, '')}`);
  }
  let forMs: number | undefined;
  if (e.for !== undefined) {
    if (def!.lasting === 'instant') fail(p('for'), `${fault} is instantaneous; it has no duration`);
    if (def!.lasting === 'train') fail(p('for'), `${fault} runs its own course (its arguments say how long); it takes no for:`);
    forMs = parseDurationText(e.for) ?? fail(p('for'), `expected a duration like "5s", got ${JSON.stringify(e.for)}`);
    if (forMs <= 0) fail(p('for'), 'must be longer than 0');
  }
  let repeat: TimelineEntry['repeat'];
  if (e.repeat !== undefined) {
    const r = e.repeat as Record<string, unknown>;
    if (!r || typeof r !== 'object' || !Number.isInteger(r.count) || (r.count as number) < 1) fail(p('repeat'), 'expected { count: N ≥ 1, every: DURATION }');
    const everyMs = parseDurationText(r.every) ?? fail(p('repeat'), `every: expected a duration like "20s", got ${JSON.stringify(r.every)}`);
    if (everyMs <= 0) fail(p('repeat'), 'every must be longer than 0');
    repeat = { count: r.count as number, everyMs };
    if (forMs === undefined && def!.lasting === 'held') fail(p('for'), 'a repeated fault needs a duration (for:) shorter than repeat.every');
    if (forMs !== undefined && forMs >= everyMs) fail(p('for'), `${e.for} is not shorter than repeat.every (${r.every}): the repetitions would overlap`);
  }
  return { index: i, line, atMs, fault, target, args, forMs, repeat };
}

function schedule(t: Timeline, fail: Fail): void {
  const occ = occurrences(t);
  // The same target must not carry two faults of one kind at once: reverting one would undo the other.
  for (let a = 0; a < occ.length; a++) {
    for (let b = a + 1; b < occ.length; b++) {
      const x = occ[a];
      const y = occ[b];
      if (x.entry === y.entry || x.entry.fault !== y.entry.fault || x.entry.target !== y.entry.target) continue;
      const xEnd = x.endMs ?? Infinity;
      const yEnd = y.endMs ?? Infinity;
      if (x.startMs < yEnd && y.startMs < xEnd) {
        fail(['entries', y.entry.index, 'at'], `overlaps entries[${x.entry.index}] (${x.entry.fault} on ${x.entry.target} from ${x.startMs} ms)`);
      }
    }
  }
}

/** Every inject of the timeline in start order. */
export function occurrences(t: Pick<Timeline, 'entries'>): Occurrence[] {
  const out: Occurrence[] = [];
  for (const entry of t.entries) {
    const count = entry.repeat?.count ?? 1;
    for (let k = 0; k < count; k++) {
      const startMs = entry.atMs + k * (entry.repeat?.everyMs ?? 0);
      out.push({ entry, repetition: k + 1, startMs, endMs: entry.forMs !== undefined ? startMs + entry.forMs : undefined });
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs || a.entry.index - b.entry.index);
}

/** When the last fault ends (faults without a duration end with the replay). */
export function timelineLengthMs(t: Pick<Timeline, 'entries'>): number {
  return Math.max(0, ...occurrences(t).map((o) => o.endMs ?? o.startMs));
}

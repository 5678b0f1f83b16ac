/**
 * Route watcher: when does a prefix appear, change best path, and disappear at one
 * router? Two sources, both on the monotonic clock, reported side by side:
 *  - vty polling (default every 20 ms) of `show bgp ipv4|ipv6 unicast P json` over
 *    the persistent vty client: the time is the middle of the poll that first saw
 *    the new state, and `detail.notBefore` is the previous poll (the change happened
 *    in between);
 *  - FRR's own log (millisecond timestamps): the moment bgpd handed the new best
 *    path to zebra ("Tx route add/delete"), enabled per prefix with
 *    `debug bgp zebra prefix P` while the watcher runs, plus session up/down lines.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { monoNow, wallToMono, type Millis } from '../clock.js';
import { FrrControl, asPathList, type FrrNode } from '../frr/frr-control.js';
import type { BgpPath } from '../frr/frr-json.js';
import type { ObservedEvent } from '../run/record.js';
import { WaitTimeoutError, waitUntil } from '@bgpdns-lab/bgpdns';
import { FrrLogParser, type LogRouteEvent } from './route-watcher-log.js';
import { AgentFeed, type AgentFeedNode } from './route-watcher-agent-feed.js';
import type { AgentLine } from './route-watch-agent.js';
import type { LabNode } from '../topology/model.js';

export type RouteChangeType = 'prefix-added' | 'bestpath-changed' | 'prefix-removed';
export type RouteSource = 'vty-poll' | 'frr-log';

/** What identifies a best path: who sent it, where it points, through which ASes. */
export interface BestPath {
  peer: string;
  nexthop: string;
  asPath: number[];
}

export interface RouteChange {
  at: Millis;
  node: string;
  prefix: string;
  type: RouteChangeType;
  source: RouteSource;
  /** Best path after the change (absent when removed). The log knows only the next hop. */
  to?: Partial<BestPath>;
  from?: Partial<BestPath>;
  /** vty poll: the previous poll's time; the change happened after it. */
  notBefore?: Millis;
}

export interface SessionChange {
  at: Millis;
  node: string;
  peer: string;
  state: 'up' | 'down';
  reason?: string;
}

export interface RouteWatchOptions {
  /** Poll period. Default 20 ms. */
  intervalMs?: number;
  /** FRR log to read. Default <node dir>/frr.log (where the frr kind logs); false: poll only. */
  logFile?: string | false;
  /** Where observed events go (a RunRecorder). */
  sink?: { event(ev: ObservedEvent): void };
  /**
   * The node's host clock minus the harness's (ms), when the node runs on another
   * host: FRR's log stamps are that host's wall time and are converted with it.
   */
  clockOffsetMs?: number;
}

/** A node on another host (model.host) is watched through the agent beside it, which needs spawn. */
type WatchNode = FrrNode & { dir: string } & Partial<AgentFeedNode & { model: Pick<LabNode, 'host'> }>;

/**
 * `debug bgp zebra prefix P` is per daemon, not per client: count the watchers that
 * need it on each bgpd, so the last one to stop switches it off, not the first.
 */
const debugUsers = new Map<string, number>();

async function debugOn(frr: FrrControl, key: string, prefix: string): Promise<void> {
  const n = debugUsers.get(key) ?? 0;
  if (n === 0) await frr.command(`debug bgp zebra prefix ${prefix}`);
  debugUsers.set(key, n + 1);
}

async function debugOff(frr: FrrControl, key: string, prefix: string): Promise<void> {
  const n = (debugUsers.get(key) ?? 1) - 1;
  if (n > 0) {
    debugUsers.set(key, n);
    return;
  }
  debugUsers.delete(key);
  await frr.command(`no debug bgp zebra prefix ${prefix}`);
}

export class RouteWatcher {
  readonly changes: RouteChange[] = [];
  readonly sessions: SessionChange[] = [];
  /** Poll attempts that failed (daemon restarting, frozen …) and the last such error. */
  pollErrors = 0;
  lastPollError?: string;
  private readonly frr: FrrControl;
  private readonly current = new Map<string, BestPath | undefined>();
  private readonly logState = new Map<string, string[] | undefined>();
  private readonly intervalMs: number;
  private running = false;
  private loop?: Promise<void>;
  private logHandle?: FileHandle;
  private logOffset = 0;
  private logRemainder = '';
  private readonly parser: FrrLogParser;
  private lastPoll: Millis = 0;
  /** Set when the node is on another host: its vty and log are read by the agent beside it. */
  private agent?: AgentFeed;

  private constructor(
    readonly node: WatchNode,
    readonly prefixes: string[],
    private readonly opts: RouteWatchOptions,
  ) {
    this.frr = new FrrControl(node);
    this.intervalMs = opts.intervalMs ?? 20;
    const offset = opts.clockOffsetMs ?? 0;
    this.parser = new FrrLogParser((epochMs) => wallToMono(epochMs - offset));
  }

  /** Start watching: takes the current state as the baseline (no events for it), then polls. */
  static async start(node: WatchNode, prefixes: string[], opts: RouteWatchOptions = {}): Promise<RouteWatcher> {
    const w = new RouteWatcher(node, prefixes, opts);
    await w.begin();
    return w;
  }

  /** How this watcher reads the router: the vty socket and log from here, or the agent beside a node on another host. */
  get via(): 'vty' | 'agent' {
    return this.agent ? 'agent' : 'vty';
  }

  private async begin(): Promise<void> {
    const logFile = this.opts.logFile === undefined ? join(this.node.dir, 'frr.log') : this.opts.logFile;
    if (this.node.model?.host !== undefined && this.node.spawn) return this.beginAgent(logFile);
    if (logFile) {
      this.logHandle = await open(logFile, 'r');
      this.logOffset = (await stat(logFile)).size;
      for (const p of this.prefixes) await debugOn(this.frr, this.debugKey(p), p);
    }
    for (const p of this.prefixes) {
      const best = await this.bestOf(p);
      this.current.set(p, best);
      this.logState.set(p, best ? [best.nexthop] : undefined);
    }
    this.lastPoll = monoNow();
    this.running = true;
    this.loop = this.run();
  }

  /** Through the agent: debug switched on by the harness (through the host's engine), polls and log read beside the node. */
  private async beginAgent(logFile: string | false): Promise<void> {
    if (logFile) for (const p of this.prefixes) await debugOn(this.frr, this.debugKey(p), p);
    const node = this.node as AgentFeedNode & WatchNode;
    this.agent = await AgentFeed.start(node, this.prefixes, { intervalMs: this.intervalMs, ...(logFile ? { logFile } : {}) });
    const base = await this.agent.baseline(this.prefixes);
    for (const p of this.prefixes) {
      const line = base.get(p)!;
      const best = 'best' in line && line.best ? line.best : undefined;
      this.current.set(p, best);
      this.logState.set(p, best ? [best.nexthop] : undefined);
      this.lastPoll = line.at;
    }
    this.running = true;
    this.loop = this.runAgent();
  }

  private async runAgent(): Promise<void> {
    while (this.running) {
      await this.readAgent();
      await new Promise((r) => setTimeout(r, this.intervalMs));
    }
  }

  /** Reads of the agent's lines, one after another (the poll loop and waitFor both read). */
  private agentReads: Promise<void> = Promise.resolve();

  private readAgent(lines?: AgentLine[]): Promise<void> {
    this.agentReads = this.agentReads.then(() => this.takeAgentLines(lines)).catch((err: Error) => {
      this.pollErrors++;
      this.lastPollError = `agent: ${err.message}`;
    });
    return this.agentReads;
  }

  private async takeAgentLines(lines?: AgentLine[]): Promise<void> {
    for (const l of lines ?? (await this.agent!.lines())) {
      if ('pollError' in l) {
        this.pollErrors++;
        this.lastPollError = l.pollError;
      } else if ('log' in l) this.onLogEvent({ ...l.log, at: l.at } as LogRouteEvent);
      else this.applyPoll(l.poll, l.best ?? undefined, l.at, l.notBefore ?? this.lastPoll);
    }
  }

  /** The best path seen by the latest poll. */
  best(prefix: string): BestPath | undefined {
    return this.current.get(prefix);
  }

  /**
   * Wait for a change (from the vty poll unless `source` says otherwise) that matches,
   * at or after `after` (default: now). Resolves with that change.
   */
  async waitFor(
    match: (c: RouteChange) => boolean,
    opts: { what: string; timeout?: number; after?: Millis; source?: RouteSource },
  ): Promise<RouteChange> {
    const after = opts.after ?? monoNow();
    const source = opts.source ?? 'vty-poll';
    const find = () => this.changes.find((c) => c.source === source && c.at >= after && match(c));
    const r = await waitUntil(
      async () => {
        if (source === 'frr-log') await this.readLog();
        return find();
      },
      (c) => (c ? true : `no matching change yet${this.agent ? ' (watched through the agent beside the node)' : ''}; best paths now: ${this.describeCurrent()}${this.lastPollError ? `; last poll error: ${this.lastPollError}` : ''}`),
      { what: `${this.node.name}: ${opts.what}`, timeout: opts.timeout ?? 30_000, interval: 5 },
    );
    return r.value!;
  }

  /**
   * The FRR-log change that corresponds to a polled one: same prefix and kind, same
   * next hop for installs, logged within [from, poll time + slack]. The log time is when
   * bgpd handed the path to zebra; it is usually a little before the poll saw it, but
   * bgpd may queue the zebra update (and, on a loaded host, write the line late), so the
   * log is re-read for up to `waitMs` before concluding there is no counterpart.
   */
  async logCounterpart(polled: RouteChange, from: Millis, slackMs = 1000, waitMs = 2000): Promise<RouteChange | undefined> {
    const find = () =>
      this.changes.find(
        (c) =>
          c.source === 'frr-log' &&
          c.prefix === polled.prefix &&
          c.at >= from - 1 &&
          c.at <= polled.at + slackMs &&
          (polled.type === 'prefix-removed' ? c.type === 'prefix-removed' : c.type !== 'prefix-removed' && c.to?.nexthop === polled.to?.nexthop),
      );
    try {
      const r = await waitUntil(
        async () => {
          await this.readLog();
          return find();
        },
        (c) => c !== undefined,
        { what: `${this.node.name}: FRR log counterpart of ${polled.type} ${polled.prefix}`, timeout: waitMs, interval: 20 },
      );
      return r.value;
    } catch (err) {
      if (err instanceof WaitTimeoutError) return undefined;
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.loop;
    if (this.agent) {
      await this.readAgent(await this.agent.stop());
      for (const p of this.prefixes) if (this.opts.logFile !== false) await debugOff(this.frr, this.debugKey(p), p).catch(() => undefined);
      return;
    }
    await this.readLog().catch(() => undefined);
    for (const e of this.parser.flush()) this.onLogEvent(e);
    if (this.logHandle) {
      for (const p of this.prefixes) await debugOff(this.frr, this.debugKey(p), p).catch(() => undefined);
      await this.logHandle.close();
      this.logHandle = undefined;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private debugKey(prefix: string): string {
    return `${this.node.vtySocket('bgpd')} ${prefix}`;
  }

  private describeCurrent(): string {
    return this.prefixes.map((p) => `${p} ${fmt(this.current.get(p))}`).join(', ');
  }

  private async run(): Promise<void> {
    let nextLogRead = 0;
    while (this.running) {
      const started = monoNow();
      await this.pollOnce();
      if (this.logHandle && started >= nextLogRead) {
        await this.readLog().catch(() => undefined);
        nextLogRead = started + 100;
      }
      const wait = this.intervalMs - (monoNow() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async pollOnce(): Promise<void> {
    for (const prefix of this.prefixes) {
      const sent = monoNow();
      let best: BestPath | undefined;
      try {
        best = await this.bestOf(prefix);
      } catch (err) {
        this.pollErrors++;
        this.lastPollError = (err as Error).message;
        continue;
      }
      this.applyPoll(prefix, best, (sent + monoNow()) / 2, this.lastPoll);
    }
    this.lastPoll = monoNow();
  }

  /** One poll's answer for a prefix, taken at `at` (the previous poll at `notBefore`). */
  private applyPoll(prefix: string, best: BestPath | undefined, at: Millis, notBefore: Millis): void {
    const before = this.current.get(prefix);
    const type = changeType(before, best);
    if (type) {
      this.current.set(prefix, best);
      this.record({ at, node: this.node.name, prefix, type, source: 'vty-poll', ...(best ? { to: best } : {}), ...(before ? { from: before } : {}), notBefore });
    }
  }

  private async bestOf(prefix: string): Promise<BestPath | undefined> {
    const paths = await this.frr.prefixPaths(prefix);
    const best = paths.find((p) => p.bestpath?.overall);
    return best ? summarizePath(best) : undefined;
  }

  /** Read whatever the log gained since last time and turn it into changes. */
  /** Reads of the log file, one after another (the poll loop, waitFor and logCounterpart all read). */
  private logReads: Promise<void> = Promise.resolve();

  /**
   * Reads what FRR appended to its log since the last read. Serialized: two reads from the
   * same offset would both take the same lines (duplicate events) and then both advance
   * the offset, skipping as many bytes unread — lost lines (a CI run lost 16 s of them).
   */
  private readLog(): Promise<void> {
    if (this.agent) return this.readAgent();
    const read = this.logReads.then(() => this.readLogOnce());
    this.logReads = read.catch(() => undefined);
    return read;
  }

  private async readLogOnce(): Promise<void> {
    const fh = this.logHandle;
    if (!fh) return;
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.logOffset);
      if (bytesRead === 0) break;
      this.logOffset += bytesRead;
      const text = this.logRemainder + buf.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      this.logRemainder = lines.pop() ?? '';
      for (const line of lines) for (const e of this.parser.push(line)) this.onLogEvent(e);
    }
  }

  private onLogEvent(e: LogRouteEvent): void {
    if (e.kind === 'session') {
      const s: SessionChange = { at: e.at, node: this.node.name, peer: e.peer, state: e.state, ...(e.reason ? { reason: e.reason } : {}) };
      this.sessions.push(s);
      this.opts.sink?.event({ at: e.at, node: s.node, plane: 'bgp', type: `session-${e.state}`, source: 'frr-log', detail: { peer: e.peer, ...(e.reason ? { reason: e.reason } : {}) } });
      return;
    }
    if (!this.prefixes.includes(e.prefix)) return;
    const before = this.logState.get(e.prefix);
    if (e.kind === 'route-delete') {
      this.logState.set(e.prefix, undefined);
      if (before) this.record({ at: e.at, node: this.node.name, prefix: e.prefix, type: 'prefix-removed', source: 'frr-log', from: { nexthop: before[0] } });
      return;
    }
    this.logState.set(e.prefix, e.nexthops);
    if (before && before.join(',') === e.nexthops.join(',')) return;
    this.record({
      at: e.at,
      node: this.node.name,
      prefix: e.prefix,
      type: before ? 'bestpath-changed' : 'prefix-added',
      source: 'frr-log',
      to: { nexthop: e.nexthops[0] },
      ...(before ? { from: { nexthop: before[0] } } : {}),
    });
  }

  private record(c: RouteChange): void {
    this.changes.push(c);
    this.opts.sink?.event({
      at: c.at,
      node: c.node,
      plane: 'bgp',
      type: c.type,
      source: c.source,
      detail: { prefix: c.prefix, ...(c.to ? { to: c.to } : {}), ...(c.from ? { from: c.from } : {}), ...(c.notBefore !== undefined ? { notBefore: c.notBefore } : {}) },
    });
  }
}

export function summarizePath(p: BgpPath): BestPath {
  return { peer: p.peer.peerId, nexthop: p.nexthops[0]?.ip ?? '', asPath: asPathList(p) };
}

function changeType(before: BestPath | undefined, after: BestPath | undefined): RouteChangeType | undefined {
  if (!before && after) return 'prefix-added';
  if (before && !after) return 'prefix-removed';
  if (before && after && (before.peer !== after.peer || before.nexthop !== after.nexthop || before.asPath.join(' ') !== after.asPath.join(' '))) {
    return 'bestpath-changed';
  }
  return undefined;
}

function fmt(p: BestPath | undefined): string {
  return p ? `via ${p.nexthop} (AS path ${p.asPath.join(' ') || 'local'})` : 'absent';
}

/** Start a route watcher on a node: `await using w = await watchRoutes(lab.node('c1'), ['198.18.16.0/20'])`. */
export function watchRoutes(node: WatchNode, prefixes: string[], opts?: RouteWatchOptions): Promise<RouteWatcher> {
  return RouteWatcher.start(node, prefixes, opts);
}

/**
 * The query service: a UDP socket in front of a Sorter. The first few datagrams
 * read in a turn of the event loop are answered at once (a query that arrived
 * during a slice of BGP work waits for that slice only, not for the next one
 * too); the rest go through a bounded queue (default 128, as in 2002) that is
 * drained on the next turn. While the loop is busy (a table burst) the queue
 * fills and the excess is dropped and counted instead of piling up latency (slide 36:
 * "BGPDNS should not fall over but provide some form of overload protection").
 * Unauthenticated, malformed, stale and replayed queries are dropped silently
 * and counted by reason; no error is ever sent back to an unauthenticated source.
 */
import dgram from 'node:dgram';
import { isIP, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RankAnswer, RankRequest, RibChanges } from './api.js';
import { decodeChangesSince, encodeChangesAnswerTo } from './protocol-changes.js';
import { decodeQueryBody, decodeQueryInto, encodeAnswerTo } from './protocol.js';
import { WireQuery, type WireAnswer } from './wire-query.js';
import { ReplayGuard, sign, verifyInPlace, type KeyRing } from './protocol-auth.js';
import { DEFAULT_WINDOW_MS, ProtocolError } from './protocol-types.js';
import { QueryStats } from './stats.js';

export interface SyncRanker {
  rankNow(req: RankRequest): RankAnswer;
  /** The same ranking from the query as numbers (Sorter has it): no address text on the query path. */
  rankWire?(q: WireQuery): WireAnswer;
  /** Which prefixes changed since a generation (changes query, §4.4); without it every such query is answered "all". */
  changesSinceNow?(generation: number): RibChanges;
}

export interface QueryServerOptions {
  ranker: SyncRanker;
  keys: KeyRing;
  windowMs?: number;
  queueLimit?: number;
  /** Wall clock in Unix ms. */
  now?: () => number;
}

interface Queued {
  msg: Buffer;
  port: number;
  address: string;
}

export const DEFAULT_QUEUE_LIMIT = 128;
/** Longest stretch of answering before the event loop gets a turn (as the daemon's slices of BGP work). */
const DRAIN_SLICE_MS = 2;
/**
 * Datagrams answered as they are read, per turn of the event loop, while nothing is queued:
 * the few a turn brings at normal load (~20 µs each). A backlog read after a busy stretch
 * goes to the bounded queue beyond these, so overload is still dropped, not answered late.
 */
const DIRECT_PER_TURN = 8;
const CHANGES_QUERY = 3;

/** dgram's lookup for destinations that are already address literals (dgram passes the socket's family). */
export function literalLookup(address: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, isIP(address) || (typeof family === 'number' ? family : 4));
}

export class QueryServer {
  readonly stats: QueryStats;
  private socket?: dgram.Socket;
  private queue: Queued[] = [];
  private draining = false;
  /** Datagrams answered on arrival in this turn of the event loop (reset by a setImmediate). */
  private directThisTurn = 0;
  private readonly newTurn = (): void => {
    this.directThisTurn = 0;
  };
  private readonly replay: ReplayGuard;
  /** The datagram being answered, as numbers (one reused: handle is synchronous). */
  private readonly wire = new WireQuery();
  private readonly now: () => number;
  private readonly windowMs: number;

  constructor(private readonly options: QueryServerOptions) {
    this.stats = new QueryStats(options.queueLimit ?? DEFAULT_QUEUE_LIMIT);
    this.now = options.now ?? Date.now;
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.replay = new ReplayGuard(this.windowMs);
  }

  /** Binds the socket; `host` decides the family ("::" takes IPv4 too). Port 0 picks a free port. */
  async listen(port: number, host: string): Promise<AddressInfo> {
    // Large buffers so that a burst of queries (or of replies) while the loop is busy is queued, not dropped by the kernel.
    // Replies go to a datagram's source, always an address literal: answering the lookup at once
    // spares every send the default dns.lookup round (an isIP check and a nextTick per reply).
    const socket = dgram.createSocket({
      type: host.includes(':') ? 'udp6' : 'udp4',
      ipv6Only: false,
      recvBufferSize: 4 << 20,
      sendBufferSize: 4 << 20,
      lookup: literalLookup,
    });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.enqueue(msg, rinfo.port, rinfo.address));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => undefined);
    return socket.address();
  }

  private enqueue(msg: Buffer, port: number, address: string): void {
    this.stats.received++;
    if (this.queue.length === 0 && this.directThisTurn < DIRECT_PER_TURN) {
      if (this.directThisTurn++ === 0) setImmediate(this.newTurn);
      this.answer(msg, port, address);
      return;
    }
    if (this.queue.length >= this.stats.queueLimit) {
      this.stats.drop('overload');
      return;
    }
    this.queue.push({ msg, port, address });
    this.stats.queued = this.queue.length;
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => this.drain());
    }
  }

  /**
   * Answers queued datagrams for at most DRAIN_SLICE_MS, then yields to the event loop
   * (BGP input, timers) and goes on at the next turn: a full queue under overload is
   * not one long synchronous stretch of work.
   */
  private drain(): void {
    const queue = this.queue;
    const until = performance.now() + DRAIN_SLICE_MS;
    let i = 0;
    while (i < queue.length) {
      const item = queue[i++];
      this.answer(item.msg, item.port, item.address);
      if ((i & 15) === 0 && performance.now() >= until) break;
    }
    queue.splice(0, i);
    this.stats.queued = queue.length;
    if (queue.length > 0) setImmediate(() => this.drain());
    else this.draining = false;
  }

  /** Verifies, ranks and replies to one datagram; returns the reply (tests call it directly). */
  handle(msg: Buffer): Buffer | undefined {
    const now = this.now();
    let keyId;
    let answer: WireAnswer;
    const ranker = this.options.ranker;
    try {
      keyId = verifyInPlace(msg, { keys: this.options.keys, now, windowMs: this.windowMs, replay: this.replay });
      if (msg[3] === CHANGES_QUERY) return this.changes(msg, keyId, now);
      answer = ranker.rankWire ? ranker.rankWire(decodeQueryInto(msg, this.wire)) : ranker.rankNow(decodeQueryBody(msg));
    } catch (e) {
      if (e instanceof ProtocolError) {
        this.stats.drop(e.reason);
        return undefined;
      }
      throw e;
    }
    this.stats.byStatus[answer.status]++;
    this.stats.answered++;
    return sign(encodeAnswerTo(msg, now, answer), this.options.keys.get(keyId)!);
  }

  /** Answers a verified changes query (a ranker without a change log says "all"). */
  private changes(msg: Buffer, keyId: number, now: number): Buffer {
    const since = decodeChangesSince(msg);
    const ranker = this.options.ranker;
    const changes = ranker.changesSinceNow ? ranker.changesSinceNow(since) : { generation: 0, changed: 'all' as const };
    this.stats.changesAnswered++;
    return sign(encodeChangesAnswerTo(msg, now, changes), this.options.keys.get(keyId)!);
  }

  private answer(msg: Buffer, port: number, address: string): void {
    const reply = this.handle(msg);
    if (reply) this.socket?.send(reply, port, address);
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/**
 * Client of the BGPDNS query protocol: a Ranker over UDP. One socket carries
 * many queries in flight; answers are matched by request id and nonce, and
 * accepted only with a valid MAC and a fresh timestamp. Used by the DNS front
 * and by harness probes.
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { RankAnswer, Ranker, RankRequest, RibChanges } from './api.js';
import { decodeChangesAnswer, encodeChangesQuery } from './protocol-changes.js';
import { decodeAnswer, encodeQuery } from './protocol.js';
import { sign, verifyMessage } from './protocol-auth.js';
import { DEFAULT_PORT, DEFAULT_WINDOW_MS, ProtocolError } from './protocol-types.js';

export interface SorterClientOptions {
  host: string;
  /** Default 179 (docs/bgpdns-protocol.md §2). */
  port?: number;
  keyId: number;
  key: Buffer;
  /** Per-query timeout unless the call gives one. Default 50 ms (the DNS front must answer well before resolvers retry). */
  timeoutMs?: number;
  /** Accepted clock difference for answers. Default 5000 ms. */
  windowMs?: number;
  /** Wall clock in Unix ms (tests inject a skewed one). */
  now?: () => number;
}

export class SorterTimeoutError extends Error {
  constructor(host: string, port: number, ms: number) {
    super(`sorter ${host}:${port} did not answer within ${ms} ms`);
  }
}

interface Pending {
  nonce: bigint;
  /** The answer type expected: 2 (ranking) or 4 (changes). */
  answerType: number;
  resolve: (a: RankAnswer | RibChanges) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  cleanup?: () => void;
}

export interface ClientStats {
  sent: number;
  answered: number;
  timedOut: number;
  /** Datagrams that failed the MAC, freshness or decoding. */
  rejected: number;
  /** Authentic answers for no query in flight (late after a timeout, or duplicated). */
  unmatched: number;
}

/**
 * Random 64-bit nonces drawn from a buffer the CSPRNG refills 512 at a time: one
 * randomBytes call per query was 6 % of a busy DNS front's CPU (profile of the
 * realistic `bench dns` workload, where most queries ask the sorter).
 */
class NoncePool {
  private readonly buf = Buffer.alloc(4096);
  private at = this.buf.length;

  next(): bigint {
    if (this.at === this.buf.length) {
      randomFillSync(this.buf);
      this.at = 0;
    }
    const nonce = this.buf.readBigUInt64BE(this.at);
    this.at += 8;
    return nonce;
  }
}

export class SorterClient implements Ranker {
  private readonly socket: dgram.Socket;
  private readonly pending = new Map<number, Pending>();
  private nextId: number;
  private readonly port: number;
  private readonly keys: Map<number, Buffer>;
  private readonly now: () => number;
  readonly stats: ClientStats = { sent: 0, answered: 0, timedOut: 0, rejected: 0, unmatched: 0 };
  private readonly nonces = new NoncePool();

  private constructor(private readonly options: SorterClientOptions) {
    this.port = options.port ?? DEFAULT_PORT;
    this.keys = new Map([[options.keyId, options.key]]);
    this.now = options.now ?? Date.now;
    this.nextId = randomBytes(4).readUInt32BE(0);
    this.socket = dgram.createSocket(isIPv6(options.host) ? 'udp6' : 'udp4');
    this.socket.on('message', (msg) => this.onMessage(msg));
    this.socket.on('error', () => undefined);
  }

  /** A client with its socket bound (ephemeral port). */
  static async open(options: SorterClientOptions): Promise<SorterClient> {
    const client = new SorterClient(options);
    await new Promise<void>((resolve, reject) => {
      client.socket.once('error', reject);
      client.socket.bind(0, () => {
        client.socket.off('error', reject);
        resolve();
      });
    });
    return client;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  rank(req: RankRequest, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RankAnswer> {
    return this.exchange(
      2,
      (requestId, nonce) =>
        encodeQuery({ requestId, keyId: this.options.keyId, timestamp: this.now(), nonce, client: req.client, clientPrefixLen: req.clientPrefixLen, candidates: req.candidates, upstreams: req.upstreams }),
      opts,
    ) as Promise<RankAnswer>;
  }

  /** Which prefixes changed since `generation` (changes query, docs/bgpdns-protocol.md §4.4). */
  changesSince(generation: number, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RibChanges> {
    return this.exchange(4, (requestId, nonce) => encodeChangesQuery({ requestId, keyId: this.options.keyId, timestamp: this.now(), nonce, since: generation }), opts) as Promise<RibChanges>;
  }

  /** Sends one signed query and waits for its answer of `answerType`. */
  private exchange(
    answerType: number,
    encode: (requestId: number, nonce: bigint) => Buffer,
    opts: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<RankAnswer | RibChanges> {
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs ?? 50;
    let requestId = this.nextId;
    while (this.pending.has(requestId)) requestId = (requestId + 1) >>> 0;
    this.nextId = (requestId + 1) >>> 0;
    const nonce = this.nonces.next();
    let wire: Buffer;
    try {
      wire = sign(encode(requestId, nonce), this.options.key);
    } catch (e) {
      return Promise.reject(e);
    }
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason ?? new Error('aborted'));
    return new Promise<RankAnswer | RibChanges>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(requestId);
        this.stats.timedOut++;
        reject(new SorterTimeoutError(this.options.host, this.port, timeoutMs));
      }, timeoutMs);
      const entry: Pending = { nonce, answerType, resolve, reject, timer };
      if (opts.signal) {
        const signal = opts.signal;
        const onAbort = () => {
          this.settle(requestId);
          reject(signal.reason ?? new Error('aborted'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        entry.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.pending.set(requestId, entry);
      this.stats.sent++;
      this.socket.send(wire, this.port, this.options.host, (err) => {
        if (err && this.settle(requestId)) reject(err);
      });
    });
  }

  /** Removes a query from the in-flight table; undefined when it was already settled. */
  private settle(requestId: number): Pending | undefined {
    const p = this.pending.get(requestId);
    if (!p) return undefined;
    this.pending.delete(requestId);
    clearTimeout(p.timer);
    p.cleanup?.();
    return p;
  }

  private onMessage(msg: Buffer): void {
    let answer;
    let changes;
    try {
      verifyMessage(msg, { keys: this.keys, now: this.now(), windowMs: this.options.windowMs ?? DEFAULT_WINDOW_MS });
      if (msg[3] === 4) changes = decodeChangesAnswer(msg);
      else answer = decodeAnswer(msg);
    } catch (e) {
      if (e instanceof ProtocolError) {
        this.stats.rejected++;
        return;
      }
      throw e;
    }
    const header = (answer ?? changes)!;
    const p = this.pending.get(header.requestId);
    if (!p || p.nonce !== header.nonce || p.answerType !== msg[3]) {
      this.stats.unmatched++;
      return;
    }
    this.settle(header.requestId);
    this.stats.answered++;
    if (changes) {
      p.resolve(changes.more ? { generation: changes.generation, changed: changes.changed, more: true } : { generation: changes.generation, changed: changes.changed });
      return;
    }
    answer = answer!;
    const result: RankAnswer = { status: answer.status, preferences: answer.preferences, generation: answer.generation };
    if (answer.matchedPrefix !== undefined) result.matchedPrefix = answer.matchedPrefix;
    if (answer.scopeLength !== undefined) result.scopeLength = answer.scopeLength;
    if (answer.neighborAs !== undefined) result.neighborAs = answer.neighborAs;
    if (answer.owners && answer.upstreamRanking) {
      result.owners = answer.owners;
      result.upstreamRanking = answer.upstreamRanking;
    }
    p.resolve(result);
  }

  /** Rejects what is still in flight and closes the socket. */
  close(): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(new Error('sorter client closed'));
    this.socket.close();
  }
}

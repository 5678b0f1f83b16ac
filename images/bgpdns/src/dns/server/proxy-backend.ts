/**
 * Proxy mode: in front of any authoritative server (tinydns, CoreDNS, BIND).
 * Each query is forwarded as received (UDP over one connected socket with our
 * own ids, TCP over a connection per query); the answer comes back with the
 * client's id restored and its A/AAAA RRsets reordered for the client — no
 * other byte changes. Upstream silent, refusing or broken → SERVFAIL after at
 * most `timeoutMs`, counted. Reusable upstream answers are kept in a packet
 * cache (packet-cache.ts); a hit goes through the same rate gate and the same
 * per-client reordering as a fresh answer.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Backend, MaybeAsync, RateGate, Source, Transport } from './backend.js';
import type { ResponseKind } from './rrl.js';
import type { Query } from '../wire/query.js';
import { shortResponse } from '../wire/opt.js';
import { HeaderFlag, Rcode } from '../wire/types.js';
import { TcpFramer } from '../wire/tcp-framer.js';
import { applyOrder, scanAddressRrsets, type AddressScan } from '../wire/address-rrsets.js';
import { capTtls } from '../wire/template.js';
import type { AddressOrderer, OrderDecision } from '../ordering/orderer.js';
import type { FrontStats } from './stats.js';
import { clientFor } from './file-backend.js';
import type { ListenAddress } from './transports.js';
import { PacketCache, packetCacheDefaults, type PacketCacheOptions } from './packet-cache.js';

export interface ProxyBackendOptions {
  upstream: ListenAddress;
  orderer: AddressOrderer;
  stats: FrontStats;
  /** Give up on the upstream after this long (default 300 ms). */
  timeoutMs?: number;
  /** Packet cache settings (defaults: packetCacheDefaults; maxEntries 0 = off). */
  packetCache?: Partial<PacketCacheOptions>;
}

interface Pending {
  resolve: (r: Buffer | null) => void;
  timer: NodeJS.Timeout;
}

export class ProxyBackend implements Backend {
  private readonly pending = new Map<number, Pending>();
  private readonly timeoutMs: number;
  /** null when configured off. */
  readonly packetCache: PacketCache | null;

  private constructor(
    private readonly opts: ProxyBackendOptions,
    private readonly udp: dgram.Socket,
  ) {
    this.timeoutMs = opts.timeoutMs ?? 300;
    const cacheOptions = { ...packetCacheDefaults, ...opts.packetCache };
    this.packetCache = cacheOptions.maxEntries > 0 ? new PacketCache(cacheOptions) : null;
    udp.on('message', (msg) => this.onUpstreamMessage(msg));
    // ICMP port unreachable on the connected socket: the upstream is down; fail what waits on it now.
    udp.on('error', () => {
      this.opts.stats.upstreamErrors++;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        clearTimeout(p.timer);
        p.resolve(null);
      }
    });
  }

  static async open(opts: ProxyBackendOptions): Promise<ProxyBackend> {
    const udp = dgram.createSocket({ type: net.isIPv6(opts.upstream.host) ? 'udp6' : 'udp4', recvBufferSize: 4 << 20 });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.connect(opts.upstream.port, opts.upstream.host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    return new ProxyBackend(opts, udp);
  }

  get ready(): boolean {
    return true;
  }

  private onUpstreamMessage(msg: Buffer): void {
    if (msg.length < 12) return;
    const p = this.pending.get(msg.readUInt16BE(0));
    if (!p) return;
    this.pending.delete(msg.readUInt16BE(0));
    clearTimeout(p.timer);
    p.resolve(msg);
  }

  private freeId(): number {
    for (;;) {
      const id = Math.floor(Math.random() * 65536);
      if (!this.pending.has(id)) return id;
    }
  }

  private forwardUdp(packet: Buffer): Promise<Buffer | null> {
    return new Promise((resolve) => {
      if (this.pending.size >= 60_000) return resolve(null);
      const id = this.freeId();
      const out = Buffer.from(packet);
      out.writeUInt16BE(id, 0);
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.opts.stats.upstreamTimeouts++;
        resolve(null);
      }, this.timeoutMs);
      this.pending.set(id, { resolve, timer });
      this.udp.send(out);
    });
  }

  private forwardTcp(packet: Buffer): Promise<Buffer | null> {
    return new Promise((resolve) => {
      const sock = net.connect(this.opts.upstream.port, this.opts.upstream.host);
      const finish = (r: Buffer | null, failure?: 'timeout' | 'error') => {
        clearTimeout(timer);
        sock.destroy();
        if (failure === 'timeout') this.opts.stats.upstreamTimeouts++;
        if (failure === 'error') this.opts.stats.upstreamErrors++;
        resolve(r);
      };
      const timer = setTimeout(() => finish(null, 'timeout'), this.timeoutMs);
      const framer = new TcpFramer((m) => finish(m));
      sock.on('connect', () => sock.write(TcpFramer.frame(packet)));
      sock.on('data', (d) => framer.push(d));
      sock.on('error', () => finish(null, 'error'));
      sock.on('close', () => finish(null, 'error'));
    });
  }

  answer(packet: Buffer, q: Query, source: Source, transport: Transport, gate: RateGate): MaybeAsync<Buffer | null> {
    const cache = this.packetCache;
    const keys = cache ? PacketCache.keysOf(packet, q, transport) : null;
    const hit = cache && keys ? cache.lookup(keys, packet, q) : null;
    if (hit) {
      const limited = gateAnswer(gate, hit.bytes, hit.entry.rate);
      if (limited !== undefined) return limited;
      return this.reorder(hit.bytes, q, source, hit.entry.scan);
    }
    const forwarded = transport === 'tcp' ? this.forwardTcp(packet) : this.forwardUdp(packet);
    return forwarded.then((upstream) => {
      if (!upstream || !sameQuestion(upstream, packet, q.questionEnd)) {
        return gate('error', '', Rcode.ServFail, false) ?? shortResponse(packet, q.questionEnd, q.flags, Rcode.ServFail, q.edns);
      }
      const rate = rateKeyOfMessage(upstream, q);
      upstream.writeUInt16BE(q.id, 0);
      // Kept before reordering, whatever the rate gate says about this client.
      const stored = cache && keys ? cache.store(keys, upstream, rate) : null;
      // Rate limiting once the upstream's kind of answer is known, before the sorter is asked.
      const limited = gateAnswer(gate, upstream, rate);
      if (limited !== undefined) return limited;
      return this.reorder(upstream, q, source, stored ? stored.scan : scanAddressRrsets(upstream));
    });
  }

  /** Puts each A/AAAA RRset of `msg` (scanned as `scan`) in the order chosen for this client. */
  private reorder(msg: Buffer, q: Query, source: Source, scan: AddressScan | null): MaybeAsync<Buffer> {
    if (!scan) {
      this.opts.stats.proxyUnsortable++;
      return msg;
    }
    this.opts.stats.proxyUnsortable += scan.unsortable;
    if (scan.rrsets.length === 0) return msg;
    const client = clientFor(q, source);
    const decisions = scan.rrsets.map((s) => this.opts.orderer.order(client, s.candidates.join(','), s.candidates));
    const cap = this.opts.orderer.unrankedTtl;
    const apply = (ds: OrderDecision[]) => {
      ds.forEach((d, i) => {
        applyOrder(msg, scan.rrsets[i], d.order);
        // Unranked: resolvers must ask again soon, not keep a random order for the upstream's TTL.
        if (d.capTtl) capTtls(msg, scan.rrsets[i].rdataOffsets, cap);
      });
      return msg;
    };
    if (decisions.some((d) => d instanceof Promise)) return Promise.all(decisions).then(apply);
    return apply(decisions as OrderDecision[]);
  }

  async close(): Promise<void> {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(null);
    }
    this.packetCache?.clear();
    await new Promise<void>((r) => this.udp.close(() => r()));
  }
}

/** The upstream must answer the question we forwarded (same bytes after the header). */
function sameQuestion(response: Buffer, query: Buffer, questionEnd: number): boolean {
  if (response.length < questionEnd || response.readUInt16BE(4) !== 1) return false;
  return response.subarray(12, questionEnd).equals(query.subarray(12, questionEnd)) && (response[2] & 0x80) !== 0;
}

/**
 * The RRL key of an upstream answer from its header alone: the zone or delegation
 * point would need the authority section decoded, so NXDOMAIN and referrals are
 * keyed by the client network only (stricter than file mode, never looser).
 */
/** The rate gate's verdict on an upstream answer (fresh or from the packet cache): its rcode and AA bit. */
function gateAnswer(gate: RateGate, msg: Buffer, rate: { kind: ResponseKind; name: string }): ReturnType<RateGate> {
  return gate(rate.kind, rate.name, msg[3] & 0xf, (msg[2] & (HeaderFlag.AA >> 8)) !== 0);
}

function rateKeyOfMessage(msg: Buffer, q: Query): { kind: ResponseKind; name: string } {
  const rcode = msg[3] & 0xf;
  const ancount = msg.readUInt16BE(6);
  if (rcode === Rcode.NxDomain) return { kind: 'nxdomain', name: '' };
  if (rcode !== Rcode.NoError) return { kind: 'error', name: '' };
  if (ancount === 0 && !(msg[2] & (HeaderFlag.AA >> 8)) && msg.readUInt16BE(8) > 0) return { kind: 'referral', name: '' };
  if (ancount === 0) return { kind: 'nodata', name: q.qkey };
  return { kind: 'positive', name: `${q.qkey}/${q.qtype}` };
}

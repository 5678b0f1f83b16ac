/**
 * Proxy mode's packet cache: the upstream's answers as received (before any
 * per-client reordering), so a repeated question costs no upstream exchange.
 *
 * Key: everything the upstream sees of the forwarded query except the id —
 * header flags and counts (RD, CD, AD…), the question with the name lowercased,
 * and every byte after it (OPT: UDP size, DO, version, options such as cookies)
 * — plus the transport. The front forwards the query unchanged, so two queries
 * with the same key get the same answer from a deterministic upstream.
 *
 * The client subnet (ECS, forwarded as received): an upstream that tailors an
 * answer to it must say so with an ECS option in the answer (RFC 7871 §7.2.1).
 * Such an answer is kept per subnet — the key holds the option as forwarded:
 * family, source prefix length and the address cut to it. An answer without
 * the option was not tailored and is kept once for every subnet (the key has a
 * marker where the option was), so an ECS-unaware upstream such as NSD or
 * tinydns does not get one entry per client network.
 *
 * Lifetime: min TTL of the answer's records (positive, referral), or RFC 2308 §5
 * min(SOA TTL, SOA MINIMUM) for NXDOMAIN / NODATA, each capped by its own max;
 * answers with a lifetime of 0 or under the floor are not kept, nor negative
 * answers without an SOA, SERVFAIL/REFUSED/other rcodes, TC answers, signed
 * answers, oversized ones, or anything that does not parse to the last byte.
 * A hit's TTLs are lowered by the whole seconds spent here, so a resolver
 * never keeps an answer longer than the upstream's own TTL allows.
 *
 * Bounded by entry count, least recently used out first.
 */
import { HeaderFlag, Rcode } from '../wire/types.js';
import { ageTtls, walkResponseTtls } from '../wire/response-ttls.js';
import { scanAddressRrsets, type AddressScan } from '../wire/address-rrsets.js';
import type { Query } from '../wire/query.js';
import type { Transport } from './backend.js';
import type { ResponseKind } from './rrl.js';

export interface PacketCacheOptions {
  /** Most entries held (0 = no cache). */
  maxEntries: number;
  /** Longest a positive answer (or referral) is kept, seconds. */
  maxTtl: number;
  /** Longest an NXDOMAIN / NODATA answer is kept, seconds. */
  maxNegativeTtl: number;
  /** Answers whose lifetime is below this are not kept (0: only zero-TTL answers are not). */
  minTtl: number;
}

export const packetCacheDefaults: PacketCacheOptions = { maxEntries: 100_000, maxTtl: 300, maxNegativeTtl: 60, minTtl: 0 };

/** Bigger answers (large TXT/ANY, mostly over TCP) pass uncached: keeps the worst-case memory near maxEntries × 4 KiB. */
export const maxCachedAnswerBytes = 4096;

/** Per-entry bookkeeping beyond key and bytes (Map slot, objects, offset arrays): an estimate for the memory gauge. */
const entryOverheadBytes = 200;

const subnetMarker = '\u2021';

export interface CacheKeys {
  /** The key of an answer not tailored to a client subnet; without a subnet in the query, the only key. */
  shared: string;
  /** With a client subnet in the query: the key that includes it, for answers tailored to it. */
  perSubnet: string | null;
}

export interface CachedAnswer {
  /** The upstream's answer with the first asker's id and question case. */
  bytes: Buffer;
  ttlOffsets: number[];
  /** Its A/AAAA RRsets (offsets and candidates are the same in every copy). */
  scan: AddressScan | null;
  rate: { kind: ResponseKind; name: string };
  storedAt: number;
  expiresAt: number;
}

export interface PacketCacheStats {
  hits: number;
  misses: number;
  expired: number;
  evictions: number;
  /** Upstream answers looked at and not kept (see the file comment for why). */
  notStored: number;
}

export class PacketCache {
  readonly stats: PacketCacheStats = { hits: 0, misses: 0, expired: 0, evictions: 0, notStored: 0 };
  private readonly entries = new Map<string, CachedAnswer>();
  private heldBytes = 0;

  constructor(
    readonly options: PacketCacheOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Estimated memory held by entries (bytes). */
  get bytes(): number {
    return this.heldBytes;
  }

  /** The cache keys of a query (see the file comment). */
  static keysOf(packet: Buffer, q: Query, transport: Transport): CacheKeys {
    const head = (transport === 'tcp' ? 'T' : 'U') + packet.toString('latin1', 2, 12) + q.qkey;
    const ecs = q.edns?.ecs;
    // The option as forwarded: code, length, family, prefixes (8 bytes), then the address (a view into the query).
    const addressAt = ecs ? ecs.address.byteOffset - packet.byteOffset : -1;
    if (!ecs || ecs.address.buffer !== packet.buffer || addressAt - 8 < q.questionEnd || addressAt + ecs.address.length > packet.length) {
      return { shared: head + packet.toString('latin1', q.qnameEnd), perSubnet: null };
    }
    const before = packet.toString('latin1', q.qnameEnd, addressAt - 8);
    const after = packet.toString('latin1', addressAt + ecs.address.length);
    // The marker is outside latin1, so a shared key never equals a key made of query bytes.
    return { shared: head + before + subnetMarker + after, perSubnet: head + before + packet.toString('latin1', addressAt - 8, addressAt + ecs.address.length) + after };
  }

  /**
   * A copy of the cached answer for `packet` (the client's id and question case,
   * TTLs aged), with its entry; null on a miss or an expired entry.
   */
  lookup(keys: CacheKeys, packet: Buffer, q: Query): { bytes: Buffer; entry: CachedAnswer } | null {
    let key = keys.shared;
    let entry = this.entries.get(key);
    if (!entry && keys.perSubnet !== null) entry = this.entries.get((key = keys.perSubnet));
    if (!entry) {
      this.stats.misses++;
      return null;
    }
    const now = this.now();
    if (now >= entry.expiresAt) {
      this.stats.expired++;
      this.remove(key, entry);
      return null;
    }
    this.stats.hits++;
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    const bytes = Buffer.from(entry.bytes);
    bytes.writeUInt16BE(q.id, 0);
    packet.copy(bytes, 12, 12, q.qnameEnd);
    ageTtls(bytes, entry.ttlOffsets, Math.floor((now - entry.storedAt) / 1000));
    return { bytes, entry };
  }

  /**
   * Keeps `answer` (the upstream's bytes, already checked to answer the
   * forwarded question) if it may be reused. Returns the entry, or null.
   */
  store(keys: CacheKeys, answer: Buffer, rate: CachedAnswer['rate']): CachedAnswer | null {
    const lifetime = this.lifetimeOf(answer);
    if (lifetime === null) {
      this.stats.notStored++;
      return null;
    }
    const key = lifetime.perSubnet ? (keys.perSubnet ?? keys.shared) : keys.shared;
    const now = this.now();
    const entry: CachedAnswer = { bytes: ownCopy(answer), ttlOffsets: lifetime.ttlOffsets, scan: scanAddressRrsets(answer), rate, storedAt: now, expiresAt: now + lifetime.seconds * 1000 };
    const old = this.entries.get(key);
    if (old) this.remove(key, old);
    while (this.entries.size >= this.options.maxEntries) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, CachedAnswer];
      this.remove(oldestKey, oldest);
      this.stats.evictions++;
    }
    this.entries.set(key, entry);
    this.heldBytes += entryBytes(key, entry);
    return entry;
  }

  clear(): void {
    this.entries.clear();
    this.heldBytes = 0;
  }

  private remove(key: string, entry: CachedAnswer): void {
    this.entries.delete(key);
    this.heldBytes -= entryBytes(key, entry);
  }

  /** How long `answer` may be served from here (whole seconds ≥ 1), where its TTLs are, whether it is per subnet; null = do not keep. */
  private lifetimeOf(answer: Buffer): { seconds: number; ttlOffsets: number[]; perSubnet: boolean } | null {
    if (answer.length > maxCachedAnswerBytes || answer[2] & (HeaderFlag.TC >> 8)) return null;
    const rcode = answer[3] & 0xf;
    if (rcode !== Rcode.NoError && rcode !== Rcode.NxDomain) return null;
    const walk = walkResponseTtls(answer);
    if (!walk || walk.signed) return null;
    const ancount = answer.readUInt16BE(6);
    const authoritative = (answer[2] & (HeaderFlag.AA >> 8)) !== 0;
    let seconds: number;
    if (rcode === Rcode.NxDomain || (ancount === 0 && authoritative)) {
      // RFC 2308 §5: a negative answer without an SOA is not cached.
      if (walk.negativeTtl === null) return null;
      seconds = Math.min(walk.negativeTtl, this.options.maxNegativeTtl);
    } else {
      if (walk.minTtl === Infinity) return null;
      seconds = Math.min(walk.minTtl, this.options.maxTtl);
    }
    if (seconds === 0 || seconds < this.options.minTtl) return null;
    return { seconds, ttlOffsets: walk.ttlOffsets, perSubnet: walk.clientSubnet };
  }
}

/**
 * A copy with its own memory: Buffer.from would carve small copies out of 8 KiB
 * pool slabs, and one long-lived hot entry would then pin a whole slab its
 * evicted neighbours no longer use.
 */
function ownCopy(b: Buffer): Buffer {
  const out = Buffer.allocUnsafeSlow(b.length);
  b.copy(out);
  return out;
}

function entryBytes(key: string, entry: CachedAnswer): number {
  return key.length + entry.bytes.length + entry.ttlOffsets.length * 8 + entryOverheadBytes;
}

/**
 * Response-rate limiting (RRL), keyed as Knot's `rrl` module and BIND's
 * `rate-limit` key their buckets: the client's network (IPv4 /24, IPv6 /56 by
 * default) plus the kind of response plus a name —
 *   positive  the query name and type (BIND: identical responses; Knot: QNAME),
 *   nodata    the query name (Knot's EMPTY class),
 *   nxdomain  the zone (the SOA owner), so random-subdomain floods share one
 *             bucket (BIND groups NXDOMAIN by the zone, Knot by the zone name),
 *   referral  the delegation point (BIND groups referrals by the NS owner),
 *   error     no name: every error to a network shares one bucket (both).
 * A token bucket per key; over the limit every `slip`-th response goes out as an
 * empty truncated (TC) answer, so a real client behind a spoofed flood can retry
 * over TCP; the rest are dropped (slip 0 drops all).
 *
 * The check runs as soon as the kind of response is known and before any sorter
 * work (the backends ask it; see RateGate in backend.ts), so a flood costs no
 * sorter round trips.
 *
 * TCP is not rate limited, as in BIND and Knot: RRL exists against reflection,
 * which needs a spoofed source, and a TCP handshake proves the source; limiting
 * TCP would also close the door that slipped (TC) answers point real clients to.
 * TCP clients are bounded otherwise (tcp-server.ts): connections per address,
 * connections in total, queries pending per connection, idle time.
 *
 * Memory is bounded: at most `maxBuckets` buckets (each a few hundred bytes).
 * Full (refilled) buckets are swept every 10 s; when the table is full, stale
 * ones go first, then the oldest-created — like Knot's fixed table, a flood of
 * distinct keys can push a limited bucket out, which only ever errs on the side
 * of answering.
 */
import { ipv4ToNumber } from '../zone/zone.js';

export type ResponseKind = 'positive' | 'nodata' | 'nxdomain' | 'referral' | 'error';

export interface RrlOptions {
  /** Responses per second per bucket; 0 disables limiting. */
  responsesPerSecond: number;
  /** Bucket size (burst); defaults to responsesPerSecond. */
  burst?: number;
  ipv4PrefixLen: number;
  ipv6PrefixLen: number;
  slip: number;
  /** Most buckets kept at once. */
  maxBuckets: number;
  now: () => number;
}

export type RrlVerdict = 'send' | 'slip' | 'drop';

interface Bucket {
  tokens: number;
  at: number;
  limited: number;
}

export class ResponseRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;
  private readonly opts: RrlOptions;
  /** Buckets pushed out of a full table (not swept because they refilled). */
  evictions = 0;

  constructor(opts: Partial<RrlOptions> = {}) {
    this.opts = { responsesPerSecond: 0, ipv4PrefixLen: 24, ipv6PrefixLen: 56, slip: 2, maxBuckets: 100_000, now: () => performance.now(), ...opts };
    if (!(this.opts.maxBuckets >= 1)) throw new Error(`RRL table size must be at least 1, got ${this.opts.maxBuckets}`);
  }

  get enabled(): boolean {
    return this.opts.responsesPerSecond > 0;
  }

  get size(): number {
    return this.buckets.size;
  }

  subnetOf(address: string): string {
    const v4 = ipv4ToNumber(address);
    if (v4 !== null) {
      const len = this.opts.ipv4PrefixLen;
      return `4/${len === 0 ? 0 : (v4 & (0xffffffff << (32 - len))) >>> 0}`;
    }
    // Keep the first ceil(len/16) groups of the expanded address, masking the last one.
    const groups = expandV6(address);
    const len = this.opts.ipv6PrefixLen;
    const parts: number[] = [];
    for (let i = 0; i * 16 < len; i++) {
      const bits = Math.min(16, len - i * 16);
      parts.push(groups[i] & (0xffff << (16 - bits)) & 0xffff);
    }
    return `6/${parts.join(':')}`;
  }

  /** The verdict for one response of `kind` about `name` to `address`. */
  check(address: string, kind: ResponseKind, name: string): RrlVerdict {
    if (!this.enabled) return 'send';
    const now = this.opts.now();
    const rate = this.opts.responsesPerSecond;
    const burst = this.opts.burst ?? rate;
    const refillMs = (burst / rate) * 1000;
    if (now - this.lastSweep > 10_000) this.sweep(now, refillMs);
    const key = `${this.subnetOf(address)}\0${kind}\0${kind === 'error' ? '' : name}`;
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.opts.maxBuckets) this.makeRoom(now, refillMs);
      this.buckets.set(key, (b = { tokens: burst, at: now, limited: 0 }));
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 'send';
    }
    b.limited++;
    if (this.opts.slip > 0 && b.limited % this.opts.slip === 0) return 'slip';
    return 'drop';
  }

  /** A bucket untouched for a full refill is the same as a new one: forget it. */
  private sweep(now: number, refillMs: number): void {
    this.lastSweep = now;
    for (const [k, b] of this.buckets) if (now - b.at >= refillMs) this.buckets.delete(k);
  }

  private makeRoom(now: number, refillMs: number): void {
    this.sweep(now, refillMs);
    // Still full: drop the oldest-created 1% (Map order is insertion order), amortising the scan.
    let excess = this.buckets.size - this.opts.maxBuckets + Math.max(1, Math.floor(this.opts.maxBuckets / 100));
    for (const k of this.buckets.keys()) {
      if (excess-- <= 0) break;
      this.buckets.delete(k);
      this.evictions++;
    }
  }
}

function expandV6(address: string): number[] {
  const pct = address.indexOf('%');
  const a = pct >= 0 ? address.slice(0, pct) : address;
  const [head, tail] = a.includes('::') ? a.split('::') : [a, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === null ? [] : new Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].slice(0, 8).map((g) => parseInt(g, 16) || 0);
}

/**
 * Response-rate limiting per client subnet (IPv4 /24 and IPv6 /56 by default),
 * a token bucket per subnet. Over the limit, like BIND's RRL "slip": every
 * `slip`-th limited response is sent as an empty truncated (TC) answer so a
 * real client behind a spoofed flood can still get through over TCP; the
 * others are dropped. slip 0 drops all. Only UDP is limited (TCP cannot be
 * spoofed). Buckets idle for a while are swept so memory stays bounded.
 */
import { ipv4ToNumber } from '../zone/zone.js';

export interface RrlOptions {
  /** Responses per second per subnet; 0 disables limiting. */
  responsesPerSecond: number;
  /** Bucket size (burst); defaults to responsesPerSecond. */
  burst?: number;
  ipv4PrefixLen: number;
  ipv6PrefixLen: number;
  slip: number;
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

  constructor(opts: Partial<RrlOptions> = {}) {
    this.opts = { responsesPerSecond: 0, ipv4PrefixLen: 24, ipv6PrefixLen: 56, slip: 2, now: () => performance.now(), ...opts };
  }

  get enabled(): boolean {
    return this.opts.responsesPerSecond > 0;
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

  check(address: string): RrlVerdict {
    if (!this.enabled) return 'send';
    const now = this.opts.now();
    const rate = this.opts.responsesPerSecond;
    const burst = this.opts.burst ?? rate;
    if (now - this.lastSweep > 10_000) this.sweep(now, burst / rate);
    const key = this.subnetOf(address);
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { tokens: burst, at: now, limited: 0 }));
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

  private sweep(now: number, refillSeconds: number): void {
    this.lastSweep = now;
    for (const [k, b] of this.buckets) if (now - b.at > refillSeconds * 1000 + 1000) this.buckets.delete(k);
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

/**
 * Walks every record of a response an upstream sent, for the proxy's packet
 * cache: where each TTL sits (to age them on a hit), the smallest TTL, and the
 * negative-caching TTL of RFC 2308 §5 (the authority SOA's TTL or MINIMUM,
 * whichever is lower). A message that does not walk cleanly to its last byte
 * is `null`: it may be passed on, but is never cached.
 */
import { EdnsOption, RrType } from './types.js';
import { skipName } from './name.js';

/** TSIG (RFC 8945) and SIG(0) (RFC 2931): signed for one query, never reusable. */
const TSIG = 250;
const SIG = 24;

export interface ResponseTtls {
  /** Offsets of the 32-bit TTL of every record except OPT (whose "TTL" is EDNS flags). */
  ttlOffsets: number[];
  /** Smallest TTL of those records; Infinity when there are none. */
  minTtl: number;
  /** min(SOA TTL, SOA MINIMUM) of the first SOA in the authority section, or null without one. */
  negativeTtl: number | null;
  /** Carries a per-query signature (TSIG / SIG(0)). */
  signed: boolean;
  /** Its OPT carries a client subnet option: the server tailored (or may have tailored) it to the subnet (RFC 7871 §7.2.1). */
  clientSubnet: boolean;
}

/** Whether an OPT rdata holds a client subnet option; null when its options do not walk. */
function hasClientSubnet(msg: Buffer, rdata: number, end: number): boolean | null {
  let found = false;
  for (let o = rdata; o < end; ) {
    if (o + 4 > end) return null;
    if (msg.readUInt16BE(o) === EdnsOption.ClientSubnet) found = true;
    o += 4 + msg.readUInt16BE(o + 2);
    if (o > end) return null;
  }
  return found;
}

/** RFC 2181 §8: a TTL with the top bit set is taken as 0. */
function ttlAt(msg: Buffer, at: number): number {
  const ttl = msg.readUInt32BE(at);
  return ttl > 0x7fffffff ? 0 : ttl;
}

export function walkResponseTtls(msg: Buffer): ResponseTtls | null {
  if (msg.length < 12) return null;
  const qd = msg.readUInt16BE(4);
  const an = msg.readUInt16BE(6);
  const ns = msg.readUInt16BE(8);
  const ar = msg.readUInt16BE(10);
  let at = 12;
  for (let i = 0; i < qd; i++) {
    at = skipName(msg, at, true);
    if (at < 0 || at + 4 > msg.length) return null;
    at += 4;
  }
  const out: ResponseTtls = { ttlOffsets: [], minTtl: Infinity, negativeTtl: null, signed: false, clientSubnet: false };
  let opts = 0;
  for (let i = 0; i < an + ns + ar; i++) {
    at = skipName(msg, at, true);
    if (at < 0 || at + 10 > msg.length) return null;
    const type = msg.readUInt16BE(at);
    const rdata = at + 10;
    const rdlen = msg.readUInt16BE(at + 8);
    if (rdata + rdlen > msg.length) return null;
    const section = i < an ? 'answer' : i < an + ns ? 'authority' : 'additional';
    if (type === RrType.OPT) {
      if (section !== 'additional' || ++opts > 1) return null;
      const ecs = hasClientSubnet(msg, rdata, rdata + rdlen);
      if (ecs === null) return null;
      out.clientSubnet = ecs;
    } else {
      const ttl = ttlAt(msg, at + 4);
      out.ttlOffsets.push(at + 4);
      out.minTtl = Math.min(out.minTtl, ttl);
      if (type === TSIG || (type === SIG && section === 'additional')) out.signed = true;
      // MINIMUM is the last of SOA's five 32-bit fields after two names (at least 1 byte each).
      if (type === RrType.SOA && section === 'authority' && out.negativeTtl === null) {
        if (rdlen < 22) return null;
        out.negativeTtl = Math.min(ttl, ttlAt(msg, rdata + rdlen - 4));
      }
    }
    at = rdata + rdlen;
  }
  return at === msg.length ? out : null;
}

/** Lowers every TTL at `ttlOffsets` by `age` seconds (not below 0), as time spent in a cache. */
export function ageTtls(msg: Buffer, ttlOffsets: readonly number[], age: number): void {
  if (age <= 0) return;
  for (const at of ttlOffsets) msg.writeUInt32BE(Math.max(0, ttlAt(msg, at) - age), at);
}

/**
 * Finds the A/AAAA RRsets in the answer section of any DNS response so a
 * proxy can reorder them without re-encoding: only the rdata of RRs with the
 * same owner, type, class and TTL is permuted, so every other byte — owner
 * encodings, compression pointers, TTLs, other sections, OPT — stays put.
 */
import { RrType } from './types.js';
import { bytesToAddress } from './ecs.js';

export interface AddressRrset {
  type: RrType.A | RrType.AAAA;
  rdataOffsets: number[];
  rdataLength: number;
  /** Current rdata, as text for the ranker, in message order. */
  candidates: string[];
}

export interface AddressScan {
  rrsets: AddressRrset[];
  /** RRsets left alone because their RRs disagree on TTL (reordering would move TTLs). */
  unsortable: number;
}

/** Reads a (possibly compressed) name as a lowercased key; returns [key, offsetAfter] or null. */
function readName(msg: Buffer, at: number): [string, number] | null {
  let key = '';
  let end = -1;
  let jumps = 0;
  for (;;) {
    if (at >= msg.length) return null;
    const len = msg[at];
    if (len === 0) {
      if (end < 0) end = at + 1;
      return [key, end];
    }
    if ((len & 0xc0) === 0xc0) {
      if (at + 1 >= msg.length || ++jumps > 64) return null;
      if (end < 0) end = at + 2;
      at = ((len & 0x3f) << 8) | msg[at + 1];
      continue;
    }
    if (len & 0xc0 || at + 1 + len > msg.length) return null;
    key += String.fromCharCode(len);
    for (let i = at + 1; i <= at + len; i++) {
      const c = msg[i];
      key += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c | 0x20 : c);
    }
    at += 1 + len;
  }
}

/** Returns null when the message cannot be walked (it is then passed on untouched). */
export function scanAddressRrsets(msg: Buffer): AddressScan | null {
  if (msg.length < 12) return null;
  const qd = msg.readUInt16BE(4);
  const an = msg.readUInt16BE(6);
  let at = 12;
  for (let i = 0; i < qd; i++) {
    const n = readName(msg, at);
    if (!n) return null;
    at = n[1] + 4;
  }
  const groups = new Map<string, { type: number; ttl: number; offsets: number[]; len: number; mixedTtl: boolean }>();
  for (let i = 0; i < an; i++) {
    const n = readName(msg, at);
    if (!n || n[1] + 10 > msg.length) return null;
    const p = n[1];
    const type = msg.readUInt16BE(p);
    const cls = msg.readUInt16BE(p + 2);
    const ttl = msg.readUInt32BE(p + 4);
    const rdlen = msg.readUInt16BE(p + 8);
    const rdata = p + 10;
    if (rdata + rdlen > msg.length) return null;
    if ((type === RrType.A && rdlen === 4) || (type === RrType.AAAA && rdlen === 16)) {
      const key = `${type}/${cls}/${n[0]}`;
      const g = groups.get(key);
      if (!g) groups.set(key, { type, ttl, offsets: [rdata], len: rdlen, mixedTtl: false });
      else {
        g.offsets.push(rdata);
        if (g.ttl !== ttl) g.mixedTtl = true;
      }
    }
    at = rdata + rdlen;
  }
  const rrsets: AddressRrset[] = [];
  let unsortable = 0;
  for (const g of groups.values()) {
    if (g.offsets.length < 2) continue;
    if (g.mixedTtl) {
      unsortable++;
      continue;
    }
    rrsets.push({
      type: g.type as RrType.A | RrType.AAAA,
      rdataOffsets: g.offsets,
      rdataLength: g.len,
      candidates: g.offsets.map((o) => bytesToAddress(msg.subarray(o, o + g.len))),
    });
  }
  return { rrsets, unsortable };
}

/** Rewrites the rdata of one RRset in place so that position i holds the candidate order[i]. */
export function applyOrder(msg: Buffer, rrset: AddressRrset, order: ArrayLike<number>): void {
  const original = rrset.rdataOffsets.map((o) => Buffer.from(msg.subarray(o, o + rrset.rdataLength)));
  for (let i = 0; i < rrset.rdataOffsets.length; i++) original[order[i]].copy(msg, rrset.rdataOffsets[i]);
}

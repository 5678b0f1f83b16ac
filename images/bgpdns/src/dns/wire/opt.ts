/** The OPT pseudo-record of our responses (RFC 6891 §6.1.2) and small error responses. */
import { HeaderFlag, RrType } from './types.js';
import { clientSubnetOptionLength, writeClientSubnetOption, type ClientSubnet } from './ecs.js';
import type { Edns } from './query.js';

/** The UDP payload size we advertise and honour at most: the DNS flag day 2020 value. */
export const ourUdpSize = 1232;

/** The OPT record to append: present when the query had EDNS; echoes its client subnet with our scope and its DO bit. */
export interface OptSpec {
  ecs: ClientSubnet | null;
  scope: number;
  /** RFC 3225 §3: the DO bit of the query is copied into the response. */
  dnssecOk: boolean;
  /** Upper 8 bits of a 12-bit rcode (RFC 6891 §6.1.3), e.g. 1 for BADVERS. */
  extendedRcode?: number;
}

export function optLength(opt: OptSpec): number {
  return 11 + (opt.ecs ? clientSubnetOptionLength(opt.ecs) : 0);
}

/** OPT record (RFC 6891 §6.1.2) written in place: root owner, our UDP size, version 0, DO copied from the query. */
export function writeOpt(out: Buffer, at: number, opt: OptSpec): void {
  out[at] = 0;
  out.writeUInt16BE(RrType.OPT, at + 1);
  out.writeUInt16BE(ourUdpSize, at + 3);
  out.writeUInt32BE((((opt.extendedRcode ?? 0) << 24) | (opt.dnssecOk ? 0x8000 : 0)) >>> 0, at + 5);
  out.writeUInt16BE(opt.ecs ? clientSubnetOptionLength(opt.ecs) : 0, at + 9);
  if (opt.ecs) writeClientSubnetOption(out, at + 11, opt.ecs, opt.scope);
}

/** Largest UDP response for a query: 512 without EDNS (RFC 1035 §4.2.1), else its size bounded by ours. */
export function udpLimit(edns: Edns | null): number {
  if (!edns) return 512;
  return Math.max(512, Math.min(edns.udpSize, ourUdpSize));
}

/**
 * A header-only (plus echoed question and OPT) response: FORMERR, NOTIMP,
 * REFUSED, SERVFAIL, or a truncated (TC) answer.
 */
export function shortResponse(query: Buffer, questionEnd: number, flags: number, rcode: number, edns: Edns | null, extraFlags = 0): Buffer {
  const opt: OptSpec | null = edns ? { ecs: edns.ecs, scope: 0, dnssecOk: edns.dnssecOk, extendedRcode: rcode >> 4 } : null;
  const qlen = questionEnd > 12 ? questionEnd - 12 : 0;
  const out = Buffer.alloc(12 + qlen + (opt ? optLength(opt) : 0));
  query.copy(out, 0, 0, 2);
  const outFlags = HeaderFlag.QR | (flags & 0x7800) | (flags & HeaderFlag.RD) | extraFlags | (rcode & 0xf);
  out.writeUInt16BE(outFlags, 2);
  out.writeUInt16BE(qlen ? 1 : 0, 4);
  out.writeUInt16BE(opt ? 1 : 0, 10);
  if (qlen) query.copy(out, 12, 12, questionEnd);
  if (opt) writeOpt(out, 12 + qlen, opt);
  return out;
}


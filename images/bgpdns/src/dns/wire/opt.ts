/** The OPT pseudo-record of our responses (RFC 6891 §6.1.2) and small error responses. */
import { HeaderFlag, Rcode, RrType } from './types.js';
import { encodeClientSubnetOption, type ClientSubnet } from './ecs.js';
import type { Edns } from './query.js';

/** The UDP payload size we advertise and honour at most: the DNS flag day 2020 value. */
export const ourUdpSize = 1232;

/** OPT record bytes; `extendedRcode` is the upper 8 bits of a 12-bit rcode (RFC 6891 §6.1.3). */
export function encodeOpt(ecs: ClientSubnet | null, scopePrefix: number, extendedRcode = 0): Buffer {
  const option = ecs ? encodeClientSubnetOption(ecs, scopePrefix) : null;
  const out = Buffer.alloc(11 + (option ? option.length : 0));
  out[0] = 0;
  out.writeUInt16BE(RrType.OPT, 1);
  out.writeUInt16BE(ourUdpSize, 3);
  out[5] = extendedRcode;
  out[6] = 0;
  out.writeUInt16BE(0, 7);
  out.writeUInt16BE(option ? option.length : 0, 9);
  if (option) option.copy(out, 11);
  return out;
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
  const opt = edns ? encodeOpt(edns.ecs, 0, rcode >> 4) : null;
  const qlen = questionEnd > 12 ? questionEnd - 12 : 0;
  const out = Buffer.alloc(12 + qlen + (opt ? opt.length : 0));
  query.copy(out, 0, 0, 2);
  const outFlags = HeaderFlag.QR | (flags & 0x7800) | (flags & HeaderFlag.RD) | extraFlags | (rcode & 0xf);
  out.writeUInt16BE(outFlags, 2);
  out.writeUInt16BE(qlen ? 1 : 0, 4);
  out.writeUInt16BE(opt ? 1 : 0, 10);
  if (qlen) query.copy(out, 12, 12, questionEnd);
  if (opt) opt.copy(out, 12 + qlen);
  return out;
}

export { Rcode };

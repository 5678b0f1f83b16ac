/**
 * NLRI prefix lists: (length, prefix bytes) pairs. RFC 4271 §4.3, RFC 4760 §5.
 * The fast path hands out views into the message buffer instead of objects.
 */
import { Afi, type Prefix } from './types.js';
import { BgpError } from './errors.js';
import { ipv4ToString, ipv6ToString, parseIp } from './addresses.js';
import type { ByteWriter } from './writer.js';

/**
 * Called once per prefix with a view: the prefix's bytes are
 * buf[offset .. offset + ceil(len / 8)). Trailing bits past `len` are as
 * received (RFC 4271 §4.3 says they are irrelevant); copy before keeping.
 */
export type PrefixVisitor = (afi: Afi, buf: Uint8Array, offset: number, len: number) => void;

export function maxPrefixLength(afi: Afi): number {
  return afi === Afi.IPv4 ? 32 : 128;
}

/**
 * Validates a prefix list and counts its prefixes without visiting them.
 * Throws a BgpError with the given code/subcode when a length is out of range
 * or a prefix runs past the end (RFC 7606 §5.3: session reset).
 */
export function countPrefixes(
  buf: Uint8Array, start: number, end: number, afi: Afi, code: number, subcode: number,
): number {
  const max = maxPrefixLength(afi);
  let count = 0;
  let at = start;
  while (at < end) {
    const len = buf[at];
    if (len > max) throw new BgpError(code, subcode, `prefix length ${len} exceeds ${max}`);
    at += 1 + ((len + 7) >> 3);
    if (at > end) throw new BgpError(code, subcode, `prefix of length ${len} runs past the end of its field`);
    count++;
  }
  return count;
}

/** Visits each prefix of an already validated list (see countPrefixes). */
export function visitPrefixes(buf: Uint8Array, start: number, end: number, afi: Afi, visit: PrefixVisitor): void {
  let at = start;
  while (at < end) {
    const len = buf[at];
    visit(afi, buf, at + 1, len);
    at += 1 + ((len + 7) >> 3);
  }
}

/** Copies a prefix out of a view, zeroing the host bits. */
export function copyPrefix(afi: Afi, buf: Uint8Array, offset: number, len: number): Prefix {
  const n = (len + 7) >> 3;
  const bytes = buf.slice(offset, offset + n);
  if (len & 7) bytes[n - 1] &= (0xff << (8 - (len & 7))) & 0xff;
  return { afi, bytes, len };
}

export function decodePrefixes(buf: Uint8Array, start: number, end: number, afi: Afi): Prefix[] {
  const out: Prefix[] = [];
  visitPrefixes(buf, start, end, afi, (a, b, o, l) => out.push(copyPrefix(a, b, o, l)));
  return out;
}

export function encodedPrefixSize(p: Prefix): number {
  return 1 + ((p.len + 7) >> 3);
}

export function writePrefix(w: ByteWriter, p: Prefix): void {
  w.u8(p.len);
  const n = (p.len + 7) >> 3;
  for (let i = 0; i < n; i++) w.u8(p.bytes[i] ?? 0);
}

export function prefixToString(p: Prefix): string {
  const full = new Uint8Array(p.afi === Afi.IPv4 ? 4 : 16);
  full.set(p.bytes.subarray(0, full.length));
  return `${p.afi === Afi.IPv4 ? ipv4ToString(full) : ipv6ToString(full)}/${p.len}`;
}

/** Parses "198.18.0.0/15" or "2001:db8::/32"; host bits must be zero. */
export function parsePrefix(text: string): Prefix {
  const slash = text.indexOf('/');
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!addr) throw new Error(`"${text}" is not a prefix (address/length)`);
  const afi = addr.length === 4 ? Afi.IPv4 : Afi.IPv6;
  const len = slash < 0 ? addr.length * 8 : Number(text.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > addr.length * 8) {
    throw new Error(`"${text}": prefix length must be 0..${addr.length * 8}`);
  }
  const p = copyPrefix(afi, addr, 0, len);
  for (let i = 0; i < addr.length; i++) {
    if ((p.bytes[i] ?? 0) !== addr[i]) throw new Error(`"${text}": host bits are set (did you mean ${prefixToString(p)}?)`);
  }
  return p;
}

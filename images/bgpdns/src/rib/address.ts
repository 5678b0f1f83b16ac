/**
 * Addresses and prefixes as 32-bit words, the form the tries walk: IPv4 is one
 * word, IPv6 four, most significant bit first. Parsing is hand-written because
 * it sits on the per-query path of the sorter (a general parser costs more than
 * the whole trie walk).
 */
import { Afi, type Prefix } from '../bgp/types.js';

/** The families as plain constants: reading the enum through its module binding costs on hot paths. */
const AFI_IPV4: Afi = 1;
const AFI_IPV6: Afi = 2;

/** Words per key for each family. */
export function wordsOf(afi: Afi): 1 | 4 {
  return afi === AFI_IPV4 ? 1 : 4;
}

export function bitsOf(afi: Afi): 32 | 128 {
  return afi === AFI_IPV4 ? 32 : 128;
}

/** Parses dotted-quad IPv4 text into `out[0]`; false when it is not exactly four octets 0..255. */
export function parseIPv4Into(text: string, out: Uint32Array): boolean {
  let word = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return false;
      word = word * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return false; // leading zero: ambiguous (octal in some parsers)
      octet = octet * 10 + (c - 48);
      if (octet > 255 || ++digits > 3) return false;
    } else {
      return false;
    }
  }
  if (digits === 0 || dots !== 3) return false;
  out[0] = (word * 256 + octet) >>> 0;
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

// Scratch for parseIPv6Into (it is on the per-query path: no arrays allocated per call).
const groups = new Int32Array(8);
const v4Scratch = new Uint32Array(1);

/** Parses IPv6 text (RFC 4291 §2.2, incl. `::` and a trailing dotted quad) into `out[0..3]`. */
export function parseIPv6Into(text: string, out: Uint32Array): boolean {
  let count = 0;
  let gap = -1;
  let i = 0;
  const n = text.length;
  if (n < 2) return false;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
    if (i === n) {
      out.fill(0);
      return true;
    }
  }
  while (i < n) {
    let value = 0;
    let digits = 0;
    const start = i;
    while (i < n) {
      const h = hexValue(text.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      if (++digits > 4) return false;
      i++;
    }
    if (i < n && text.charCodeAt(i) === 46) {
      // Embedded IPv4 in the last 32 bits.
      if (count > 6 || !parseIPv4Into(text.slice(start), v4Scratch)) return false;
      groups[count++] = v4Scratch[0] >>> 16;
      groups[count++] = v4Scratch[0] & 0xffff;
      i = n;
      break;
    }
    if (digits === 0) return false;
    if (count === 8) return false;
    groups[count++] = value;
    if (i === n) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < n && text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
      if (i === n) break;
    } else if (i === n) {
      return false;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  // Groups before the gap stay in place; those after it move to the end; the gap is zeros.
  const tail = gap < 0 ? 0 : count - gap;
  const head = gap < 0 ? 8 : gap;
  for (let w = 0; w < 4; w++) {
    const hi = groupAt(2 * w, head, tail);
    const lo = groupAt(2 * w + 1, head, tail);
    out[w] = ((hi << 16) | lo) >>> 0;
  }
  return true;
}

/** Group g of the full eight after `::` expansion (parseIPv6Into's scratch). */
function groupAt(g: number, head: number, tail: number): number {
  if (g < head) return groups[g];
  if (g >= 8 - tail) return groups[head + g - (8 - tail)];
  return 0;
}

/**
 * Address text ↔ words conversions so far (parseAddressInto, formatWords): a test holds the
 * sorter's query path to none (the wire form is ranked as numbers, sorter/wire-query.ts).
 */
export const addressTextConversions = { count: 0 };

/** Family of an address text, or undefined when it is neither. Writes the words into `out` (length ≥ 4). */
export function parseAddressInto(text: string, out: Uint32Array): Afi | undefined {
  addressTextConversions.count++;
  if (text.includes(':')) return parseIPv6Into(text, out) ? AFI_IPV6 : undefined;
  return parseIPv4Into(text, out) ? AFI_IPV4 : undefined;
}

export interface ParsedAddress {
  afi: Afi;
  words: Uint32Array;
}

export function parseAddress(text: string): ParsedAddress | undefined {
  const words = new Uint32Array(4);
  const afi = parseAddressInto(text, words);
  return afi === undefined ? undefined : { afi, words: afi === AFI_IPV4 ? words.subarray(0, 1) : words };
}

export function formatIPv4(word: number): string {
  return `${word >>> 24}.${(word >>> 16) & 255}.${(word >>> 8) & 255}.${word & 255}`;
}

/** RFC 5952 text: lower case, longest zero run (≥ 2 groups) compressed. */
export function formatIPv6(words: ArrayLike<number>, offset = 0): string {
  const g: number[] = [];
  for (let w = 0; w < 4; w++) {
    const v = words[offset + w] >>> 0;
    g.push(v >>> 16, v & 0xffff);
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let s = 0; s < 8; ) {
    if (g[s] !== 0) {
      s++;
      continue;
    }
    let e = s;
    while (e < 8 && g[e] === 0) e++;
    if (e - s > bestLen) {
      bestStart = s;
      bestLen = e - s;
    }
    s = e;
  }
  const hex = g.map((v) => v.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatWords(afi: Afi, words: ArrayLike<number>, offset = 0): string {
  addressTextConversions.count++;
  return afi === AFI_IPV4 ? formatIPv4(words[offset] >>> 0) : formatIPv6(words, offset);
}

/** Zeroes the bits beyond `len` in place (host bits of a prefix). */
export function maskWords(words: Uint32Array, len: number): void {
  for (let w = 0; w < words.length; w++) {
    const keep = len - w * 32;
    if (keep >= 32) continue;
    words[w] = keep <= 0 ? 0 : (words[w] & (~0 << (32 - keep))) >>> 0;
  }
}

/** Route-model prefix bytes → words (the bytes carry only ceil(len/8) octets). */
export function prefixToWords(prefix: Prefix, out: Uint32Array): void {
  const n = wordsOf(prefix.afi);
  const bytes = prefix.bytes;
  for (let w = 0; w < n; w++) {
    const b = w * 4;
    out[w] =
      (((bytes[b] ?? 0) << 24) | ((bytes[b + 1] ?? 0) << 16) | ((bytes[b + 2] ?? 0) << 8) | (bytes[b + 3] ?? 0)) >>> 0;
  }
  maskWords(out.subarray(0, n), prefix.len);
}

/** Prefix octets as carried in NLRI (ceil(len/8) octets at `offset`) → words, host bits cleared. */
export function bytesToWords(buf: Uint8Array, offset: number, len: number, out: Uint32Array): void {
  const octets = (len + 7) >> 3;
  out[0] = out[1] = out[2] = out[3] = 0;
  for (let i = 0; i < octets; i++) out[i >> 2] |= buf[offset + i] << (24 - 8 * (i & 3));
  const w = len >> 5;
  const rest = len & 31;
  if (w < 4 && rest !== 0) out[w] &= ~0 << (32 - rest);
  for (let i = 0; i < 4; i++) out[i] >>>= 0;
}

export function wordsToPrefix(afi: Afi, words: ArrayLike<number>, len: number, offset = 0): Prefix {
  const bytes = new Uint8Array(Math.ceil(len / 8));
  for (let i = 0; i < bytes.length; i++) bytes[i] = (words[offset + (i >> 2)] >>> (24 - 8 * (i & 3))) & 255;
  return { afi, bytes, len };
}

/** "198.18.0.0/24" → words; throws a sentence naming the text when it is not a valid prefix. */
export function parsePrefix(text: string): { afi: Afi; words: Uint32Array; len: number } {
  const slash = text.indexOf('/');
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!addr) throw new Error(`"${text}" is not an IPv4 or IPv6 prefix`);
  const max = bitsOf(addr.afi);
  const lenText = slash < 0 ? String(max) : text.slice(slash + 1);
  const len = /^\d{1,3}$/.test(lenText) ? Number(lenText) : NaN;
  if (!(len >= 0 && len <= max)) throw new Error(`"${text}": prefix length must be 0..${max}`);
  maskWords(addr.words, len);
  return { afi: addr.afi, words: addr.words, len };
}

export function formatPrefix(afi: Afi, words: ArrayLike<number>, len: number, offset = 0): string {
  return `${formatWords(afi, words, offset)}/${len}`;
}

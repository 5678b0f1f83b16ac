/**
 * HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256) for the query protocol's
 * small messages, in plain JS. The key's inner and outer pad blocks are
 * hashed once per key; a message then costs its own blocks plus one, with no
 * object or Buffer created — on this path the per-call overhead of
 * node:crypto (a native call and a result Buffer per hash) costs more than
 * the hashing itself. Checked against node:crypto in hmac-sha256.test.ts.
 */
import { createHash } from 'node:crypto';

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

const W = new Int32Array(64);
const H = new Int32Array(8);
const INNER = new Int32Array(8);
const TAIL = new Uint8Array(128);
const DIGEST = new Uint8Array(32);

/** One SHA-256 compression of 64 bytes at `data[off]` into `h`. */
function compress(h: Int32Array, data: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++, off += 4) W[i] = (data[off] << 24) | (data[off + 1] << 16) | (data[off + 2] << 8) | data[off + 3];
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15];
    const w2 = W[i - 2];
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + K[i] + W[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + b) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0;
  h[5] = (h[5] + f) | 0;
  h[6] = (h[6] + g) | 0;
  h[7] = (h[7] + hh) | 0;
}

/** A key's precomputed states after its inner (0x36) and outer (0x5c) pad blocks. */
export interface HmacKey {
  inner: Int32Array;
  outer: Int32Array;
}

export function hmacKey(key: Uint8Array): HmacKey {
  const k = key.length > 64 ? createHash('sha256').update(key).digest() : key;
  const block = new Uint8Array(64);
  const state = (pad: number): Int32Array => {
    for (let i = 0; i < 64; i++) block[i] = (k[i] ?? 0) ^ pad;
    const h = Int32Array.from(IV);
    compress(h, block, 0);
    return h;
  };
  return { inner: state(0x36), outer: state(0x5c) };
}

/** Hashes data[0..len) after a state that has already absorbed `prefixBytes`, leaving the digest in `h`. */
function finish(h: Int32Array, data: Uint8Array, len: number, prefixBytes: number): void {
  let off = 0;
  for (; off + 64 <= len; off += 64) compress(h, data, off);
  const rest = len - off;
  TAIL.fill(0);
  for (let i = 0; i < rest; i++) TAIL[i] = data[off + i];
  TAIL[rest] = 0x80;
  const total = rest + 9 <= 64 ? 64 : 128;
  const bits = (prefixBytes + len) * 8;
  // Message length in bits, big-endian, in the last 8 octets (messages here are far below 2^32 bits).
  TAIL[total - 4] = (bits >>> 24) & 255;
  TAIL[total - 3] = (bits >>> 16) & 255;
  TAIL[total - 2] = (bits >>> 8) & 255;
  TAIL[total - 1] = bits & 255;
  TAIL[total - 5] = Math.floor(bits / 2 ** 32) & 255;
  compress(h, TAIL, 0);
  if (total === 128) compress(h, TAIL, 64);
}

/** HMAC-SHA256 of data[0..len) into `out` (8 words, big-endian values). */
function hmacWords(key: HmacKey, data: Uint8Array, len: number, out: Int32Array): void {
  INNER.set(key.inner);
  finish(INNER, data, len, 64);
  // The outer hash's message is the 32-octet inner digest.
  for (let i = 0; i < 8; i++) {
    const v = INNER[i];
    DIGEST[4 * i] = v >>> 24;
    DIGEST[4 * i + 1] = (v >>> 16) & 255;
    DIGEST[4 * i + 2] = (v >>> 8) & 255;
    DIGEST[4 * i + 3] = v & 255;
  }
  out.set(key.outer);
  finish(out, DIGEST, 32, 64);
}

/** Writes HMAC-SHA256(data[0..len)) as 32 octets at target[at]. */
export function hmacInto(key: HmacKey, data: Uint8Array, len: number, target: Uint8Array, at: number): void {
  hmacWords(key, data, len, H);
  for (let i = 0; i < 8; i++) {
    const v = H[i];
    target[at + 4 * i] = v >>> 24;
    target[at + 4 * i + 1] = (v >>> 16) & 255;
    target[at + 4 * i + 2] = (v >>> 8) & 255;
    target[at + 4 * i + 3] = v & 255;
  }
}

/** Constant-time check that data[len..len+32) is HMAC-SHA256(data[0..len)). */
export function hmacMatches(key: HmacKey, data: Uint8Array, len: number): boolean {
  hmacWords(key, data, len, H);
  let diff = 0;
  for (let i = 0; i < 8; i++) {
    const o = len + 4 * i;
    diff |= H[i] ^ ((data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | data[o + 3]);
  }
  return diff === 0;
}

/**
 * Authentication of the query protocol (docs/bgpdns-protocol.md §5): an
 * HMAC-SHA256 over every octet before the MAC field with a shared key chosen by
 * key id, a timestamp window against replay of old messages, and a nonce memory
 * against replay inside the window.
 */
import { hmacInto, hmacKey, hmacMatches, type HmacKey } from './hmac-sha256.js';
import { checkHeader, decodeHeader } from './protocol.js';
import { DEFAULT_WINDOW_MS, MAC_LENGTH, ProtocolError, type Header } from './protocol-types.js';

export type KeyRing = ReadonlyMap<number, Buffer>;

const keys = new WeakMap<Buffer, HmacKey>();

function keyState(key: Buffer): HmacKey {
  let k = keys.get(key);
  if (!k) {
    k = hmacKey(key);
    keys.set(key, k);
  }
  return k;
}

/** Fills the trailing MAC field of an encoded message in place and returns it. */
export function sign(buf: Buffer, key: Buffer): Buffer {
  hmacInto(keyState(key), buf, buf.length - MAC_LENGTH, buf, buf.length - MAC_LENGTH);
  return buf;
}

/** Constant-time check of the trailing MAC. */
export function macValid(buf: Buffer, key: Buffer): boolean {
  if (buf.length < MAC_LENGTH) return false;
  return hmacMatches(keyState(key), buf, buf.length - MAC_LENGTH);
}

/**
 * (key id, nonce) triples in an open-addressing hash set of 32-bit words: the
 * replay memory holds every query of two windows (a million at 100,000/s), so
 * it keeps no object per entry.
 */
class NonceSet {
  private table = new Uint32Array(3 * 1024);
  private used = new Uint8Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  private static hash(keyId: number, hi: number, lo: number): number {
    let h = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ hi ^ (h >>> 13), 0xc2b2ae35);
    h = Math.imul(h ^ keyId ^ (h >>> 16), 0x27d4eb2f);
    return (h ^ (h >>> 15)) >>> 0;
  }

  has(keyId: number, hi: number, lo: number): boolean {
    const mask = this.used.length - 1;
    for (let i = NonceSet.hash(keyId, hi, lo) & mask; this.used[i]; i = (i + 1) & mask) {
      const t = 3 * i;
      if (this.table[t] === lo && this.table[t + 1] === hi && this.table[t + 2] === keyId) return true;
    }
    return false;
  }

  clear(): void {
    if (this.count === 0) return;
    this.used.fill(0);
    this.count = 0;
  }

  /** Adds a triple known to be absent. */
  add(keyId: number, hi: number, lo: number): void {
    if (2 * (this.count + 1) > this.used.length) this.grow();
    this.insert(keyId, hi, lo);
    this.count++;
  }

  private insert(keyId: number, hi: number, lo: number): void {
    const mask = this.used.length - 1;
    let i = NonceSet.hash(keyId, hi, lo) & mask;
    while (this.used[i]) i = (i + 1) & mask;
    this.used[i] = 1;
    this.table[3 * i] = lo;
    this.table[3 * i + 1] = hi;
    this.table[3 * i + 2] = keyId;
  }

  private grow(): void {
    const { table, used } = this;
    this.table = new Uint32Array(table.length * 2);
    this.used = new Uint8Array(used.length * 2);
    for (let i = 0; i < used.length; i++) if (used[i]) this.insert(table[3 * i + 2], table[3 * i + 1], table[3 * i]);
  }
}

/**
 * Remembers (key id, nonce) pairs for at least one window so a captured query
 * replayed inside the timestamp window is dropped. Two generations of sets
 * rotate every window: memory is bounded by the query rate × 2 windows.
 */
export class ReplayGuard {
  private current = new NonceSet();
  private previous = new NonceSet();
  private rotatedAt: number;

  constructor(
    private readonly windowMs: number,
    now: number,
  ) {
    this.rotatedAt = now;
  }

  /** True the first time a (key id, nonce) is seen within the window, false on a replay. */
  firstSighting(keyId: number, nonce: bigint, now: number): boolean {
    return this.firstSightingWords(keyId, Number(nonce >> 32n), Number(nonce & 0xffffffffn), now);
  }

  /** firstSighting with the nonce as its high and low 32-bit words. */
  firstSightingWords(keyId: number, hi: number, lo: number, now: number): boolean {
    // Rotation clears and reuses the older set's arrays: no large allocation every window.
    if (now - this.rotatedAt >= this.windowMs * 2) {
      this.previous.clear();
      this.current.clear();
      this.rotatedAt = now;
    } else if (now - this.rotatedAt >= this.windowMs) {
      const older = this.previous;
      this.previous = this.current;
      older.clear();
      this.current = older;
      this.rotatedAt = now;
    }
    if (this.current.has(keyId, hi, lo) || this.previous.has(keyId, hi, lo)) return false;
    this.current.add(keyId, hi, lo);
    return true;
  }
}

export interface VerifyOptions {
  keys: KeyRing;
  /** Now, Unix epoch milliseconds. */
  now: number;
  windowMs?: number;
  replay?: ReplayGuard;
}

/**
 * Accepts a message only when its header decodes, its key id is known, its MAC
 * verifies, its timestamp is within the window and (for queries, with a
 * guard) its nonce is new. Throws ProtocolError with the drop reason otherwise.
 */
export function verifyMessage(buf: Buffer, opts: VerifyOptions): Header {
  verifyInPlace(buf, opts);
  return decodeHeader(buf);
}

/**
 * verifyMessage without decoding the header into an object (the server's
 * per-query path): the same checks in the same order. Returns the key id.
 */
export function verifyInPlace(buf: Buffer, opts: VerifyOptions): number {
  checkHeader(buf);
  const keyId = buf.readUInt32BE(8);
  const key = opts.keys.get(keyId);
  if (!key) throw new ProtocolError('unknown-key', `key id ${keyId} is not configured`);
  if (!macValid(buf, key)) throw new ProtocolError('bad-mac', 'HMAC-SHA256 does not verify');
  const window = opts.windowMs ?? DEFAULT_WINDOW_MS;
  const skew = opts.now - (buf.readUInt32BE(12) * 2 ** 32 + buf.readUInt32BE(16));
  if (Math.abs(skew) > window) throw new ProtocolError('stale', `timestamp is ${Math.round(skew)} ms off (window ±${window} ms)`);
  if (opts.replay) {
    const hi = buf.readUInt32BE(20);
    const lo = buf.readUInt32BE(24);
    if (!opts.replay.firstSightingWords(keyId, hi, lo, opts.now)) {
      const nonce = (BigInt(hi) << 32n) | BigInt(lo);
      throw new ProtocolError('replayed', `nonce ${nonce.toString(16)} was already seen in this window`);
    }
  }
  return keyId;
}

/** Parses "keyid:hexsecret" or a bare hex secret (key id 1) into a ring entry. */
export function parseKeySpec(spec: string): [number, Buffer] {
  const m = /^(?:(\d{1,10}):)?([0-9a-fA-F]{32,})$/.exec(spec.trim());
  if (!m || m[2].length % 2 !== 0) throw new Error('a key is "ID:HEX" (or "HEX") with at least 16 octets of hex');
  const id = m[1] === undefined ? 1 : Number(m[1]);
  if (id > 0xffffffff) throw new Error('key id must fit in 32 bits');
  return [id, Buffer.from(m[2], 'hex')];
}

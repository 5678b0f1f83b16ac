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
 * replay memory holds every query of up to three windows (1.5 million at 100,000/s), so
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

/** Sets kept: accepted timestamps span at most three window-wide buckets, a fourth is being recycled. */
const BUCKETS = 4;

/**
 * Remembers (key id, nonce) pairs for as long as their timestamp is accepted.
 * A timestamp is accepted while it is within ± window of now, so a query may be
 * replayed until its own timestamp + window — up to two windows after it first
 * arrived when the client's clock runs ahead. Nonces are therefore filed by
 * their message's timestamp (buckets one window wide), not by arrival time: a
 * replay carries the same signed timestamp, so it meets its bucket, and a bucket
 * is recycled only once every timestamp in it is outside the window. Memory is
 * bounded by the query rate × three windows.
 */
export class ReplayGuard {
  private readonly sets = Array.from({ length: BUCKETS }, () => new NonceSet());
  /** The bucket (timestamp / window, floored) each set holds; NaN when empty. */
  private readonly held = new Float64Array(BUCKETS).fill(NaN);

  constructor(private readonly windowMs: number) {
    if (!(windowMs > 0)) throw new Error(`replay window ${windowMs} ms must be positive`);
  }

  /** True the first time a (key id, nonce) is seen while its timestamp is valid, false on a replay. */
  firstSighting(keyId: number, nonce: bigint, timestampMs: number): boolean {
    return this.firstSightingWords(keyId, Number(nonce >> 32n), Number(nonce & 0xffffffffn), timestampMs);
  }

  /**
   * firstSighting with the nonce as its high and low 32-bit words. The caller has
   * already accepted `timestampMs` (within ± window of now).
   */
  firstSightingWords(keyId: number, hi: number, lo: number, timestampMs: number): boolean {
    const bucket = Math.floor(timestampMs / this.windowMs);
    const slot = ((bucket % BUCKETS) + BUCKETS) % BUCKETS;
    const set = this.sets[slot];
    if (this.held[slot] !== bucket) {
      // The slot held a bucket at least four windows older: none of its timestamps is accepted any more.
      set.clear();
      this.held[slot] = bucket;
    }
    if (set.has(keyId, hi, lo)) return false;
    set.add(keyId, hi, lo);
    return true;
  }

  /** Nonces held (all buckets), for tests and statistics. */
  get size(): number {
    let n = 0;
    for (const s of this.sets) n += s.size;
    return n;
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
  const timestamp = buf.readUInt32BE(12) * 2 ** 32 + buf.readUInt32BE(16);
  const skew = opts.now - timestamp;
  if (Math.abs(skew) > window) throw new ProtocolError('stale', `timestamp is ${Math.round(skew)} ms off (window ±${window} ms)`);
  if (opts.replay) {
    const hi = buf.readUInt32BE(20);
    const lo = buf.readUInt32BE(24);
    if (!opts.replay.firstSightingWords(keyId, hi, lo, timestamp)) {
      const nonce = (BigInt(hi) << 32n) | BigInt(lo);
      throw new ProtocolError('replayed', `nonce ${nonce.toString(16)} was already seen with this timestamp`);
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

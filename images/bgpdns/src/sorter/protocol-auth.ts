/**
 * Authentication of the query protocol (docs/bgpdns-protocol.md §5): an
 * HMAC-SHA256 over every octet before the MAC field with a shared key chosen by
 * key id, a timestamp window against replay of old messages, and a nonce memory
 * against replay inside the window.
 */
import { hmacInto, hmacKey, hmacMatches, type HmacKey } from './hmac-sha256.js';
import { decodeHeader } from './protocol.js';
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
 * Remembers (key id, nonce) pairs for at least one window so a captured query
 * replayed inside the timestamp window is dropped. Two generations of sets
 * rotate every window: memory is bounded by the query rate × 2 windows.
 */
export class ReplayGuard {
  private current = new Set<bigint>();
  private previous = new Set<bigint>();
  private rotatedAt: number;

  constructor(
    private readonly windowMs: number,
    now: number,
  ) {
    this.rotatedAt = now;
  }

  /** True the first time a (key id, nonce) is seen within the window, false on a replay. */
  firstSighting(keyId: number, nonce: bigint, now: number): boolean {
    if (now - this.rotatedAt >= this.windowMs * 2) {
      this.previous = new Set();
      this.current = new Set();
      this.rotatedAt = now;
    } else if (now - this.rotatedAt >= this.windowMs) {
      this.previous = this.current;
      this.current = new Set();
      this.rotatedAt = now;
    }
    const id = (BigInt(keyId) << 64n) | nonce;
    if (this.current.has(id) || this.previous.has(id)) return false;
    this.current.add(id);
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
  const header = decodeHeader(buf);
  const key = opts.keys.get(header.keyId);
  if (!key) throw new ProtocolError('unknown-key', `key id ${header.keyId} is not configured`);
  if (!macValid(buf, key)) throw new ProtocolError('bad-mac', 'HMAC-SHA256 does not verify');
  const window = opts.windowMs ?? DEFAULT_WINDOW_MS;
  const skew = opts.now - header.timestamp;
  if (Math.abs(skew) > window) throw new ProtocolError('stale', `timestamp is ${Math.round(skew)} ms off (window ±${window} ms)`);
  if (opts.replay && !opts.replay.firstSighting(header.keyId, header.nonce, opts.now)) {
    throw new ProtocolError('replayed', `nonce ${header.nonce.toString(16)} was already seen in this window`);
  }
  return header;
}

/** Parses "keyid:hexsecret" or a bare hex secret (key id 1) into a ring entry. */
export function parseKeySpec(spec: string): [number, Buffer] {
  const m = /^(?:(\d{1,10}):)?([0-9a-fA-F]{32,})$/.exec(spec.trim());
  if (!m || m[2].length % 2 !== 0) throw new Error('a key is "ID:HEX" (or "HEX") with at least 16 octets of hex');
  const id = m[1] === undefined ? 1 : Number(m[1]);
  if (id > 0xffffffff) throw new Error('key id must fit in 32 bits');
  return [id, Buffer.from(m[2], 'hex')];
}

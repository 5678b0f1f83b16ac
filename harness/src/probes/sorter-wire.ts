/**
 * The harness's own implementation of the BGPDNS query protocol, version 2
 * (docs/bgpdns-protocol.md), written from the document, not from the sorter's
 * code: the sorter prober measures the sorter, so it must not share the codec
 * or the HMAC it measures. Only what a prober needs: encode a query, check an
 * answer's MAC and decode it. Checked against the document's test vectors.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

export type WireStatus = 'ranked' | 'no-route' | 'no-sessions' | 'unmapped';
const STATUS: readonly WireStatus[] = ['ranked', 'no-route', 'no-sessions', 'unmapped'];
const MAC = 32;

export interface WireQuery {
  requestId: number;
  keyId: number;
  /** Unix ms. */
  timestamp: number;
  nonce: bigint;
  client: string;
  clientPrefixLen?: number;
  candidates: string[];
  /** Ask for the upstream section (§4.5): query flag 0x02. */
  upstreams?: boolean;
}

export interface WireAnswer {
  requestId: number;
  nonce: bigint;
  timestamp: number;
  status: WireStatus;
  matchedPrefix?: string;
  scopeLength?: number;
  neighborAs?: number;
  generation: number;
  preferences: number[];
  /** The upstream section (§4.5), when the status octet's bit 7 says it follows. */
  owners?: number[];
  upstreamRanking?: { asn: number; preference: number }[];
}

/** Family octet and address octets of an IP address; a clear error otherwise. */
function address(text: string, what: string): [number, Buffer] {
  if (!isIPv4(text) && !isIPv6(text)) throw new Error(`${what} "${text}" is not an IP address`);
  const bytes = Buffer.from(ipaddr.parse(text).toByteArray());
  return [bytes.length === 4 ? 4 : 6, bytes];
}

function header(type: number, requestId: number, keyId: number, timestamp: number, nonce: bigint): Buffer {
  const h = Buffer.alloc(28);
  h.write('BD', 0, 'latin1');
  h[2] = 2;
  h[3] = type;
  h.writeUInt32BE(requestId >>> 0, 4);
  h.writeUInt32BE(keyId >>> 0, 8);
  h.writeBigUInt64BE(BigInt(timestamp), 12);
  h.writeBigUInt64BE(nonce, 20);
  return h;
}

const mac = (key: Buffer, body: Buffer): Buffer => createHmac('sha256', key).update(body).digest();

/** A signed version 2 query. */
export function encodeWireQuery(q: WireQuery, key: Buffer): Buffer {
  const [family, client] = address(q.client, 'client');
  const full = client.length * 8;
  const body = Buffer.alloc(6);
  body[0] = (q.clientPrefixLen === undefined ? 0 : 1) | (q.upstreams ? 2 : 0);
  body[1] = family;
  body[2] = q.clientPrefixLen ?? full;
  body.writeUInt16BE(q.candidates.length, 4);
  const parts = [header(1, q.requestId, q.keyId, q.timestamp, q.nonce), body, client];
  q.candidates.forEach((c, i) => {
    const [f, bytes] = address(c, `candidate ${i}`);
    parts.push(Buffer.from([f]), bytes);
  });
  const unsigned = Buffer.concat(parts);
  return Buffer.concat([unsigned, mac(key, unsigned)]);
}

/** Whether the trailing HMAC-SHA256 matches the key. */
export function wireMacValid(msg: Buffer, key: Buffer): boolean {
  if (msg.length < 28 + MAC) return false;
  return timingSafeEqual(mac(key, msg.subarray(0, msg.length - MAC)), msg.subarray(msg.length - MAC));
}

/** A version 2 answer (the MAC is checked by wireMacValid); throws with the reason on anything else. */
export function decodeWireAnswer(msg: Buffer): WireAnswer {
  if (msg.length < 46 + MAC || msg.toString('latin1', 0, 2) !== 'BD' || msg[2] !== 2 || msg[3] !== 2) throw new Error('not a version 2 answer');
  const status = STATUS[msg[28] & 0x7f];
  if (status === undefined) throw new Error(`unknown status ${msg[28] & 0x7f}`);
  const section = (msg[28] & 0x80) !== 0;
  const family = msg[29];
  const len = msg[30];
  const count = msg.readUInt16BE(44);
  const octets = Math.ceil(len / 8);
  const sectionAt = 46 + octets + 2 * count;
  const ranked = section ? msg[sectionAt + 4 * count] : 0;
  const end = section ? sectionAt + 4 * count + 1 + 6 * ranked : sectionAt;
  if (end + MAC !== msg.length) throw new Error('answer length does not match its counts');
  const a: WireAnswer = {
    requestId: msg.readUInt32BE(4),
    timestamp: Number(msg.readBigUInt64BE(12)),
    nonce: msg.readBigUInt64BE(20),
    status,
    generation: Number(msg.readBigUInt64BE(36)),
    preferences: Array.from({ length: count }, (_, i) => msg.readUInt16BE(46 + octets + 2 * i)),
  };
  if (family === 4 || family === 6) {
    const bytes = Buffer.alloc(family === 4 ? 4 : 16);
    msg.copy(bytes, 0, 46, 46 + octets);
    a.matchedPrefix = `${ipaddr.fromByteArray([...bytes]).toString()}/${len}`;
    a.scopeLength = msg[31];
  }
  const neighborAs = msg.readUInt32BE(32);
  if (neighborAs !== 0) a.neighborAs = neighborAs;
  if (section) {
    a.owners = Array.from({ length: count }, (_, i) => msg.readUInt32BE(sectionAt + 4 * i));
    const at = sectionAt + 4 * count + 1;
    a.upstreamRanking = Array.from({ length: ranked }, (_, k) => ({ asn: msg.readUInt32BE(at + 6 * k), preference: msg.readUInt16BE(at + 6 * k + 4) }));
  }
  return a;
}

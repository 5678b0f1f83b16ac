/**
 * Pure codec of the BGPDNS query protocol, versions 2 and 1 (docs/bgpdns-protocol.md):
 * bytes in, typed message out, and back. Authentication (the trailing
 * HMAC-SHA256) is computed by protocol-auth.ts; the encoders here leave the
 * MAC field for `sign` to fill, the decoder does not look at it.
 */
import { Afi } from '../bgp/types.js';
import { formatWords, parseAddressInto } from '../rib/address.js';
import type { RankAnswer, RankRequest } from './api.js';
import { WireQuery, type WireAnswer } from './wire-query.js';
import {
  HEADER_LENGTH,
  MAC_LENGTH,
  MAGIC,
  MAX_CANDIDATES,
  MAX_CANDIDATES_V1,
  MAX_MESSAGE,
  MAX_RANKED_UPSTREAMS,
  MessageType,
  PROTOCOL_VERSION,
  ProtocolError,
  QueryFlag,
  STATUS_UPSTREAMS,
  WireFamily,
  statusToWire,
  wireToStatus,
  type AnswerMessage,
  type Header,
  type ProtocolVersion,
  type QueryMessage,
} from './protocol-types.js';

/** The families as plain constants: reading the enum through its module binding costs on hot paths. */
const AFI_IPV4: Afi = 1;
const AFI_IPV6: Afi = 2;

// The wire constants as plain values: reading const enums through their module binding costs per message.
const QUERY = 1 as MessageType.Query;
const ANSWER = 2 as MessageType.Answer;
const CHANGES_QUERY = 3 as MessageType.ChangesQuery;
const CHANGES_ANSWER = 4 as MessageType.ChangesAnswer;
const FAMILY_NONE: WireFamily = 0;
const FAMILY_IPV4: WireFamily = 4;
const FAMILY_IPV6: WireFamily = 6;
const FLAG_SUBNET: QueryFlag = 1;
const FLAG_UPSTREAMS: QueryFlag = 2;

const scratch = new Uint32Array(4);

function addressBytes(text: string, what: string): { family: WireFamily; words: Uint32Array } {
  const afi = parseAddressInto(text, scratch);
  if (afi === undefined) throw new ProtocolError('malformed', `${what} "${text}" is not an IPv4 or IPv6 address`);
  return { family: afi === AFI_IPV4 ? FAMILY_IPV4 : FAMILY_IPV6, words: scratch };
}

function writeWords(buf: Buffer, offset: number, family: WireFamily, words: Uint32Array): number {
  const n = family === FAMILY_IPV4 ? 1 : 4;
  for (let i = 0; i < n; i++) buf.writeUInt32BE(words[i] >>> 0, offset + 4 * i);
  return offset + 4 * n;
}

function addressLength(family: number): number {
  if (family === FAMILY_IPV4) return 4;
  if (family === FAMILY_IPV6) return 16;
  throw new ProtocolError('malformed', `address family ${family} is neither 4 nor 6`);
}

export function writeHeader(buf: Buffer, h: Header): void {
  buf.writeUInt16BE(MAGIC, 0);
  buf.writeUInt8(h.version ?? PROTOCOL_VERSION, 2);
  buf.writeUInt8(h.type, 3);
  buf.writeUInt32BE(h.requestId >>> 0, 4);
  buf.writeUInt32BE(h.keyId >>> 0, 8);
  buf.writeUInt32BE(Math.floor(h.timestamp / 2 ** 32), 12);
  buf.writeUInt32BE(h.timestamp % 2 ** 32, 16);
  buf.writeBigUInt64BE(BigInt.asUintN(64, h.nonce), 20);
}

/**
 * Where the fields of a body sit in each version (§4): version 2 widens the
 * candidate count to two octets and adds the scope length to the answer.
 */
const LAYOUT = {
  1: { maxCandidates: MAX_CANDIDATES_V1, queryClient: 32, answerCount: 31, answerPrefix: 44 },
  2: { maxCandidates: MAX_CANDIDATES, queryClient: 34, answerCount: 44, answerPrefix: 46 },
} as const;

function readCount(buf: Buffer, version: ProtocolVersion, at: number): number {
  return version === 1 ? buf[at] : buf.readUInt16BE(at);
}

function writeCount(buf: Buffer, version: ProtocolVersion, at: number, n: number): void {
  if (version === 1) buf[at] = n;
  else buf.writeUInt16BE(n, at);
}

function checkSize(size: number, what: string): void {
  if (size > MAX_MESSAGE) throw new ProtocolError('malformed', `${what} of ${size} octets exceeds the ${MAX_MESSAGE}-octet datagram limit`);
}

/** Checks the header of any message and returns its type; throws ProtocolError('malformed' | 'version'). */
export function checkHeader(buf: Buffer): MessageType {
  if (buf.length < HEADER_LENGTH + MAC_LENGTH) {
    throw new ProtocolError('malformed', `message of ${buf.length} octets is shorter than header + MAC (${HEADER_LENGTH + MAC_LENGTH})`);
  }
  if (buf.readUInt16BE(0) !== MAGIC) throw new ProtocolError('malformed', 'bad magic (expected "BD")');
  const version = buf.readUInt8(2);
  if (version !== 1 && version !== 2) throw new ProtocolError('version', `protocol version ${version} is not supported (only 1 and 2)`);
  const type = buf.readUInt8(3);
  if (type === CHANGES_QUERY || type === CHANGES_ANSWER) {
    if (version !== 2) throw new ProtocolError('malformed', `message type ${type} (changes) exists in version 2 only`);
  } else if (type !== QUERY && type !== ANSWER) throw new ProtocolError('malformed', `message type ${type} is unknown`);
  return type;
}

/** Header fields of any message; throws ProtocolError('malformed' | 'version'). */
export function decodeHeader(buf: Buffer): Header {
  const type = checkHeader(buf);
  const h: Header = {
    type,
    requestId: buf.readUInt32BE(4),
    keyId: buf.readUInt32BE(8),
    timestamp: buf.readUInt32BE(12) * 2 ** 32 + buf.readUInt32BE(16),
    nonce: buf.readBigUInt64BE(20),
  };
  if (buf[2] === 1) h.version = 1;
  return h;
}

export function encodeQuery(q: Omit<QueryMessage, 'type'>): Buffer {
  const version = q.version ?? PROTOCOL_VERSION;
  const layout = LAYOUT[version];
  if (q.candidates.length > layout.maxCandidates) {
    throw new ProtocolError('malformed', `${q.candidates.length} candidates; at most ${layout.maxCandidates} fit in one version ${version} query`);
  }
  let size = layout.queryClient;
  const client = addressBytes(q.client, 'client');
  const clientFamily = client.family;
  const clientWords = Uint32Array.from(client.words);
  size += addressLength(clientFamily);
  const fullLen = clientFamily === FAMILY_IPV4 ? 32 : 128;
  if (q.clientPrefixLen !== undefined && !(Number.isInteger(q.clientPrefixLen) && q.clientPrefixLen >= 0 && q.clientPrefixLen <= fullLen)) {
    throw new ProtocolError('malformed', `client prefix length ${q.clientPrefixLen} is outside 0..${fullLen}`);
  }
  const cands = q.candidates.map((c, i) => {
    const a = addressBytes(c, `candidate ${i}`);
    return { family: a.family, words: Uint32Array.from(a.words) };
  });
  for (const c of cands) size += 1 + addressLength(c.family);
  checkSize(size + MAC_LENGTH, 'query');
  const buf = Buffer.alloc(size + MAC_LENGTH);
  writeHeader(buf, { ...q, type: QUERY });
  if (q.upstreams && version === 1) throw new ProtocolError('malformed', 'the upstream section exists in version 2 only');
  buf.writeUInt8((q.clientPrefixLen === undefined ? 0 : FLAG_SUBNET) | (q.upstreams ? FLAG_UPSTREAMS : 0), 28);
  buf.writeUInt8(clientFamily, 29);
  buf.writeUInt8(q.clientPrefixLen ?? fullLen, 30);
  // Version 2: octet 31 is reserved (0, from Buffer.alloc), the count follows it.
  writeCount(buf, version, version === 1 ? 31 : 32, cands.length);
  let off = writeWords(buf, layout.queryClient, clientFamily, clientWords);
  for (const c of cands) {
    buf.writeUInt8(c.family, off);
    off = writeWords(buf, off + 1, c.family, c.words);
  }
  return buf;
}

export function decodeQuery(buf: Buffer): QueryMessage {
  const h = decodeHeader(buf);
  if (h.type !== QUERY) throw new ProtocolError('malformed', 'expected a query');
  const body = decodeQueryBody(buf);
  const q: QueryMessage = { ...h, type: QUERY, client: body.client, candidates: body.candidates };
  if (body.clientPrefixLen !== undefined) q.clientPrefixLen = body.clientPrefixLen;
  if (body.upstreams) q.upstreams = true;
  return q;
}

/**
 * The ranking request of a query whose header was checked (checkHeader) and
 * whose type is Query; the server's path, which echoes the header octets
 * instead of decoding them.
 */
export function decodeQueryBody(buf: Buffer): RankRequest {
  const q = decodeQueryInto(buf, textScratch);
  const client = formatWords(q.clientAfi, q.client);
  const candidates: string[] = new Array(q.count);
  for (let i = 0; i < q.count; i++) candidates[i] = formatWords(q.candAfi[i] as Afi, q.candWords, 4 * i);
  const req: RankRequest = q.clientPrefixLen !== undefined ? { client, clientPrefixLen: q.clientPrefixLen, candidates } : { client, candidates };
  if (q.wantUpstreams) req.upstreams = true;
  return req;
}

const textScratch = new WireQuery();

/** Reads `n` words of an address at `offset` into `out` at `at`; throws when it runs past the message. */
function readWords(buf: Buffer, offset: number, n: number, out: Uint32Array, at: number): void {
  if (offset + 4 * n > buf.length - MAC_LENGTH) throw new ProtocolError('malformed', 'address runs past the end of the message');
  for (let i = 0; i < n; i++) out[at + i] = buf.readUInt32BE(offset + 4 * i);
  for (let i = n; i < 4; i++) out[at + i] = 0;
}

/**
 * The ranking request of a checked query (as decodeQueryBody) into `q`, as numbers:
 * the server's path, where no address becomes text.
 */
export function decodeQueryInto(buf: Buffer, q: WireQuery): WireQuery {
  if (buf[3] !== QUERY) throw new ProtocolError('malformed', 'expected a query');
  const version = buf[2] as ProtocolVersion;
  const layout = LAYOUT[version];
  if (buf.length < layout.queryClient + MAC_LENGTH) throw new ProtocolError('malformed', 'query body is truncated');
  const flags = buf.readUInt8(28);
  const known = version === 1 ? FLAG_SUBNET : FLAG_SUBNET | FLAG_UPSTREAMS;
  if ((flags & ~known) !== 0) throw new ProtocolError('malformed', `unknown query flags 0x${flags.toString(16)}`);
  const family = buf.readUInt8(29) as WireFamily;
  const clientLength = addressLength(family);
  const prefixLen = buf.readUInt8(30);
  const fullLen = family === FAMILY_IPV4 ? 32 : 128;
  if (prefixLen > fullLen) throw new ProtocolError('malformed', `client prefix length ${prefixLen} exceeds ${fullLen}`);
  if (!(flags & FLAG_SUBNET) && prefixLen !== fullLen) throw new ProtocolError('malformed', 'prefix length given without the subnet flag');
  if (version === 2 && buf[31] !== 0) throw new ProtocolError('malformed', `reserved octet 31 is ${buf[31]}, not 0`);
  const count = readCount(buf, version, version === 1 ? 31 : 32);
  if (count > layout.maxCandidates) throw new ProtocolError('malformed', `${count} candidates; at most ${layout.maxCandidates}`);
  q.clientAfi = family === FAMILY_IPV4 ? AFI_IPV4 : AFI_IPV6;
  readWords(buf, layout.queryClient, clientLength >> 2, q.client, 0);
  q.clientPrefixLen = flags & FLAG_SUBNET ? prefixLen : undefined;
  q.wantUpstreams = (flags & FLAG_UPSTREAMS) !== 0;
  q.reserve(count);
  q.count = count;
  let off = layout.queryClient + clientLength;
  for (let i = 0; i < count; i++) {
    if (off >= buf.length - MAC_LENGTH) throw new ProtocolError('malformed', `candidate ${i} is missing`);
    const f = buf.readUInt8(off) as WireFamily;
    const len = addressLength(f);
    q.candAfi[i] = f === FAMILY_IPV4 ? AFI_IPV4 : AFI_IPV6;
    readWords(buf, off + 1, len >> 2, q.candWords, 4 * i);
    off += 1 + len;
  }
  if (off !== buf.length - MAC_LENGTH) throw new ProtocolError('malformed', `${buf.length - MAC_LENGTH - off} octets after the last candidate`);
  return q;
}

const matchedScratch = new Uint32Array(4);

/**
 * Family and length of the answer's matched prefix, its address words into matchedScratch:
 * from the numbers when the sorter gave them (its query service), else from the text.
 */
function matchedOf(a: WireAnswer): { family: WireFamily; len: number } {
  if (a.matchedWords !== undefined) {
    for (let i = 0; i < 4; i++) matchedScratch[i] = a.matchedWords[i] ?? 0;
    return { family: a.matchedAfi === AFI_IPV4 ? FAMILY_IPV4 : FAMILY_IPV6, len: a.matchedLen! };
  }
  const text = a.matchedPrefix;
  if (text === undefined) return { family: FAMILY_NONE, len: 0 };
  const slash = text.lastIndexOf('/');
  const afi = parseAddressInto(text.slice(0, slash), matchedScratch);
  if (afi === undefined) throw new ProtocolError('malformed', `matched prefix "${text}" is not an IPv4 or IPv6 prefix`);
  return { family: afi === AFI_IPV4 ? FAMILY_IPV4 : FAMILY_IPV6, len: Number(text.slice(slash + 1)) };
}

/**
 * Body of an answer after the header (octets 28 on), in `version`'s layout;
 * the preferences are clamped to 0..65535.
 */
function writeAnswerBody(buf: Buffer, version: ProtocolVersion, a: RankAnswer, matched: { family: WireFamily; len: number }): void {
  const count = a.preferences.length;
  const section = upstreamSection(version, a);
  buf[28] = statusToWire[a.status] | (section ? STATUS_UPSTREAMS : 0);
  buf[29] = matched.family;
  buf[30] = matched.len;
  buf[31] = version === 1 ? count : matched.family === FAMILY_NONE ? 0 : (a.scopeLength ?? matched.len);
  buf.writeUInt32BE((a.neighborAs ?? 0) >>> 0, 32);
  buf.writeUInt32BE(Math.floor(a.generation / 2 ** 32), 36);
  buf.writeUInt32BE(a.generation % 2 ** 32, 40);
  if (version === 2) buf.writeUInt16BE(count, 44);
  let off: number = LAYOUT[version].answerPrefix;
  const prefixOctets = (matched.len + 7) >> 3;
  for (let i = 0; i < prefixOctets; i++) buf[off++] = (matchedScratch[i >> 2] >>> (24 - 8 * (i & 3))) & 255;
  for (let i = 0; i < count; i++) {
    const p = a.preferences[i];
    buf.writeUInt16BE(p < 0 ? 0 : p > 0xffff ? 0xffff : p, off);
    off += 2;
  }
  if (!section) return;
  for (let i = 0; i < count; i++) off = buf.writeUInt32BE(a.owners![i] >>> 0, off);
  const ranking = a.upstreamRanking!;
  buf[off++] = ranking.length;
  for (const u of ranking) {
    off = buf.writeUInt32BE(u.asn >>> 0, off);
    off = buf.writeUInt16BE(u.preference < 0 ? 0 : u.preference > 0xffff ? 0xffff : u.preference, off);
  }
}

/** Whether an answer carries the upstream section (§4.5): version 2, owners for every candidate and a ranking. */
function upstreamSection(version: ProtocolVersion, a: RankAnswer): boolean {
  if (version !== 2 || !a.owners || !a.upstreamRanking) return false;
  if (a.owners.length !== a.preferences.length) throw new ProtocolError('malformed', `${a.owners.length} owners for ${a.preferences.length} preferences`);
  if (a.upstreamRanking.length > MAX_RANKED_UPSTREAMS) throw new ProtocolError('malformed', `at most ${MAX_RANKED_UPSTREAMS} ranked upstreams in an answer`);
  return true;
}

function answerBuffer(version: ProtocolVersion, a: RankAnswer, matched: { len: number }): Buffer {
  const count = a.preferences.length;
  const max = LAYOUT[version].maxCandidates;
  if (count > max) throw new ProtocolError('malformed', `at most ${max} preferences in a version ${version} answer`);
  const section = upstreamSection(version, a) ? 4 * count + 1 + 6 * a.upstreamRanking!.length : 0;
  const size = LAYOUT[version].answerPrefix + ((matched.len + 7) >> 3) + 2 * count + section + MAC_LENGTH;
  checkSize(size, 'answer');
  // Every octet is written by the caller (the MAC by sign()).
  return Buffer.allocUnsafe(size);
}

export function encodeAnswer(a: Omit<AnswerMessage, 'type'>): Buffer {
  const version = a.version ?? PROTOCOL_VERSION;
  const matched = matchedOf(a);
  const buf = answerBuffer(version, a, matched);
  writeHeader(buf, { ...a, type: ANSWER });
  writeAnswerBody(buf, version, a, matched);
  return buf;
}

/**
 * The answer to `query` (a checked query message), in the query's version:
 * its request id, key id and nonce octets echoed, the timestamp `now`; the MAC
 * field is left for sign(). Same octets as encodeAnswer, without decoding the
 * header into numbers and back.
 */
export function encodeAnswerTo(query: Buffer, now: number, a: WireAnswer): Buffer {
  const version = query[2] as ProtocolVersion;
  const matched = matchedOf(a);
  const buf = answerBuffer(version, a, matched);
  writeEchoHeader(buf, query, ANSWER, now);
  writeAnswerBody(buf, version, a, matched);
  return buf;
}

/** An answer's header to `query`: its version, request id, key id and nonce octets echoed, the timestamp `now`. */
export function writeEchoHeader(buf: Buffer, query: Buffer, type: MessageType, now: number): void {
  buf.writeUInt16BE(MAGIC, 0);
  buf[2] = query[2];
  buf[3] = type;
  query.copy(buf, 4, 4, 12);
  buf.writeUInt32BE(Math.floor(now / 2 ** 32), 12);
  buf.writeUInt32BE(now % 2 ** 32, 16);
  query.copy(buf, 20, 20, 28);
}

export function decodeAnswer(buf: Buffer): AnswerMessage {
  const h = decodeHeader(buf);
  if (h.type !== ANSWER) throw new ProtocolError('malformed', 'expected an answer');
  const version = buf[2] as ProtocolVersion;
  const layout = LAYOUT[version];
  if (buf.length < layout.answerPrefix + MAC_LENGTH) throw new ProtocolError('malformed', 'answer body is truncated');
  const statusOctet = buf.readUInt8(28);
  const hasUpstreams = version === 2 && (statusOctet & STATUS_UPSTREAMS) !== 0;
  const statusCode = hasUpstreams ? statusOctet & ~STATUS_UPSTREAMS : statusOctet;
  const status = wireToStatus[statusCode];
  if (status === undefined) throw new ProtocolError('malformed', `answer status ${statusCode} is unknown`);
  const family = buf.readUInt8(29) as WireFamily;
  const matchedLen = buf.readUInt8(30);
  const count = readCount(buf, version, layout.answerCount);
  if (count > layout.maxCandidates) throw new ProtocolError('malformed', `${count} preferences; at most ${layout.maxCandidates}`);
  const neighborAs = buf.readUInt32BE(32);
  const generation = buf.readUInt32BE(36) * 2 ** 32 + buf.readUInt32BE(40);
  let off = layout.answerPrefix;
  let matchedPrefix: string | undefined;
  let scopeLength: number | undefined;
  if (family !== FAMILY_NONE) {
    const full = addressLength(family) * 8;
    if (matchedLen > full) throw new ProtocolError('malformed', `matched prefix length ${matchedLen} exceeds ${full}`);
    if (version === 2) {
      scopeLength = buf[31];
      if (scopeLength < matchedLen || scopeLength > full) throw new ProtocolError('malformed', `scope length ${scopeLength} is outside ${matchedLen}..${full}`);
    }
    const octets = Math.ceil(matchedLen / 8);
    if (off + octets > buf.length - MAC_LENGTH) throw new ProtocolError('malformed', 'matched prefix is truncated');
    scratch.fill(0);
    for (let i = 0; i < octets; i++) scratch[i >> 2] |= buf[off + i] << (24 - 8 * (i & 3));
    off += octets;
    matchedPrefix = `${formatWords(family === FAMILY_IPV4 ? AFI_IPV4 : AFI_IPV6, scratch)}/${matchedLen}`;
  } else if (matchedLen !== 0 || (version === 2 && buf[31] !== 0)) {
    throw new ProtocolError('malformed', 'matched prefix or scope length without a family');
  }
  const end = buf.length - MAC_LENGTH;
  if (hasUpstreams ? off + 6 * count + 1 > end : off + 2 * count !== end) throw new ProtocolError('malformed', 'preference list length does not match the count');
  const preferences: number[] = new Array(count);
  for (let i = 0; i < count; i++) preferences[i] = buf.readUInt16BE(off + 2 * i);
  const a: AnswerMessage = { ...h, type: ANSWER, status, generation, preferences };
  if (hasUpstreams) {
    off += 2 * count;
    const owners: number[] = new Array(count);
    for (let i = 0; i < count; i++) owners[i] = buf.readUInt32BE(off + 4 * i);
    off += 4 * count;
    const m = buf[off++];
    if (off + 6 * m !== end) throw new ProtocolError('malformed', 'upstream ranking length does not match its count');
    const ranking: { asn: number; preference: number }[] = new Array(m);
    for (let k = 0; k < m; k++) ranking[k] = { asn: buf.readUInt32BE(off + 6 * k), preference: buf.readUInt16BE(off + 6 * k + 4) };
    a.owners = owners;
    a.upstreamRanking = ranking;
  }
  if (matchedPrefix !== undefined) a.matchedPrefix = matchedPrefix;
  if (scopeLength !== undefined) a.scopeLength = scopeLength;
  if (neighborAs !== 0) a.neighborAs = neighborAs;
  return a;
}

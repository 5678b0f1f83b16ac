/**
 * Codec of the changes messages (docs/bgpdns-protocol.md §4.4, version 2 only):
 * a client asks which table prefixes changed their best path since the
 * generation its cache is at, so it drops only the answers those prefixes
 * overlap. Same header and MAC as the ranking messages (the MAC field is left
 * for `sign`).
 */
import type { ChangedPrefix, RibChanges } from './api.js';
import { decodeHeader, writeEchoHeader, writeHeader } from './protocol.js';
import {
  ChangesFlag,
  HEADER_LENGTH,
  MAC_LENGTH,
  MAX_CHANGES,
  MessageType,
  ProtocolError,
  type ChangesAnswerMessage,
  type ChangesQueryMessage,
} from './protocol-types.js';

const CHANGES_QUERY = 3 as MessageType.ChangesQuery;
const CHANGES_ANSWER = 4 as MessageType.ChangesAnswer;
const FLAG_ALL: ChangesFlag = 1;
const FLAG_MORE: ChangesFlag = 2;
/** Body: the generation (8 octets). */
const QUERY_LENGTH = HEADER_LENGTH + 8 + MAC_LENGTH;
/** Body before the entries: flags, reserved, count (2), since (8), generation (8). */
const ANSWER_FIXED = HEADER_LENGTH + 20;

function writeGeneration(buf: Buffer, at: number, g: number, what: string): void {
  if (!Number.isSafeInteger(g) || g < 0) throw new ProtocolError('malformed', `${what} ${g} is not a non-negative integer`);
  buf.writeUInt32BE(Math.floor(g / 2 ** 32), at);
  buf.writeUInt32BE(g % 2 ** 32, at + 4);
}

function readGeneration(buf: Buffer, at: number): number {
  return buf.readUInt32BE(at) * 2 ** 32 + buf.readUInt32BE(at + 4);
}

export function encodeChangesQuery(q: Omit<ChangesQueryMessage, 'type' | 'version'>): Buffer {
  const buf = Buffer.alloc(QUERY_LENGTH);
  writeHeader(buf, { ...q, type: CHANGES_QUERY });
  writeGeneration(buf, HEADER_LENGTH, q.since, 'generation');
  return buf;
}

/** The generation a checked changes query asks from (the server's path). */
export function decodeChangesSince(buf: Buffer): number {
  if (buf[3] !== CHANGES_QUERY) throw new ProtocolError('malformed', 'expected a changes query');
  if (buf.length !== QUERY_LENGTH) throw new ProtocolError('malformed', `changes query of ${buf.length} octets; it is exactly ${QUERY_LENGTH}`);
  return readGeneration(buf, HEADER_LENGTH);
}

export function decodeChangesQuery(buf: Buffer): ChangesQueryMessage {
  const h = decodeHeader(buf);
  return { ...h, type: CHANGES_QUERY, since: decodeChangesSince(buf) };
}

/** Octets of one entry: family, length, the prefix's significant octets. */
function entryLength(p: ChangedPrefix): number {
  return 2 + ((p.len + 7) >> 3);
}

function writeAnswer(buf: Buffer, since: number, c: RibChanges): void {
  const list = c.changed === 'all' ? [] : c.changed;
  buf[HEADER_LENGTH] = c.changed === 'all' ? FLAG_ALL : c.more ? FLAG_MORE : 0;
  buf[HEADER_LENGTH + 1] = 0;
  buf.writeUInt16BE(list.length, HEADER_LENGTH + 2);
  writeGeneration(buf, HEADER_LENGTH + 4, since, 'since generation');
  writeGeneration(buf, HEADER_LENGTH + 12, c.generation, 'generation');
  let off = ANSWER_FIXED;
  for (const p of list) {
    const full = p.family === 4 ? 32 : 128;
    if ((p.family !== 4 && p.family !== 6) || !(p.len >= 0 && p.len <= full)) throw new ProtocolError('malformed', `changed prefix family ${p.family} length ${p.len} is invalid`);
    buf[off++] = p.family;
    buf[off++] = p.len;
    for (let i = 0; i < (p.len + 7) >> 3; i++) {
      const keep = Math.min(8, p.len - 8 * i);
      buf[off++] = (p.words[i >> 2] >>> (24 - 8 * (i & 3))) & (0xff << (8 - keep)) & 0xff;
    }
  }
}

/**
 * A list over MAX_CHANGES cannot be one answer. The sorter pages (Sorter.changesSinceNow);
 * a caller that did not is answered "all", never a list cut short without saying so.
 */
function bounded(c: RibChanges): RibChanges {
  if (c.changed === 'all') return c.more ? { generation: c.generation, changed: 'all' } : c;
  return c.changed.length > MAX_CHANGES ? { generation: c.generation, changed: 'all' } : c;
}

function answerSize(c: RibChanges): number {
  let size = ANSWER_FIXED + MAC_LENGTH;
  if (c.changed !== 'all') for (const p of c.changed) size += entryLength(p);
  return size;
}

/** The answer to a checked changes query: header echoed (writeEchoHeader), MAC left for sign(). */
export function encodeChangesAnswerTo(query: Buffer, now: number, changes: RibChanges): Buffer {
  const c = bounded(changes);
  const buf = Buffer.alloc(answerSize(c));
  writeEchoHeader(buf, query, CHANGES_ANSWER, now);
  writeAnswer(buf, decodeChangesSince(query), c);
  return buf;
}

export function encodeChangesAnswer(a: Omit<ChangesAnswerMessage, 'type' | 'version'>): Buffer {
  const c = bounded(a);
  const buf = Buffer.alloc(answerSize(c));
  writeHeader(buf, { requestId: a.requestId, keyId: a.keyId, timestamp: a.timestamp, nonce: a.nonce, type: CHANGES_ANSWER });
  writeAnswer(buf, a.since, c);
  return buf;
}

export function decodeChangesAnswer(buf: Buffer): ChangesAnswerMessage {
  const h = decodeHeader(buf);
  if (h.type !== CHANGES_ANSWER) throw new ProtocolError('malformed', 'expected a changes answer');
  const end = buf.length - MAC_LENGTH;
  if (end < ANSWER_FIXED) throw new ProtocolError('malformed', `changes answer of ${buf.length} octets is shorter than its fixed part (${ANSWER_FIXED + MAC_LENGTH})`);
  const flags = buf[HEADER_LENGTH];
  if ((flags & ~(FLAG_ALL | FLAG_MORE)) !== 0) throw new ProtocolError('malformed', `unknown changes flags 0x${flags.toString(16)}`);
  if (flags & FLAG_ALL && flags & FLAG_MORE) throw new ProtocolError('malformed', 'changes flags "all" and "more" together');
  if (buf[HEADER_LENGTH + 1] !== 0) throw new ProtocolError('malformed', `reserved octet 29 is ${buf[HEADER_LENGTH + 1]}, not 0`);
  const count = buf.readUInt16BE(HEADER_LENGTH + 2);
  if (count > MAX_CHANGES) throw new ProtocolError('malformed', `${count} changed prefixes; at most ${MAX_CHANGES}`);
  if (flags & FLAG_ALL && count !== 0) throw new ProtocolError('malformed', `${count} changed prefixes with the "all" flag (must be 0)`);
  const since = readGeneration(buf, HEADER_LENGTH + 4);
  const generation = readGeneration(buf, HEADER_LENGTH + 12);
  // A page names every step it covers, one entry each: it reaches exactly since + count.
  if (flags & FLAG_MORE && generation !== since + count) throw new ProtocolError('malformed', `a page of ${count} changes from generation ${since} reaches ${since + count}, not ${generation}`);
  const changed: ChangedPrefix[] = [];
  let off = ANSWER_FIXED;
  for (let i = 0; i < count; i++) {
    if (off + 2 > end) throw new ProtocolError('malformed', `changed prefix ${i} is missing`);
    const family = buf[off];
    if (family !== 4 && family !== 6) throw new ProtocolError('malformed', `changed prefix ${i}: family ${family} is neither 4 nor 6`);
    const len = buf[off + 1];
    if (len > (family === 4 ? 32 : 128)) throw new ProtocolError('malformed', `changed prefix ${i}: length ${len} exceeds ${family === 4 ? 32 : 128}`);
    const octets = (len + 7) >> 3;
    if (off + 2 + octets > end) throw new ProtocolError('malformed', `changed prefix ${i} runs past the end of the message`);
    const words = new Uint32Array(4);
    for (let k = 0; k < octets; k++) words[k >> 2] |= buf[off + 2 + k] << (24 - 8 * (k & 3));
    changed.push({ family, len, words });
    off += 2 + octets;
  }
  if (off !== end) throw new ProtocolError('malformed', `${end - off} octets after the last changed prefix`);
  const answer: ChangesAnswerMessage = { ...h, type: CHANGES_ANSWER, since, generation, changed: flags & FLAG_ALL ? 'all' : changed };
  if (flags & FLAG_MORE) answer.more = true;
  return answer;
}

/**
 * Hot-path query decoder: header, the single question, and the OPT record
 * (RFC 6891) with EDNS Client Subnet validated (RFC 7871 §6, §7.1). It reads
 * the packet in place and allocates only the lowercased name key.
 * Anything a server must not answer (too short, a response) is `drop`;
 * malformed queries it can answer are `error` with the rcode to send.
 */
import { EdnsOption, HeaderFlag, Rcode, RrType } from './types.js';
import { validateClientSubnet, type ClientSubnet } from './ecs.js';
import { skipName } from './name.js';

export interface Edns {
  udpSize: number;
  version: number;
  /** The DO bit (RFC 3225 §3): copied into the response's OPT. */
  dnssecOk: boolean;
  ecs: ClientSubnet | null;
}

export interface Query {
  id: number;
  flags: number;
  /** Offset just past the question's name (start is always 12). */
  qnameEnd: number;
  /** Offset just past QTYPE/QCLASS. */
  questionEnd: number;
  qtype: number;
  qclass: number;
  /** Question name as ASCII-lowercased wire bytes in a latin1 string: the zone lookup key. */
  qkey: string;
  edns: Edns | null;
}

export type QueryResult =
  | { kind: 'query'; query: Query }
  | { kind: 'drop'; reason: string }
  | {
      kind: 'error';
      rcode: Rcode;
      /** A fixed category (used as a metric label). */
      reason: string;
      /** The specific problem, for logs. */
      detail?: string;
      id: number;
      flags: number;
      /** End of a well-formed question to echo, or 0 for none. */
      questionEnd: number;
      edns: Edns | null;
    };

const lowerScratch = Buffer.alloc(256);

/** Kept outside parseQuery so the hot path creates no closure. */
function queryError(rcode: Rcode, reason: string, id: number, flags: number, questionEnd = 0, edns: Edns | null = null, detail?: string): QueryResult {
  return { kind: 'error', rcode, reason, detail, id, flags, questionEnd, edns };
}

export function parseQuery(buf: Buffer): QueryResult {
  if (buf.length < 12) return { kind: 'drop', reason: 'short' };
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  if (flags & HeaderFlag.QR) return { kind: 'drop', reason: 'response' };
  const qdcount = buf.readUInt16BE(4);
  if ((flags >> 11) & 0xf) return queryError(Rcode.NotImp, 'opcode', id, flags);
  if (qdcount !== 1) return queryError(Rcode.FormErr, 'qdcount', id, flags);

  let at = 12;
  for (;;) {
    if (at >= buf.length) return queryError(Rcode.FormErr, 'question truncated', id, flags);
    const len = buf[at];
    if (len === 0) break;
    if (len & 0xc0) return queryError(Rcode.FormErr, 'question name compressed or bad label', id, flags);
    at += 1 + len;
    if (at - 12 >= 255) return queryError(Rcode.FormErr, 'question name too long', id, flags);
  }
  const qnameEnd = at + 1;
  if (qnameEnd + 4 > buf.length) return queryError(Rcode.FormErr, 'question truncated', id, flags);
  const qtype = buf.readUInt16BE(qnameEnd);
  const qclass = buf.readUInt16BE(qnameEnd + 2);
  const questionEnd = qnameEnd + 4;

  let edns: Edns | null = null;
  const skip = buf.readUInt16BE(6) + buf.readUInt16BE(8);
  const arcount = buf.readUInt16BE(10);
  at = questionEnd;
  for (let i = 0; i < skip + arcount; i++) {
    const nameStart = at;
    at = skipName(buf, at);
    if (at < 0 || at + 10 > buf.length) return queryError(Rcode.FormErr, 'record truncated', id, flags, questionEnd, edns);
    const type = buf.readUInt16BE(at);
    const rdlen = buf.readUInt16BE(at + 8);
    const rdata = at + 10;
    if (rdata + rdlen > buf.length) return queryError(Rcode.FormErr, 'record truncated', id, flags, questionEnd, edns);
    if (i >= skip && type === RrType.OPT) {
      if (edns) return queryError(Rcode.FormErr, 'two OPT records', id, flags, questionEnd, edns);
      if (buf[nameStart] !== 0) return queryError(Rcode.FormErr, 'OPT owner not root', id, flags, questionEnd);
      edns = { udpSize: buf.readUInt16BE(at + 2), version: buf[at + 5], dnssecOk: (buf[at + 6] & 0x80) !== 0, ecs: null };
      for (let o = rdata; o < rdata + rdlen; ) {
        if (o + 4 > rdata + rdlen) return queryError(Rcode.FormErr, 'EDNS option truncated', id, flags, questionEnd, edns);
        const code = buf.readUInt16BE(o);
        const olen = buf.readUInt16BE(o + 2);
        if (o + 4 + olen > rdata + rdlen) return queryError(Rcode.FormErr, 'EDNS option truncated', id, flags, questionEnd, edns);
        if (code === EdnsOption.ClientSubnet) {
          if (edns.ecs) return queryError(Rcode.FormErr, 'two client subnet options', id, flags, questionEnd, edns);
          const v = validateClientSubnet(buf.subarray(o + 4, o + 4 + olen));
          if (typeof v === 'string') return queryError(Rcode.FormErr, 'client subnet', id, flags, questionEnd, edns, v);
          edns.ecs = v;
        }
        o += 4 + olen;
      }
    }
    at = rdata + rdlen;
  }

  const nameLen = qnameEnd - 12;
  for (let i = 0; i < nameLen; i++) {
    const c = buf[12 + i];
    lowerScratch[i] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  }
  const qkey = lowerScratch.toString('latin1', 0, nameLen);
  return { kind: 'query', query: { id, flags, qnameEnd, questionEnd, qtype, qclass, qkey, edns } };
}

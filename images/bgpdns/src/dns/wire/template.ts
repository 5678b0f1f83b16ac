/**
 * Precomputed responses. A template is the whole encoded answer for one
 * (name, type, class, location): built once with name compression, then per
 * query only the id, RD bit, question case, the order of the address RRset(s)
 * and the OPT record are spliced in. Address RRs share one owner pointer to the
 * question and one TTL, so they are fixed-size slots whose rdata is rewritten
 * in place — nothing else in the message moves.
 */
import { MessageWriter } from './writer.js';
import { parentKey } from './name.js';
import { HeaderFlag, RrClass, RrType } from './types.js';
import { bytesToAddress } from './ecs.js';
import { optLength, writeOpt, type OptSpec } from './opt.js';
import type { Resolution, ResolvedRr } from '../zone/resolve.js';
import type { ResponseKind } from '../server/rrl.js';

/** tinydns serves at most 8 addresses of an RRset (a random 8 when there are more). */
export const maxAddressesServed = 8;

export interface AddressSlots {
  type: RrType.A | RrType.AAAA;
  /** Offsets of each slot's rdata (4 or 16 bytes). */
  rdataOffsets: number[];
  candidates: Buffer[];
  /** Candidates as text for the ranker, same order. */
  candidateText: string[];
  /** Identity of the RRset for the decision cache. */
  rrsetKey: string;
}

export interface ResponseTemplate {
  /** The full response with id 0 and the question name lowercased. */
  bytes: Buffer;
  questionEnd: number;
  answerEnd: number;
  authorityEnd: number;
  ancount: number;
  nscount: number;
  arcount: number;
  rcode: number;
  slots: AddressSlots[];
  /** What response-rate limiting keys this answer by (server/rrl.ts). */
  rate: { kind: ResponseKind; name: string };
  /** A referral whose additional section holds in-domain glue (RFC 9471 §2.1): losing it means TC. */
  carriesInDomainGlue: boolean;
}

/** Whether `key` is `ancestor` or below it (wire-format keys, compared label by label). */
function isAtOrBelow(key: string, ancestor: string): boolean {
  for (let k: string | null = key; k !== null; k = parentKey(k)) if (k === ancestor) return true;
  return false;
}

/** The RRL kind and name of a resolution: the zone for NXDOMAIN, the delegation point for a referral. */
function rateKeyOf(qkey: string, qtype: number, res: Resolution, ancount: number): ResponseTemplate['rate'] {
  const cut = res.authority[0]?.ownerKey ?? qkey;
  if (res.rcode !== 0) return { kind: 'nxdomain', name: cut };
  if (!res.authoritative) return { kind: 'referral', name: cut };
  if (ancount === 0) return { kind: 'nodata', name: qkey };
  return { kind: 'positive', name: `${qkey}/${qtype}` };
}

function writeRr(w: MessageWriter, rr: ResolvedRr): void {
  w.name(Buffer.from(rr.ownerKey, 'latin1'));
  w.u16(rr.type);
  w.u16(RrClass.IN);
  w.u32(rr.ttl);
  const lenAt = w.length;
  w.u16(0);
  for (const part of rr.rdata) {
    if (Buffer.isBuffer(part)) w.bytes(part);
    else w.name((part as { name: Buffer }).name);
  }
  w.setU16(lenAt, w.length - lenAt - 2);
}

export function buildTemplate(qkey: string, qtype: number, qclass: number, res: Resolution): ResponseTemplate {
  const w = new MessageWriter();
  const aa = res.authoritative && qclass === RrClass.IN ? HeaderFlag.AA : 0;
  w.u16(0);
  w.u16(HeaderFlag.QR | aa | res.rcode);
  w.u16(1);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  const qname = Buffer.from(qkey, 'latin1');
  w.remember(qname, 12);
  w.bytes(qname);
  w.u16(qtype);
  w.u16(qclass);
  const questionEnd = w.length;

  for (const rr of res.answer) writeRr(w, rr);
  const slots: AddressSlots[] = [];
  let addressRrs = 0;
  for (const set of res.addressSets) {
    const n = Math.min(maxAddressesServed, set.addresses.length);
    const rdataOffsets: number[] = [];
    for (let i = 0; i < n; i++) {
      w.u16(0xc00c);
      w.u16(set.type);
      w.u16(RrClass.IN);
      w.u32(set.ttl);
      w.u16(set.addresses[i].length);
      rdataOffsets.push(w.length);
      w.bytes(set.addresses[i]);
    }
    addressRrs += n;
    const candidateText = set.addresses.map((a) => bytesToAddress(a));
    slots.push({ type: set.type, rdataOffsets, candidates: set.addresses, candidateText, rrsetKey: candidateText.join(',') });
  }
  const answerEnd = w.length;
  for (const rr of res.authority) writeRr(w, rr);
  const authorityEnd = w.length;
  for (const rr of res.additional) writeRr(w, rr);
  const ancount = res.answer.length + addressRrs;
  w.setU16(6, ancount);
  w.setU16(8, res.authority.length);
  w.setU16(10, res.additional.length);
  return {
    bytes: w.finish(),
    questionEnd,
    answerEnd,
    authorityEnd,
    ancount,
    nscount: res.authority.length,
    arcount: res.additional.length,
    rcode: res.rcode,
    slots,
    rate: rateKeyOf(qkey, qtype, res, ancount),
    carriesInDomainGlue: !res.authoritative && ancount === 0 && res.additional.some((rr) => isAtOrBelow(rr.ownerKey, res.authority[0]?.ownerKey ?? qkey)),
  };
}

/**
 * Renders a template for one query. `orders[i]` lists candidate indices of
 * slots[i] best first (at least as many as there are slots); `ttlCaps[i]`,
 * when ≥ 0, caps the TTL of slots[i]'s records (an unranked order).
 * Over `limit` bytes: drop additional, then authority (as tinydns does), then
 * send only the question with TC set. A referral that has to drop its in-domain
 * glue is sent with TC (RFC 9471 §3: without that glue the delegation cannot be
 * followed, so the resolver must retry over TCP); tinydns sends it without.
 */
export function renderTemplate(
  t: ResponseTemplate,
  query: Buffer,
  queryFlags: number,
  orders: ArrayLike<number>[],
  limit: number,
  opt: OptSpec | null,
  ttlCaps: ArrayLike<number> | null = null,
): Buffer {
  const optLen = opt ? optLength(opt) : 0;
  let end = t.bytes.length;
  let nscount = t.nscount;
  let arcount = t.arcount;
  let ancount = t.ancount;
  let tc = 0;
  if (end + optLen > limit) {
    arcount = 0;
    end = t.authorityEnd;
    if (t.carriesInDomainGlue) tc = HeaderFlag.TC;
    if (end + optLen > limit) {
      nscount = 0;
      end = t.answerEnd;
      if (end + optLen > limit) {
        ancount = 0;
        end = t.questionEnd;
        tc = HeaderFlag.TC;
      }
    }
  }
  const out = Buffer.allocUnsafe(end + optLen);
  t.bytes.copy(out, 0, 0, end);
  out[0] = query[0];
  out[1] = query[1];
  out.writeUInt16BE(t.bytes.readUInt16BE(2) | (queryFlags & HeaderFlag.RD) | tc, 2);
  out.writeUInt16BE(ancount, 6);
  out.writeUInt16BE(nscount, 8);
  out.writeUInt16BE(arcount + (opt ? 1 : 0), 10);
  // Echo the question name as the client spelled it (same length as the template's).
  query.copy(out, 12, 12, t.questionEnd - 4);
  if (ancount) {
    for (let s = 0; s < t.slots.length; s++) {
      const slot = t.slots[s];
      const order = orders[s];
      for (let i = 0; i < slot.rdataOffsets.length; i++) slot.candidates[order[i]].copy(out, slot.rdataOffsets[i]);
      if (ttlCaps !== null && ttlCaps[s] >= 0) capTtls(out, slot.rdataOffsets, ttlCaps[s]);
    }
  }
  if (opt) writeOpt(out, end, opt);
  return out;
}

/** Lowers the TTL of each RR whose rdata starts at one of `rdataOffsets` (TTL, RDLENGTH, RDATA) to at most `cap`. */
export function capTtls(msg: Buffer, rdataOffsets: readonly number[], cap: number): void {
  for (const at of rdataOffsets) if (msg.readUInt32BE(at - 6) > cap) msg.writeUInt32BE(cap, at - 6);
}

/**
 * One decoder per known path attribute type, and the table from type code to
 * decoder that decodeAttributes dispatches on. Each decoder applies its attribute's
 * RFC 7606 remedy itself (section cited on each); the table also says what a wrong
 * Optional/Transitive/Partial flag costs for that attribute (RFC 7606 §3(c)).
 */
import { Origin, type AsPathSegment } from './types.js';
import { AttrType, attrTypeName } from './attribute-types.js';
import { ErrorAction } from './errors.js';
import { ErrorCode, UpdateSubcode } from './notification-codes.js';
import { decodeAsPath } from './as-path.js';
import { ipv4ToString } from './addresses.js';
import { readU16, readU32 } from './writer.js';
import { decodeMpReach, decodeMpUnreach } from './mp-attributes.js';
import type { AttributeContext, DecodedAttributes } from './attributes.js';

/** What the decoders of one UPDATE share while decodeAttributes walks its attributes. */
export interface AttributeWalk {
  readonly out: DecodedAttributes;
  readonly ctx: AttributeContext;
  /** AS4_PATH / AS4_AGGREGATOR from a 2-octet speaker, applied after the walk (RFC 6793 §4.2.3). */
  as4Path: AsPathSegment[] | undefined;
  as4Aggregator: { asn: number; address: string } | undefined;
}

/** Decodes one attribute whose value is msg[v, vEnd) and whose header starts at attrStart. */
type Decode = (walk: AttributeWalk, msg: Uint8Array, v: number, vEnd: number, attrStart: number) => void;

export interface AttributeDecoder {
  decode: Decode;
  /** RFC 7606 §3(c) and the attribute's own section: the remedy for wrong flags. */
  badFlags: ErrorAction;
}

/** Records an RFC 7606 error that does not reset the session (a module function: no closure per UPDATE). */
export function issue(out: DecodedAttributes, action: ErrorAction.AttributeDiscard | ErrorAction.TreatAsWithdraw, attrType: number, subcode: number, reason: string): void {
  out.issues.push({ action, attrType, code: ErrorCode.UpdateMessage, subcode, reason: `${attrTypeName(attrType)}: ${reason}` });
  if (action === ErrorAction.TreatAsWithdraw) out.treatAsWithdraw = true;
}

/** RFC 7607: AS 0 must not appear in AS_PATH, AS4_PATH or AGGREGATOR/AS4_AGGREGATOR. */
function hasAsZero(path: readonly { asns: number[] }[]): boolean {
  for (const seg of path) if (seg.asns.includes(0)) return true;
  return false;
}

/** A fixed-length attribute of the wrong length is treat-as-withdraw (RFC 7606 §7.3, §7.4, §7.9); false when it was. */
function lengthIs(out: DecodedAttributes, type: number, len: number, want: number): boolean {
  if (len === want) return true;
  issue(out, ErrorAction.TreatAsWithdraw, type, UpdateSubcode.AttributeLengthError, `length ${len} is not ${want}`);
  return false;
}

/** A list attribute must be a positive multiple of its entry size, else treat-as-withdraw; false when it was. */
function listLengthOk(out: DecodedAttributes, type: number, len: number, entry: number, subcode: number): boolean {
  if (len !== 0 && len % entry === 0) return true;
  issue(out, ErrorAction.TreatAsWithdraw, type, subcode, `length ${len} is not a positive multiple of ${entry}`);
  return false;
}

// RFC 7606 §7.1
function decodeOrigin({ out }: AttributeWalk, msg: Uint8Array, v: number, vEnd: number): void {
  const len = vEnd - v;
  if (len !== 1) issue(out, ErrorAction.TreatAsWithdraw, AttrType.Origin, UpdateSubcode.AttributeLengthError, `length ${len} is not 1`);
  else if (msg[v] > Origin.Incomplete) issue(out, ErrorAction.TreatAsWithdraw, AttrType.Origin, UpdateSubcode.InvalidOriginAttribute, `value ${msg[v]}`);
  else {
    out.attrs.origin = msg[v] as Origin;
    out.hasOrigin = true;
  }
}

// RFC 7606 §7.2
function decodeAsPathAttribute({ out, ctx }: AttributeWalk, msg: Uint8Array, v: number, vEnd: number): void {
  const path = decodeAsPath(msg, v, vEnd, ctx.fourOctetAs ? 4 : 2);
  if (!path) issue(out, ErrorAction.TreatAsWithdraw, AttrType.AsPath, UpdateSubcode.MalformedAsPath, 'malformed segments');
  else if (hasAsZero(path)) issue(out, ErrorAction.TreatAsWithdraw, AttrType.AsPath, UpdateSubcode.MalformedAsPath, 'holds AS 0 (RFC 7607)');
  else {
    out.attrs.asPath = path;
    out.hasAsPath = true;
  }
}

// RFC 7606 §7.3
function decodeNextHop({ out }: AttributeWalk, msg: Uint8Array, v: number, vEnd: number): void {
  if (!lengthIs(out, AttrType.NextHop, vEnd - v, 4)) return;
  out.attrs.nextHop = out.nextHop4 = ipv4ToString(msg, v);
  out.hasNextHop = true;
}

// RFC 7606 §7.4
function decodeMed({ out }: AttributeWalk, msg: Uint8Array, v: number, vEnd: number): void {
  if (lengthIs(out, AttrType.MultiExitDisc, vEnd - v, 4)) out.attrs.med = readU32(msg, v);
}

// RFC 7606 §7.5
function decodeLocalPref({ out, ctx }: AttributeWalk, msg: Uint8Array, v: number, vEnd: number): void {
  if (ctx.ebgp) issue(out, ErrorAction.AttributeDiscard, AttrType.LocalPref, UpdateSubcode.MalformedAttributeList, 'received from an external peer');
  else if (lengthIs(out, AttrType.LocalPref, vEnd - v, 4)) out.attrs.localPref = readU32(msg, v);
}

// RFC 7606 §7.6
function decodeAtomicAggregate({ out }: AttributeWalk, _msg: Uint8Array, v: number, vEnd: number): void {
  const len = vEnd - v;
  if (len !== 0) issue(out, ErrorAction.AttributeDiscard, AttrType.AtomicAggregate, UpdateSubcode.AttributeLengthError, `length ${len} is not 0`);
  else out.attrs.atomicAggregate = true;
}

// RFC 7606 §7.7
function decodeAggregator({ out, ctx }: AttributeWalk, msg: Uint8Array, v: number, vEnd: number): void {
  const len = vEnd - v;
  const size = ctx.fourOctetAs ? 8 : 6;
  if (len !== size) {
    issue(out, ErrorAction.AttributeDiscard, AttrType.Aggregator, UpdateSubcode.AttributeLengthError, `length ${len} is not ${size}`);
    return;
  }
  const asn = ctx.fourOctetAs ? readU32(msg, v) : readU16(msg, v);
  // RFC 7607 hands AS 0 to RFC 7606, whose remedy for a malformed AGGREGATOR (§7.7) is attribute discard.
  if (asn === 0) issue(out, ErrorAction.AttributeDiscard, AttrType.Aggregator, UpdateSubcode.OptionalAttributeError, 'AS 0 (RFC 7607)');
  else out.attrs.aggregator = { asn, address: ipv4ToString(msg, v + size - 4) };
}

// RFC 7606 §7.8
function decodeCommunities({ out }: AttributeWalk, msg: Uint8Array, v: number, vEnd: number): void {
  const len = vEnd - v;
  if (!listLengthOk(out, AttrType.Communities, len, 4, UpdateSubcode.OptionalAttributeError)) return;
  const list = new Array<number>(len / 4);
  for (let i = 0; i < list.length; i++) list[i] = readU32(msg, v + 4 * i);
  out.attrs.communities = list;
}

// RFC 7606 §7.9
function decodeOriginatorId({ out }: AttributeWalk, msg: Uint8Array, v: number, vEnd: number): void {
  if (lengthIs(out, AttrType.OriginatorId, vEnd - v, 4)) out.attrs.originatorId = ipv4ToString(msg, v);
}

// RFC 7606 §7.10
function decodeClusterList({ out }: AttributeWalk, msg: Uint8Array, v: number, vEnd: number): void {
  if (!listLengthOk(out, AttrType.ClusterList, vEnd - v, 4, UpdateSubcode.AttributeLengthError)) return;
  const list: string[] = [];
  for (let i = v; i < vEnd; i += 4) list.push(ipv4ToString(msg, i));
  out.attrs.clusterList = list;
}

// RFC 7606 §7.14
function decodeExtendedCommunities({ out }: AttributeWalk, msg: Uint8Array, v: number, vEnd: number): void {
  if (!listLengthOk(out, AttrType.ExtendedCommunities, vEnd - v, 8, UpdateSubcode.OptionalAttributeError)) return;
  const list: Uint8Array[] = [];
  for (let i = v; i < vEnd; i += 8) list.push(msg.slice(i, i + 8));
  out.attrs.extendedCommunities = list;
}

// RFC 8092 §5
function decodeLargeCommunities({ out }: AttributeWalk, msg: Uint8Array, v: number, vEnd: number): void {
  if (!listLengthOk(out, AttrType.LargeCommunities, vEnd - v, 12, UpdateSubcode.OptionalAttributeError)) return;
  const list = [];
  for (let i = v; i < vEnd; i += 12) list.push({ global: readU32(msg, i), local1: readU32(msg, i + 4), local2: readU32(msg, i + 8) });
  out.attrs.largeCommunities = list;
}

// RFC 6793 §6: a malformed AS4_PATH is discarded; from a 4-octet speaker it is ignored (§4.1).
function decodeAs4Path(walk: AttributeWalk, msg: Uint8Array, v: number, vEnd: number): void {
  if (walk.ctx.fourOctetAs) return;
  const path = decodeAsPath(msg, v, vEnd, 4);
  if (!path || path.some((s) => s.type > 2)) issue(walk.out, ErrorAction.AttributeDiscard, AttrType.As4Path, UpdateSubcode.OptionalAttributeError, 'malformed segments');
  // RFC 7607 hands AS 0 here to RFC 6793 §6: discard the attribute (the AS_PATH stays).
  else if (hasAsZero(path)) issue(walk.out, ErrorAction.AttributeDiscard, AttrType.As4Path, UpdateSubcode.OptionalAttributeError, 'holds AS 0 (RFC 7607)');
  else walk.as4Path = path;
}

// RFC 6793 §6, like AS4_PATH.
function decodeAs4Aggregator(walk: AttributeWalk, msg: Uint8Array, v: number, vEnd: number): void {
  if (walk.ctx.fourOctetAs) return;
  const len = vEnd - v;
  if (len !== 8) issue(walk.out, ErrorAction.AttributeDiscard, AttrType.As4Aggregator, UpdateSubcode.OptionalAttributeError, `length ${len} is not 8`);
  else if (readU32(msg, v) === 0) issue(walk.out, ErrorAction.AttributeDiscard, AttrType.As4Aggregator, UpdateSubcode.OptionalAttributeError, 'AS 0 (RFC 7607)');
  else walk.as4Aggregator = { asn: readU32(msg, v), address: ipv4ToString(msg, v + 4) };
}

function decodeMpReachAttribute({ out }: AttributeWalk, msg: Uint8Array, v: number, vEnd: number, attrStart: number): void {
  out.mpReach = decodeMpReach(msg, v, vEnd, attrStart);
}

function decodeMpUnreachAttribute({ out }: AttributeWalk, msg: Uint8Array, v: number, vEnd: number, attrStart: number): void {
  out.mpUnreach = decodeMpUnreach(msg, v, vEnd, attrStart);
}

const withdraw = ErrorAction.TreatAsWithdraw;
// RFC 7606 §3(c) lets these be discarded: losing them does not change where traffic goes.
const discard = ErrorAction.AttributeDiscard;
// RFC 7606 §7.11 / RFC 4760 §7: without locating the MP NLRI nothing can be withdrawn.
const reset = ErrorAction.SessionReset;

/** Type code → decoder; undefined for attributes this speaker does not know (RFC 4271 §5: kept or ignored by the walk). */
export const ATTRIBUTE_DECODERS: readonly (AttributeDecoder | undefined)[] = (() => {
  const table = new Array<AttributeDecoder | undefined>(256).fill(undefined);
  const add = (type: AttrType, decode: Decode, badFlags: ErrorAction) => (table[type] = { decode, badFlags });
  add(AttrType.Origin, decodeOrigin, withdraw);
  add(AttrType.AsPath, decodeAsPathAttribute, withdraw);
  add(AttrType.NextHop, decodeNextHop, withdraw);
  add(AttrType.MultiExitDisc, decodeMed, withdraw);
  add(AttrType.LocalPref, decodeLocalPref, withdraw);
  add(AttrType.AtomicAggregate, decodeAtomicAggregate, discard);
  add(AttrType.Aggregator, decodeAggregator, discard);
  add(AttrType.Communities, decodeCommunities, withdraw);
  add(AttrType.OriginatorId, decodeOriginatorId, withdraw);
  add(AttrType.ClusterList, decodeClusterList, withdraw);
  add(AttrType.MpReachNlri, decodeMpReachAttribute, reset);
  add(AttrType.MpUnreachNlri, decodeMpUnreachAttribute, reset);
  add(AttrType.ExtendedCommunities, decodeExtendedCommunities, withdraw);
  add(AttrType.As4Path, decodeAs4Path, discard);
  add(AttrType.As4Aggregator, decodeAs4Aggregator, discard);
  add(AttrType.LargeCommunities, decodeLargeCommunities, withdraw);
  return table;
})();

/**
 * UPDATE messages. RFC 4271 §4.3, RFC 4760 (MP-BGP), RFC 4724 §2 (End-of-RIB),
 * RFC 7606 (revised error handling).
 *
 * Decoding is allocation-light: attributes are decoded once per UPDATE, and
 * prefixes are handed out as views (afi, buffer, offset, length) so that the
 * consumer decides what to store.
 */
import { Afi, AsPathSegmentType, type PathAttributes, type Prefix, type Route } from './types.js';
import { AttrType } from './attribute-types.js';
import { HEADER_LENGTH, MessageType } from './message-types.js';
import { BgpError, ErrorAction, type UpdateIssue } from './errors.js';
import { ErrorCode, UpdateSubcode } from './notification-codes.js';
import { type AttributeContext, type DecodedAttributes, type MpReach, type MpUnreach, decodeAttributes, knownFamily, writeAttributes } from './attributes.js';
import { unusableNextHop } from './next-hop.js';
import { copyPrefix, countPrefixes, encodedPrefixSize, type PrefixVisitor, visitPrefixes, writePrefix } from './nlri.js';
import { ByteWriter, readU16 } from './writer.js';
import { writeHeader } from './header.js';

export type UpdateContext = AttributeContext;

/** A decoded UPDATE: attributes as an object, prefixes still in the message buffer. */
export class DecodedUpdate {
  constructor(
    /** The whole message, header included. */
    readonly msg: Uint8Array,
    readonly attrs: PathAttributes,
    private readonly withdrawnStart: number,
    private readonly withdrawnEnd: number,
    private readonly nlriStart: number,
    private readonly nlriEnd: number,
    readonly mpReach: MpReach | undefined,
    readonly mpUnreach: MpUnreach | undefined,
    /** RFC 7606: an attribute error turned this UPDATE's announcements into withdrawals. */
    readonly treatAsWithdraw: boolean,
    readonly issues: UpdateIssue[],
    private readonly counts: { withdrawn4: number; nlri4: number },
  ) {}

  /** Number of prefixes announced (0 when treat-as-withdraw applies). */
  get announcedCount(): number {
    if (this.treatAsWithdraw) return 0;
    return this.counts.nlri4 + (this.mpReach?.count ?? 0);
  }

  get withdrawnCount(): number {
    const announced = this.counts.nlri4 + (this.mpReach?.count ?? 0);
    return this.counts.withdrawn4 + (this.mpUnreach?.count ?? 0) + (this.treatAsWithdraw ? announced : 0);
  }

  /** Visits every announced prefix (none under treat-as-withdraw). Attributes are `this.attrs`. */
  forEachAnnounced(visit: PrefixVisitor): void {
    if (this.treatAsWithdraw) return;
    this.visitReachable(visit);
  }

  /** Visits every withdrawn prefix, including announcements turned into withdrawals by RFC 7606. */
  forEachWithdrawn(visit: PrefixVisitor): void {
    visitPrefixes(this.msg, this.withdrawnStart, this.withdrawnEnd, Afi.IPv4, visit);
    const u = this.mpUnreach;
    if (u && knownFamily(u.afi, u.safi)) visitPrefixes(this.msg, u.start, u.end, u.afi as Afi, visit);
    if (this.treatAsWithdraw) this.visitReachable(visit);
  }

  private visitReachable(visit: PrefixVisitor): void {
    visitPrefixes(this.msg, this.nlriStart, this.nlriEnd, Afi.IPv4, visit);
    const r = this.mpReach;
    if (r && knownFamily(r.afi, r.safi)) visitPrefixes(this.msg, r.nlriStart, r.nlriEnd, r.afi as Afi, visit);
  }

  /** Convenience (allocating) view: announced routes sharing one attributes object. */
  announced(): Route[] {
    const out: Route[] = [];
    this.forEachAnnounced((afi, buf, off, len) => out.push({ prefix: copyPrefix(afi, buf, off, len), attrs: this.attrs }));
    return out;
  }

  withdrawn(): Prefix[] {
    const out: Prefix[] = [];
    this.forEachWithdrawn((afi, buf, off, len) => out.push(copyPrefix(afi, buf, off, len)));
    return out;
  }

  /**
   * The family this UPDATE marks End-of-RIB for, or undefined. RFC 4724 §2:
   * IPv4 unicast is an UPDATE with no withdrawals and no attributes; other
   * families an UPDATE holding only an empty MP_UNREACH_NLRI.
   */
  endOfRib(): Afi | undefined {
    const attrLen = readU16(this.msg, HEADER_LENGTH + 2 + (this.withdrawnEnd - this.withdrawnStart));
    if (this.msg.length === 23 && attrLen === 0) return Afi.IPv4;
    const u = this.mpUnreach;
    if (u && u.start === u.end && !this.mpReach && this.withdrawnEnd === this.withdrawnStart && this.nlriEnd === this.nlriStart) {
      return u.afi as Afi;
    }
    return undefined;
  }
}

/**
 * RFC 4271 §6.3 / RFC 7606 §7.3 and §7.11: a NEXT_HOP (when IPv4 NLRI are announced) or an
 * MP_REACH next hop (when it carries prefixes) that is not a usable host address, or is our
 * own, makes the UPDATE treat-as-withdraw. Records the issue; true when it applies.
 */
function unusableNextHops(d: DecodedAttributes, ipv4Nlri: boolean, own: string | undefined): boolean {
  let attrType: number = AttrType.NextHop;
  let why = ipv4Nlri && d.nextHop4 !== undefined ? unusableNextHop(d.nextHop4, own) : undefined;
  const reach = d.mpReach;
  if (why === undefined && reach && reach.count > 0 && knownFamily(reach.afi, reach.safi)) {
    attrType = AttrType.MpReachNlri;
    why = unusableNextHop(reach.nextHop, own);
  }
  if (why === undefined) return false;
  d.issues.push({
    action: ErrorAction.TreatAsWithdraw, attrType, code: ErrorCode.UpdateMessage,
    subcode: attrType === AttrType.NextHop ? UpdateSubcode.InvalidNextHopAttribute : UpdateSubcode.OptionalAttributeError, reason: why,
  });
  return true;
}

/**
 * Decodes an UPDATE (whole message, header included). Throws BgpError when RFC 7606
 * requires a session reset; gentler outcomes are on the result (`treatAsWithdraw`, `issues`).
 */
export function decodeUpdate(msg: Uint8Array, ctx: UpdateContext): DecodedUpdate {
  const end = msg.length;
  let at = HEADER_LENGTH;
  const withdrawnLen = readU16(msg, at);
  at += 2;
  const withdrawnStart = at;
  const withdrawnEnd = at + withdrawnLen;
  // RFC 7606 §5.2/§3(a): inconsistent lengths mean the NLRI cannot be located: session reset.
  if (withdrawnEnd + 2 > end) {
    throw new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.MalformedAttributeList, `withdrawn routes length ${withdrawnLen} overruns the message`);
  }
  const attrLen = readU16(msg, withdrawnEnd);
  const attrStart = withdrawnEnd + 2;
  const attrEnd = attrStart + attrLen;
  if (attrEnd > end) {
    throw new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.MalformedAttributeList, `total path attribute length ${attrLen} overruns the message`);
  }
  const withdrawn4 = countPrefixes(msg, withdrawnStart, withdrawnEnd, Afi.IPv4, ErrorCode.UpdateMessage, UpdateSubcode.InvalidNetworkField);
  const nlri4 = countPrefixes(msg, attrEnd, end, Afi.IPv4, ErrorCode.UpdateMessage, UpdateSubcode.InvalidNetworkField);
  const d = decodeAttributes(msg, attrStart, attrEnd, ctx);
  let treatAsWithdraw = d.treatAsWithdraw;
  const announcing = nlri4 > 0 || (d.mpReach !== undefined && d.mpReach.count > 0);
  if (announcing && !treatAsWithdraw) {
    // RFC 7606 §3(d): a missing well-known mandatory attribute is treat-as-withdraw.
    const missing: string[] = [];
    if (!d.hasOrigin) missing.push('ORIGIN');
    if (!d.hasAsPath) missing.push('AS_PATH');
    if (nlri4 > 0 && !d.hasNextHop) missing.push('NEXT_HOP');
    if (missing.length) {
      treatAsWithdraw = true;
      d.issues.push({
        action: ErrorAction.TreatAsWithdraw, attrType: 0, code: ErrorCode.UpdateMessage,
        subcode: UpdateSubcode.MissingWellKnownAttribute, reason: `missing ${missing.join(', ')}`,
      });
    }
  }
  if (announcing && !treatAsWithdraw && ctx.enforceFirstAs !== undefined) {
    const first = d.attrs.asPath[0];
    if (!first || first.type !== AsPathSegmentType.AsSequence || first.asns[0] !== ctx.enforceFirstAs) {
      treatAsWithdraw = true;
      d.issues.push({
        action: ErrorAction.TreatAsWithdraw, attrType: AttrType.AsPath, code: ErrorCode.UpdateMessage,
        subcode: UpdateSubcode.MalformedAsPath, reason: `AS_PATH does not start with the peer's AS ${ctx.enforceFirstAs}`,
      });
    }
  }
  if (announcing && !treatAsWithdraw) treatAsWithdraw = unusableNextHops(d, nlri4 > 0, ctx.localAddress);
  const fams = ctx.families;
  if (fams) {
    // Prefixes of families the session did not negotiate are ignored, not errors.
    const v4 = fams.includes(Afi.IPv4);
    const keepMp = <T extends { afi: number }>(m: T | undefined): T | undefined => (m && fams.includes(m.afi as Afi) ? m : undefined);
    return new DecodedUpdate(msg, d.attrs, withdrawnStart, v4 ? withdrawnEnd : withdrawnStart, attrEnd, v4 ? end : attrEnd,
      keepMp(d.mpReach), keepMp(d.mpUnreach),
      treatAsWithdraw, d.issues, { withdrawn4: v4 ? withdrawn4 : 0, nlri4: v4 ? nlri4 : 0 });
  }
  return new DecodedUpdate(msg, d.attrs, withdrawnStart, withdrawnEnd, attrEnd, end, d.mpReach, d.mpUnreach,
    treatAsWithdraw, d.issues, { withdrawn4, nlri4 });
}

/** What to put in one UPDATE. */
export interface UpdateSpec {
  /** IPv4 withdrawals (classic field). */
  withdrawn?: Prefix[];
  attrs?: PathAttributes;
  /** IPv4 announcements (classic NLRI field, NEXT_HOP from attrs.nextHop). */
  nlri?: Prefix[];
  /** Announcements for another family (IPv6), next hop(s) from attrs.nextHop / nextHopLinkLocal. */
  mpReach?: { afi: Afi; prefixes: Prefix[] };
  mpUnreach?: { afi: Afi; prefixes: Prefix[] };
}

/** Encodes one UPDATE; the caller keeps it under the negotiated maximum size. */
export function encodeUpdate(spec: UpdateSpec, ctx: UpdateContext): Uint8Array {
  const w = new ByteWriter(512);
  w.pos = HEADER_LENGTH;
  const wdAt = w.pos;
  w.u16(0);
  for (const p of spec.withdrawn ?? []) writePrefix(w, p);
  w.patchU16(wdAt, w.pos - wdAt - 2);
  const attrAt = w.pos;
  w.u16(0);
  const attrs = spec.attrs ?? { asPath: [] };
  const reach = spec.mpReach;
  const unreach = spec.mpUnreach;
  writeAttributes(w, attrs, ctx, {
    reach: reach && {
      afi: reach.afi,
      nextHop: attrs.nextHop ?? '',
      nextHopLinkLocal: attrs.nextHopLinkLocal,
      writeNlri: (b) => reach.prefixes.forEach((p) => writePrefix(b, p)),
    },
    unreach: unreach && { afi: unreach.afi, writeNlri: (b) => unreach.prefixes.forEach((p) => writePrefix(b, p)) },
  });
  w.patchU16(attrAt, w.pos - attrAt - 2);
  for (const p of spec.nlri ?? []) writePrefix(w, p);
  const out = w.finish();
  writeHeader(out, out.length, MessageType.Update);
  return out;
}

/** End-of-RIB marker for a family. RFC 4724 §2. */
export function encodeEndOfRib(afi: Afi): Uint8Array {
  if (afi === Afi.IPv4) return encodeUpdate({}, { fourOctetAs: true });
  return encodeUpdate({ mpUnreach: { afi, prefixes: [] } }, { fourOctetAs: true });
}

export { encodedPrefixSize };

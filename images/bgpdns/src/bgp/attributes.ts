/**
 * Path attributes: the walk over an UPDATE's attributes (header, repeats, unknown
 * attributes, flags; each known attribute is decoded by its own decoder in
 * attribute-decoders.ts, with RFC 7606 error handling decided per attribute) and encode.
 * RFC 4271 §4.3/§5, RFC 4760, RFC 6793, RFC 1997, RFC 4360, RFC 8092, RFC 4456.
 */
import { Afi, type PathAttributes, type RawAttribute } from './types.js';
import { AttrFlag, AttrType, attrTypeName, expectedFlags } from './attribute-types.js';
import { BgpError, ErrorAction, type UpdateIssue } from './errors.js';
import { ErrorCode, UpdateSubcode } from './notification-codes.js';
import { mergeAs4Path, needsFourOctets, writeAsPath } from './as-path.js';
import { parseIpv4, parseIpv6 } from './addresses.js';
import { ByteWriter, readU16 } from './writer.js';
import { AS_TRANS } from './capability-codes.js';
import { knownFamily, type MpReach, type MpUnreach } from './mp-attributes.js';
import { ATTRIBUTE_DECODERS, issue, type AttributeWalk } from './attribute-decoders.js';

export { knownFamily, type MpReach, type MpUnreach };

/** Per-session facts the attribute codec needs. */
export interface AttributeContext {
  /** Both sides advertised the 4-octet AS capability: AS_PATH and AGGREGATOR carry 4-octet ASNs. RFC 6793 §4. */
  fourOctetAs: boolean;
  /** External peer: LOCAL_PREF from it is discarded (RFC 7606 §7.5). */
  ebgp?: boolean;
  /**
   * The peer's AS when its AS_PATH must start with it (RFC 4271 §6.3, external
   * peers that are not route servers); a path that does not is treat-as-withdraw.
   */
  enforceFirstAs?: number;
  /**
   * Families negotiated on the session; NLRI of other families are ignored
   * (RFC 4760 §7: only negotiated AFI/SAFIs are exchanged). Undefined = all.
   */
  families?: readonly Afi[];
  /** Our end of the session: a next hop equal to it is unusable (RFC 4271 §6.3). */
  localAddress?: string;
}

export interface DecodedAttributes {
  attrs: PathAttributes;
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
  treatAsWithdraw: boolean;
  issues: UpdateIssue[];
  /** Which of ORIGIN, AS_PATH, NEXT_HOP were present (and valid), for the mandatory check. */
  hasOrigin: boolean;
  hasAsPath: boolean;
  hasNextHop: boolean;
  /** The NEXT_HOP attribute's value (attrs.nextHop shows the IPv6 MP_REACH next hop when there is one). */
  nextHop4?: string;
}

// Marks seen attribute types without allocating a Set per UPDATE.
const seenGeneration = new Uint32Array(256);
let generation = 0;

/** The smallest MP_REACH_NLRI / MP_UNREACH_NLRI attribute: a 3-octet header, AFI and SAFI. */
const MIN_MP_ATTRIBUTE = 6;

/**
 * The attribute walk cannot continue at `at`. RFC 7606 §5: treat-as-withdraw needs every
 * NLRI located, so it applies only when the unread octets cannot hide an MP_REACH_NLRI or
 * MP_UNREACH_NLRI (both already found, or too few octets left); otherwise session reset —
 * withdrawing the IPv4 NLRI alone would leave the hidden MP prefixes on their old paths.
 */
function walkAborted(out: DecodedAttributes, at: number, end: number, type: number, subcode: number, reason: string): void {
  const mpHidden = !(out.mpReach && out.mpUnreach) && end - at >= MIN_MP_ATTRIBUTE;
  if (mpHidden) {
    throw new BgpError(ErrorCode.UpdateMessage, subcode,
      `${attrTypeName(type)}: ${reason}; MP_REACH_NLRI/MP_UNREACH_NLRI may follow, so the NLRI cannot all be located`);
  }
  issue(out, ErrorAction.TreatAsWithdraw, type, subcode, reason);
}

/**
 * Decodes the path attributes in msg[start, end). Throws BgpError when RFC 7606
 * requires a session reset; records other problems in `issues`.
 */
export function decodeAttributes(msg: Uint8Array, start: number, end: number, ctx: AttributeContext): DecodedAttributes {
  const out: DecodedAttributes = {
    attrs: { asPath: [] },
    treatAsWithdraw: false,
    issues: [],
    hasOrigin: false,
    hasAsPath: false,
    hasNextHop: false,
  };
  const attrs = out.attrs;
  const walk: AttributeWalk = { out, ctx, as4Path: undefined, as4Aggregator: undefined };
  generation = (generation + 1) >>> 0 || 1;

  let at = start;
  while (at < end) {
    if (end - at < 3) {
      // RFC 7606 §4: too few octets left for an attribute header.
      walkAborted(out, at, end, 0, UpdateSubcode.MalformedAttributeList, `${end - at} stray octet(s) after the last attribute`);
      break;
    }
    const flags = msg[at];
    const type = msg[at + 1];
    const headerLen = flags & AttrFlag.ExtendedLength ? 4 : 3;
    if (at + headerLen > end) {
      walkAborted(out, at, end, type, UpdateSubcode.AttributeLengthError, 'attribute header runs past the attributes field');
      break;
    }
    const len = headerLen === 4 ? readU16(msg, at + 2) : msg[at + 2];
    const v = at + headerLen;
    const vEnd = v + len;
    if (vEnd > end) {
      // RFC 7606 §4: the attributes after this one cannot be read (see walkAborted).
      walkAborted(out, at, end, type, UpdateSubcode.AttributeLengthError, `length ${len} runs past the attributes field`);
      break;
    }
    at = vEnd;
    // The whole attribute (header included) for a NOTIFICATION's data: copied only when one is sent.
    const attrStart = v - headerLen;

    if (seenGeneration[type] === generation) {
      // RFC 7606 §3(g): repeated MP attributes reset the session; others keep the first occurrence.
      if (type === AttrType.MpReachNlri || type === AttrType.MpUnreachNlri) {
        throw new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.MalformedAttributeList, `${attrTypeName(type)} appears twice`);
      }
      issue(out, ErrorAction.AttributeDiscard, type, UpdateSubcode.MalformedAttributeList, 'repeated; only the first is used');
      continue;
    }
    seenGeneration[type] = generation;

    const decoder = ATTRIBUTE_DECODERS[type];
    if (decoder === undefined) {
      if (!(flags & AttrFlag.Optional)) {
        // RFC 4271 §6.3: an unrecognised well-known attribute cannot be handled more gently.
        throw new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.UnrecognizedWellKnownAttribute,
          `unrecognised well-known attribute ${type}`, msg.slice(attrStart, vEnd));
      }
      if (flags & AttrFlag.Transitive) {
        (attrs.unknown ??= []).push({ flags: flags & 0xe0, type, value: msg.slice(v, vEnd) });
      }
      // Unknown optional non-transitive attributes are quietly ignored (RFC 4271 §5).
      continue;
    }
    const expected = expectedFlags(type)!;
    const wrongFlags = (flags & (AttrFlag.Optional | AttrFlag.Transitive)) !== expected
      || ((flags & AttrFlag.Partial) !== 0 && expected !== (AttrFlag.Optional | AttrFlag.Transitive));
    if (wrongFlags) {
      if (decoder.badFlags === ErrorAction.SessionReset) {
        throw new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.AttributeFlagsError, `${attrTypeName(type)} flags 0x${flags.toString(16)}`, msg.slice(attrStart, vEnd));
      }
      issue(out, decoder.badFlags, type, UpdateSubcode.AttributeFlagsError, `flags 0x${flags.toString(16)}`);
      continue;
    }
    decoder.decode(walk, msg, v, vEnd, attrStart);
  }

  // RFC 6793 §4.2.3: AS4_* are used only when AGGREGATOR (if any) says AS_TRANS.
  const aggregatorIsTrans = !attrs.aggregator || attrs.aggregator.asn === AS_TRANS;
  if (!ctx.fourOctetAs && aggregatorIsTrans) {
    if (walk.as4Aggregator && attrs.aggregator) attrs.aggregator = walk.as4Aggregator;
    if (walk.as4Path && out.hasAsPath) attrs.asPath = mergeAs4Path(attrs.asPath, walk.as4Path);
  }
  if (out.mpReach && out.mpReach.afi === Afi.IPv6 && knownFamily(out.mpReach.afi, out.mpReach.safi)) {
    attrs.nextHop = out.mpReach.nextHop;
    if (out.mpReach.nextHopLinkLocal) attrs.nextHopLinkLocal = out.mpReach.nextHopLinkLocal;
  } else if (out.mpReach && out.mpReach.afi === Afi.IPv4 && !out.hasNextHop) {
    attrs.nextHop = out.mpReach.nextHop;
  }
  return out;
}

function writeAttr(w: ByteWriter, flags: number, type: number, body: (w: ByteWriter) => void): void {
  // Write with a 2-octet length, then shrink to 1 octet when it fits (RFC 4271 §4.3 extended length bit).
  const at = w.pos;
  w.u8(flags | AttrFlag.ExtendedLength).u8(type).u16(0);
  body(w);
  const len = w.pos - at - 4;
  if (len <= 255) {
    w.buf.copyWithin(at + 3, at + 4, w.pos);
    w.buf[at] = flags;
    w.buf[at + 2] = len;
    w.pos -= 1;
  } else {
    w.patchU16(at + 2, len);
  }
}

/** MP_REACH_NLRI content the encoder writes; the NLRI are written by the caller's callback. */
export interface MpReachEncode {
  afi: Afi;
  nextHop: string;
  nextHopLinkLocal?: string;
  writeNlri(w: ByteWriter): void;
}

export interface MpUnreachEncode {
  afi: Afi;
  writeNlri(w: ByteWriter): void;
}

function addressBytes(text: string, what: string): Uint8Array {
  const b = text.includes(':') ? parseIpv6(text) : parseIpv4(text);
  if (!b) throw new Error(`${what} "${text}" is not an IP address`);
  return b;
}

/**
 * Encodes path attributes in type order. Unknown optional transitive attributes
 * are passed on with the Partial bit set (RFC 4271 §5). With 2-octet sessions,
 * 4-octet ASNs become AS_TRANS and AS4_PATH/AS4_AGGREGATOR are added (RFC 6793 §4.2.2).
 */
export function writeAttributes(
  w: ByteWriter, attrs: PathAttributes, ctx: AttributeContext,
  mp?: { reach?: MpReachEncode; unreach?: MpUnreachEncode },
): void {
  const T = AttrFlag.Transitive;
  const O = AttrFlag.Optional;
  if (attrs.origin !== undefined) writeAttr(w, T, AttrType.Origin, (b) => b.u8(attrs.origin!));
  const hasPath = attrs.origin !== undefined || attrs.asPath.length > 0;
  if (hasPath) writeAttr(w, T, AttrType.AsPath, (b) => writeAsPath(b, attrs.asPath, ctx.fourOctetAs ? 4 : 2));
  if (attrs.nextHop !== undefined && !attrs.nextHop.includes(':') && !mp?.reach) {
    writeAttr(w, T, AttrType.NextHop, (b) => b.bytes(addressBytes(attrs.nextHop!, 'NEXT_HOP')));
  }
  if (attrs.med !== undefined) writeAttr(w, O, AttrType.MultiExitDisc, (b) => b.u32(attrs.med!));
  if (attrs.localPref !== undefined) writeAttr(w, T, AttrType.LocalPref, (b) => b.u32(attrs.localPref!));
  if (attrs.atomicAggregate) writeAttr(w, T, AttrType.AtomicAggregate, () => undefined);
  const agg = attrs.aggregator;
  if (agg) {
    writeAttr(w, O | T, AttrType.Aggregator, (b) => {
      if (ctx.fourOctetAs) b.u32(agg.asn);
      else b.u16(agg.asn > 0xffff ? AS_TRANS : agg.asn);
      b.bytes(addressBytes(agg.address, 'AGGREGATOR address'));
    });
  }
  if (attrs.communities?.length) writeAttr(w, O | T, AttrType.Communities, (b) => attrs.communities!.forEach((c) => b.u32(c)));
  if (attrs.originatorId !== undefined) writeAttr(w, O, AttrType.OriginatorId, (b) => b.bytes(addressBytes(attrs.originatorId!, 'ORIGINATOR_ID')));
  if (attrs.clusterList?.length) writeAttr(w, O, AttrType.ClusterList, (b) => attrs.clusterList!.forEach((c) => b.bytes(addressBytes(c, 'CLUSTER_LIST entry'))));
  if (mp?.reach) {
    const r = mp.reach;
    writeAttr(w, O, AttrType.MpReachNlri, (b) => {
      const nh = addressBytes(r.nextHop, 'MP_REACH next hop');
      const ll = r.nextHopLinkLocal ? addressBytes(r.nextHopLinkLocal, 'MP_REACH link-local next hop') : undefined;
      b.u16(r.afi).u8(1).u8(nh.length + (ll?.length ?? 0)).bytes(nh);
      if (ll) b.bytes(ll);
      b.u8(0);
      r.writeNlri(b);
    });
  }
  if (mp?.unreach) {
    const u = mp.unreach;
    writeAttr(w, O, AttrType.MpUnreachNlri, (b) => {
      b.u16(u.afi).u8(1);
      u.writeNlri(b);
    });
  }
  if (attrs.extendedCommunities?.length) writeAttr(w, O | T, AttrType.ExtendedCommunities, (b) => attrs.extendedCommunities!.forEach((c) => b.bytes(c)));
  if (!ctx.fourOctetAs) {
    if (hasPath && needsFourOctets(attrs.asPath)) {
      const as4 = attrs.asPath.filter((s) => s.type <= 2);
      writeAttr(w, O | T, AttrType.As4Path, (b) => writeAsPath(b, as4, 4));
    }
    if (agg && agg.asn > 0xffff) {
      writeAttr(w, O | T, AttrType.As4Aggregator, (b) => b.u32(agg.asn).bytes(addressBytes(agg.address, 'AGGREGATOR address')));
    }
  }
  if (attrs.largeCommunities?.length) {
    writeAttr(w, O | T, AttrType.LargeCommunities, (b) => attrs.largeCommunities!.forEach((c) => b.u32(c.global).u32(c.local1).u32(c.local2)));
  }
  for (const u of attrs.unknown ?? []) {
    writeAttr(w, (u.flags & (O | T)) | AttrFlag.Partial, u.type, (b) => b.bytes(u.value));
  }
}

export type { RawAttribute };

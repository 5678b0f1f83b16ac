/**
 * MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 §3, §4): located, not copied — the
 * NLRI stay in the message and are visited later. Malformed ones reset the session
 * (RFC 7606 §7.11: this speaker does not disable a family instead).
 */
import { Afi } from './types.js';
import { BgpError } from './errors.js';
import { ErrorCode, UpdateSubcode } from './notification-codes.js';
import { ipv4ToString, ipv6ToString } from './addresses.js';
import { readU16 } from './writer.js';
import { countPrefixes } from './nlri.js';

/** Where MP_REACH_NLRI's parts are inside the message. RFC 4760 §3. */
export interface MpReach {
  afi: number;
  safi: number;
  nextHop: string;
  nextHopLinkLocal?: string;
  nlriStart: number;
  nlriEnd: number;
  count: number;
}

/** Where MP_UNREACH_NLRI's withdrawn routes are inside the message. RFC 4760 §4. */
export interface MpUnreach {
  afi: number;
  safi: number;
  start: number;
  end: number;
  count: number;
}

/** Families whose NLRI this codec understands; others are skipped (RFC 4760 §7: not negotiated). */
export function knownFamily(afi: number, safi: number): boolean {
  return (afi === Afi.IPv4 || afi === Afi.IPv6) && safi === 1;
}

function mpError(reason: string, data: Uint8Array): BgpError {
  // RFC 7606 §7.11 / RFC 4760 §7: a malformed MP attribute resets the session (no AFI/SAFI disable here).
  return new BgpError(ErrorCode.UpdateMessage, UpdateSubcode.OptionalAttributeError, reason, data);
}

/** The value is msg[v, end); attrStart is the attribute's header, for the NOTIFICATION's data. */
export function decodeMpReach(msg: Uint8Array, v: number, end: number, attrStart: number): MpReach {
  if (end - v < 5) throw mpError(`MP_REACH_NLRI length ${end - v} is too short`, msg.slice(attrStart, end));
  const afi = readU16(msg, v);
  const safi = msg[v + 2];
  const nhLen = msg[v + 3];
  const nh = v + 4;
  if (nh + nhLen + 1 > end) throw mpError(`MP_REACH_NLRI next hop length ${nhLen} runs past the attribute`, msg.slice(attrStart, end));
  let nextHop = '';
  let nextHopLinkLocal: string | undefined;
  if (knownFamily(afi, safi)) {
    if (nhLen === 4) nextHop = ipv4ToString(msg, nh);
    else if (nhLen === 16) nextHop = ipv6ToString(msg, nh);
    else if (nhLen === 32) {
      nextHop = ipv6ToString(msg, nh);
      nextHopLinkLocal = ipv6ToString(msg, nh + 16);
    } else throw mpError(`MP_REACH_NLRI next hop length ${nhLen} is not 4, 16 or 32`, msg.slice(attrStart, end));
  }
  // One reserved octet (RFC 4760 §3), then NLRI.
  const nlriStart = nh + nhLen + 1;
  const count = knownFamily(afi, safi)
    ? countPrefixes(msg, nlriStart, end, afi as Afi, ErrorCode.UpdateMessage, UpdateSubcode.OptionalAttributeError)
    : 0;
  const r: MpReach = { afi, safi, nextHop, nlriStart, nlriEnd: end, count };
  if (nextHopLinkLocal) r.nextHopLinkLocal = nextHopLinkLocal;
  return r;
}

export function decodeMpUnreach(msg: Uint8Array, v: number, end: number, attrStart: number): MpUnreach {
  if (end - v < 3) throw mpError(`MP_UNREACH_NLRI length ${end - v} is too short`, msg.slice(attrStart, end));
  const afi = readU16(msg, v);
  const safi = msg[v + 2];
  const count = knownFamily(afi, safi)
    ? countPrefixes(msg, v + 3, end, afi as Afi, ErrorCode.UpdateMessage, UpdateSubcode.OptionalAttributeError)
    : 0;
  return { afi, safi, start: v + 3, end, count };
}

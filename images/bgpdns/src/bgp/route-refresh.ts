/** ROUTE-REFRESH messages. RFC 2918 §3, RFC 7313 §3 (BoRR/EoRR subtypes). */
import { HEADER_LENGTH, MessageType } from './message-types.js';
import { frame } from './header.js';
import { readU16 } from './writer.js';
import { BgpError } from './errors.js';
import { ErrorCode, RouteRefreshSubcode } from './notification-codes.js';

/** The "Message Subtype" octet (formerly Reserved). RFC 7313 §3.2. */
export const enum RouteRefreshSubtype {
  Request = 0,
  BeginningOfRouteRefresh = 1,
  EndOfRouteRefresh = 2,
}

export interface RouteRefreshMessage {
  afi: number;
  safi: number;
  subtype: RouteRefreshSubtype;
  /**
   * Octets of ORF entries after the fixed part (RFC 5291 §4). We negotiate no ORF
   * capability, so they are ignored and the message is a plain request (RFC 5291 §5:
   * ORF entries of a type not negotiated are ignored; RFC 7313 §5 keeps the length
   * error for BoRR/EoRR only).
   */
  ignoredOrfOctets?: number;
}

/** Decodes a ROUTE-REFRESH (the header check guarantees at least AFI, subtype and SAFI). */
export function decodeRouteRefresh(msg: Uint8Array): RouteRefreshMessage {
  const m: RouteRefreshMessage = { afi: readU16(msg, HEADER_LENGTH), subtype: msg[HEADER_LENGTH + 2], safi: msg[HEADER_LENGTH + 3] };
  const extra = msg.length - HEADER_LENGTH - 4;
  if (extra > 0) {
    if (m.subtype === RouteRefreshSubtype.BeginningOfRouteRefresh || m.subtype === RouteRefreshSubtype.EndOfRouteRefresh) {
      throw new BgpError(ErrorCode.RouteRefreshMessage, RouteRefreshSubcode.InvalidMessageLength,
        `ROUTE-REFRESH subtype ${m.subtype} of length ${msg.length} is not 23`, msg.slice());
    }
    m.ignoredOrfOctets = extra;
  }
  return m;
}

export function encodeRouteRefresh(m: RouteRefreshMessage): Uint8Array {
  return frame(MessageType.RouteRefresh, Uint8Array.of(m.afi >> 8, m.afi & 0xff, m.subtype, m.safi));
}

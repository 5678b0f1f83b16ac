/** ROUTE-REFRESH messages. RFC 2918 §3, RFC 7313 §3 (BoRR/EoRR subtypes). */
import { HEADER_LENGTH, MessageType } from './message-types.js';
import { frame } from './header.js';
import { readU16 } from './writer.js';

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
}

export function decodeRouteRefresh(msg: Uint8Array): RouteRefreshMessage {
  return { afi: readU16(msg, HEADER_LENGTH), subtype: msg[HEADER_LENGTH + 2], safi: msg[HEADER_LENGTH + 3] };
}

export function encodeRouteRefresh(m: RouteRefreshMessage): Uint8Array {
  return frame(MessageType.RouteRefresh, Uint8Array.of(m.afi >> 8, m.afi & 0xff, m.subtype, m.safi));
}

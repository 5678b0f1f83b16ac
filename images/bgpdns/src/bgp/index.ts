/**
 * The BGP-4 speaker library: public API.
 *
 * - Codec (pure): decodeMessage / encodeMessage, decodeOpen / encodeOpen,
 *   decodeUpdate (→ DecodedUpdate, prefixes visited as views) / encodeUpdate,
 *   End-of-RIB, NOTIFICATION, ROUTE-REFRESH, KEEPALIVE; Framer for byte streams.
 * - Session: the RFC 4271 FSM with injected Clock and Transport; events
 *   established / update / endOfRib / notificationSent / notificationReceived / down.
 * - BgpSpeaker: the TCP adapter (listener for configured peers, active dialling).
 */
export * from './types.js';
export { MessageType, HEADER_LENGTH, MAX_MESSAGE_LENGTH, MAX_EXTENDED_MESSAGE_LENGTH, messageTypeName } from './message-types.js';
export { AttrType, AttrFlag, attrTypeName } from './attribute-types.js';
export { CapabilityCode, AS_TRANS, capabilityName } from './capability-codes.js';
export {
  ErrorCode, HeaderSubcode, OpenSubcode, UpdateSubcode, FsmSubcode, CeaseSubcode, RouteRefreshSubcode, notificationName,
} from './notification-codes.js';
export { BgpError, ErrorAction, type UpdateIssue } from './errors.js';
export { ipv4ToString, ipv6ToString, parseIp, parseIpv4, parseIpv6, ipToString } from './addresses.js';
export { type PrefixVisitor, copyPrefix, decodePrefixes, visitPrefixes, prefixToString, parsePrefix, writePrefix, encodedPrefixSize } from './nlri.js';
export { asPathLength, mergeAs4Path } from './as-path.js';
export { decodeHeader, frame } from './header.js';
export { Framer } from './framer.js';
export { type Capability, type OpenMessage, type OpenSummary, decodeOpen, encodeOpen, summarizeOpen, myAsField } from './open.js';
export { type AttributeContext, type MpReach, type MpUnreach, decodeAttributes, writeAttributes } from './attributes.js';
export { DecodedUpdate, decodeUpdate, encodeUpdate, encodeEndOfRib, type UpdateContext, type UpdateSpec } from './update.js';
export { type NotificationMessage, decodeNotification, encodeNotification, describeNotification } from './notification.js';
export { type RouteRefreshMessage, RouteRefreshSubtype, decodeRouteRefresh, encodeRouteRefresh } from './route-refresh.js';
export { type Message, decodeMessage, encodeMessage, encodeKeepalive } from './message.js';
export { ByteWriter } from './writer.js';
export { type Clock, realClock, FakeClock } from './clock.js';
export {
  Session, SessionState, type SessionConfig, type SessionEnv, type SessionEvents, type Negotiated, type DownInfo,
  type Transport, type Connection,
} from './session.js';
export { BgpSpeaker, type PeerConfig, type SpeakerOptions, attachSocket, normalizeAddress, BGP_PORT } from './tcp.js';

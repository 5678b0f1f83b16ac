/** The 19-octet message header. RFC 4271 §4.1, §6.1. */
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, MessageType, minimumLength } from './message-types.js';
import { BgpError } from './errors.js';
import { ErrorCode, HeaderSubcode, RouteRefreshSubcode } from './notification-codes.js';

export interface Header {
  length: number;
  type: MessageType;
}

/**
 * Checks the header at `at` (19 bytes must be present) and returns length and type.
 * Errors carry the Message Header NOTIFICATION of RFC 4271 §6.1.
 */
export function decodeHeader(buf: Uint8Array, at: number, maxLength = MAX_MESSAGE_LENGTH): Header {
  for (let i = 0; i < 16; i++) {
    if (buf[at + i] !== 0xff) {
      throw new BgpError(ErrorCode.MessageHeader, HeaderSubcode.ConnectionNotSynchronized, 'marker is not all ones');
    }
  }
  const length = (buf[at + 16] << 8) | buf[at + 17];
  const type = buf[at + 18];
  const lengthField = buf.slice(at + 16, at + 18);
  if (length < HEADER_LENGTH || length > maxLength) {
    throw new BgpError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageLength,
      `length ${length} outside ${HEADER_LENGTH}..${maxLength}`, lengthField);
  }
  if (type < MessageType.Open || type > MessageType.RouteRefresh) {
    throw new BgpError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageType, `unknown type ${type}`, Uint8Array.of(type));
  }
  if (type === MessageType.RouteRefresh && length < 23) {
    // RFC 7313 §5: a ROUTE-REFRESH of the wrong length is its own error code; data is the whole message.
    // Longer ones may carry ORF entries (RFC 5291); route-refresh.ts judges those by subtype.
    throw new BgpError(ErrorCode.RouteRefreshMessage, RouteRefreshSubcode.InvalidMessageLength,
      `ROUTE-REFRESH length ${length} is below 23`, buf.slice(at, at + Math.min(length, buf.length - at)));
  }
  if (length < minimumLength(type) || (type === MessageType.Keepalive && length !== HEADER_LENGTH)) {
    throw new BgpError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageLength,
      `length ${length} is wrong for message type ${type}`, lengthField);
  }
  return { length, type };
}

export function writeHeader(buf: Uint8Array, length: number, type: MessageType): void {
  buf.fill(0xff, 0, 16);
  buf[16] = length >>> 8;
  buf[17] = length & 0xff;
  buf[18] = type;
}

/** Wraps a message body in a header. */
export function frame(type: MessageType, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH + body.length);
  writeHeader(out, out.length, type);
  out.set(body, HEADER_LENGTH);
  return out;
}

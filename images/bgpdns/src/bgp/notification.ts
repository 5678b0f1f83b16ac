/** NOTIFICATION messages. RFC 4271 §4.5, RFC 8203 (shutdown communication). */
import { HEADER_LENGTH, MessageType } from './message-types.js';
import { frame } from './header.js';
import { notificationName } from './notification-codes.js';

export interface NotificationMessage {
  code: number;
  subcode: number;
  data: Uint8Array;
}

export function decodeNotification(msg: Uint8Array): NotificationMessage {
  return { code: msg[HEADER_LENGTH], subcode: msg[HEADER_LENGTH + 1], data: msg.slice(HEADER_LENGTH + 2) };
}

export function encodeNotification(n: NotificationMessage): Uint8Array {
  const body = new Uint8Array(2 + n.data.length);
  body[0] = n.code;
  body[1] = n.subcode;
  body.set(n.data, 2);
  return frame(MessageType.Notification, body);
}

/** Human text, including an RFC 8203 shutdown communication when the data carries one. */
export function describeNotification(n: NotificationMessage): string {
  let text = notificationName(n.code, n.subcode);
  if (n.code === 6 && (n.subcode === 2 || n.subcode === 4) && n.data.length > 0 && n.data[0] === n.data.length - 1) {
    text += `: "${new TextDecoder().decode(n.data.subarray(1))}"`;
  }
  return text;
}

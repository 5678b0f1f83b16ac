/** One entry point for every message type: decode by header type, encode by kind. RFC 4271 §4. */
import { MessageType } from './message-types.js';
import { decodeHeader, frame } from './header.js';
import { decodeOpen, encodeOpen, type OpenMessage } from './open.js';
import { DecodedUpdate, decodeUpdate, type UpdateContext } from './update.js';
import { decodeNotification, encodeNotification, type NotificationMessage } from './notification.js';
import { decodeRouteRefresh, encodeRouteRefresh, type RouteRefreshMessage } from './route-refresh.js';
import { MAX_EXTENDED_MESSAGE_LENGTH } from './message-types.js';

export type Message =
  | { type: MessageType.Open; open: OpenMessage }
  | { type: MessageType.Update; update: DecodedUpdate }
  | { type: MessageType.Notification; notification: NotificationMessage }
  | { type: MessageType.Keepalive }
  | { type: MessageType.RouteRefresh; routeRefresh: RouteRefreshMessage };

const keepalive = frame(MessageType.Keepalive, new Uint8Array(0));

/** A KEEPALIVE is a bare header. RFC 4271 §4.4. */
export function encodeKeepalive(): Uint8Array {
  return keepalive.slice();
}

/**
 * Decodes one whole message (as the Framer returns it). The header is checked
 * again so that this function is safe on its own; pass the session's limit.
 */
export function decodeMessage(msg: Uint8Array, ctx: UpdateContext, maxLength = MAX_EXTENDED_MESSAGE_LENGTH): Message {
  const { type } = decodeHeader(msg, 0, maxLength);
  switch (type) {
    case MessageType.Open:
      return { type, open: decodeOpen(msg) };
    case MessageType.Update:
      return { type, update: decodeUpdate(msg, ctx) };
    case MessageType.Notification:
      return { type, notification: decodeNotification(msg) };
    case MessageType.Keepalive:
      return { type };
    case MessageType.RouteRefresh:
      return { type, routeRefresh: decodeRouteRefresh(msg) };
  }
}

/** Encodes any message except UPDATE (use encodeUpdate, which needs the session context). */
export function encodeMessage(m: Exclude<Message, { type: MessageType.Update }>): Uint8Array {
  switch (m.type) {
    case MessageType.Open:
      return encodeOpen(m.open);
    case MessageType.Notification:
      return encodeNotification(m.notification);
    case MessageType.Keepalive:
      return encodeKeepalive();
    case MessageType.RouteRefresh:
      return encodeRouteRefresh(m.routeRefresh);
  }
}

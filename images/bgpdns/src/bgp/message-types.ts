/** BGP message types and fixed sizes. */

/** Message type codes. RFC 4271 §4.1, RFC 2918 §3 (ROUTE-REFRESH). */
export const enum MessageType {
  Open = 1,
  Update = 2,
  Notification = 3,
  Keepalive = 4,
  RouteRefresh = 5,
}

/** Header size: 16-octet marker, 2-octet length, 1-octet type. RFC 4271 §4.1. */
export const HEADER_LENGTH = 19;
/** Maximum message size without the Extended Message capability. RFC 4271 §4. */
export const MAX_MESSAGE_LENGTH = 4096;
/** Maximum message size once both sides advertised Extended Message. RFC 8654 §4. */
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;

/** Minimum total length per message type. RFC 4271 §4.2–§4.5, RFC 2918 §3. */
export function minimumLength(type: number): number {
  switch (type) {
    case MessageType.Open:
      return 29;
    case MessageType.Update:
      return 23;
    case MessageType.Notification:
      return 21;
    case MessageType.Keepalive:
      return 19;
    case MessageType.RouteRefresh:
      return 23;
    default:
      return HEADER_LENGTH;
  }
}

export function messageTypeName(type: number): string {
  switch (type) {
    case MessageType.Open:
      return 'OPEN';
    case MessageType.Update:
      return 'UPDATE';
    case MessageType.Notification:
      return 'NOTIFICATION';
    case MessageType.Keepalive:
      return 'KEEPALIVE';
    case MessageType.RouteRefresh:
      return 'ROUTE-REFRESH';
    default:
      return `type ${type}`;
  }
}

/**
 * A decode or protocol error that ends the session: it carries the NOTIFICATION
 * (code, subcode, data) the speaker must send before closing. RFC 4271 §6.
 */
import { notificationName } from './notification-codes.js';

export class BgpError extends Error {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;

  constructor(code: number, subcode: number, reason: string, data: Uint8Array = new Uint8Array(0)) {
    super(`${notificationName(code, subcode)}: ${reason}`);
    this.name = 'BgpError';
    this.code = code;
    this.subcode = subcode;
    this.data = data;
  }
}

/** How an UPDATE error is handled, from least to most severe. RFC 7606 §2. */
export const enum ErrorAction {
  AttributeDiscard = 1,
  TreatAsWithdraw = 2,
  SessionReset = 3,
}

/** A non-fatal UPDATE error that was handled without resetting the session. RFC 7606 §3. */
export interface UpdateIssue {
  action: ErrorAction.AttributeDiscard | ErrorAction.TreatAsWithdraw;
  /** Attribute type concerned, or 0 for message-level issues (missing mandatory attribute). */
  attrType: number;
  /** The NOTIFICATION this error would have produced before RFC 7606, for logs. */
  code: number;
  subcode: number;
  reason: string;
}

/**
 * In-memory transports for driving sessions without sockets (tests, benches):
 * a pipe joins two sessions back to back, a recorder captures what one sends.
 */
import type { Clock } from '../../src/bgp/clock.js';
import type { Connection, Session, Transport } from '../../src/bgp/session.js';

/** Captures sent bytes; close() is recorded, not acted on. */
export class RecordingTransport implements Transport {
  sent: Uint8Array[] = [];
  closed = false;
  paused = false;
  readonly description = 'recorder';

  send(bytes: Uint8Array): boolean {
    if (!this.closed) this.sent.push(bytes.slice());
    return true;
  }

  close(): void {
    this.closed = true;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Message types sent so far (octet 18 of each message). */
  types(): number[] {
    return this.sent.map((m) => m[18]);
  }
}

/**
 * Connects two sessions as if over TCP: `a` dials (outbound), `b` accepts (inbound).
 * Bytes are delivered in order through clock.defer, like a socket would deliver them
 * later; a close is delivered after the bytes sent before it.
 */
export function pipeSessions(a: Session, b: Session, clock: Clock): { close(): void } {
  let connA: Connection | undefined;
  let connB: Connection | undefined;
  let open = true;
  const shut = (): void => {
    if (!open) return;
    open = false;
    clock.defer(() => {
      connA?.onClosed();
      connB?.onClosed();
    });
  };
  const tA: Transport = {
    description: 'pipe a→b',
    send: (bytes) => {
      const copy = bytes.slice();
      if (open) clock.defer(() => connB?.onBytes(copy));
      return true;
    },
    close: shut,
  };
  const tB: Transport = {
    description: 'pipe b→a',
    send: (bytes) => {
      const copy = bytes.slice();
      if (open) clock.defer(() => connA?.onBytes(copy));
      return true;
    },
    close: shut,
  };
  connB = b.attach(tB, true);
  connA = a.attach(tA, false);
  return { close: shut };
}

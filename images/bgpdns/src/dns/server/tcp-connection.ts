/**
 * One DNS-over-TCP connection (RFC 7766): two-byte length framing, pipelined
 * queries answered concurrently but written in the order they came, and
 * backpressure both ways. Reading pauses while `maxPending` queries are being
 * answered, or while the socket holds `writeHighWater` unsent bytes (what one
 * read chunk framed stays queued meanwhile) —
 * so a client that pipelines without reading stalls its own sends in the kernel
 * instead of growing our memory (RFC 7766 §6.2.3: resources per connection must
 * be bounded). The idle timer is the socket's inactivity timer: a stalled
 * connection (nothing read, nothing written) is closed after `idleMs` too.
 */
import type net from 'node:net';
import type { MaybeAsync, Source } from './backend.js';
import { TcpFramer } from '../wire/tcp-framer.js';

export interface TcpConnectionLimits {
  /** Queries being answered (or answered, waiting for an earlier one) before reading pauses. */
  maxPending: number;
  /** Unsent reply bytes queued in the socket before reading pauses. */
  writeHighWater: number;
  /** Inactivity (nothing read or written) before the connection is closed. */
  idleMs: number;
}

export type Answer = (packet: Buffer, source: Source) => MaybeAsync<Buffer | null>;

/** A reply in order: `done` once the answer is known (null = nothing to send). */
interface Slot {
  done: boolean;
  reply: Buffer | null;
}

export class DnsTcpConnection {
  private readonly framed: Buffer[] = [];
  private readonly inOrder: Slot[] = [];
  private readonly framer = new TcpFramer((msg) => this.framed.push(msg));
  private paused = false;
  /** performance.now() of the last byte read or written (for eviction of the idlest connection). */
  lastActivity = performance.now();

  constructor(
    readonly socket: net.Socket,
    readonly source: Source,
    private readonly answer: Answer,
    private readonly limits: TcpConnectionLimits,
    onIdle: () => void,
  ) {
    socket.setNoDelay(true);
    socket.setTimeout(limits.idleMs, () => {
      onIdle();
      socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      this.lastActivity = performance.now();
      this.framer.push(chunk);
      this.pump();
    });
    socket.on('drain', () => {
      this.lastActivity = performance.now();
      this.pump();
    });
  }

  /** Queries framed but not yet answered plus answers not yet written. */
  get pending(): number {
    return this.framed.length + this.inOrder.length;
  }

  /** Start answering framed queries while there is room; pause or resume reading to match. */
  private pump(): void {
    const sock = this.socket;
    while (this.framed.length && this.inOrder.length < this.limits.maxPending && sock.writableLength < this.limits.writeHighWater && !sock.destroyed) {
      const slot: Slot = { done: false, reply: null };
      this.inOrder.push(slot);
      const r = this.answer(this.framed.shift()!, this.source);
      if (r instanceof Promise) {
        r.then(
          (reply) => this.settle(slot, reply),
          () => this.settle(slot, null),
        );
      } else {
        this.settle(slot, r, false);
        this.flush();
      }
    }
    this.flush();
    // Framed queries left over mean one of the limits stopped us: read no more until it clears.
    const full = this.framed.length > 0 || this.inOrder.length >= this.limits.maxPending || sock.writableLength >= this.limits.writeHighWater;
    if (full && !this.paused) {
      this.paused = true;
      sock.pause();
    } else if (!full && this.paused && !sock.destroyed) {
      this.paused = false;
      sock.resume();
    }
  }

  private settle(slot: Slot, reply: Buffer | null, thenPump = true): void {
    slot.done = true;
    slot.reply = reply;
    if (thenPump) this.pump();
  }

  /** Write the answers that are ready at the head of the line. */
  private flush(): void {
    while (this.inOrder.length && this.inOrder[0].done) {
      const { reply } = this.inOrder.shift()!;
      if (reply && !this.socket.destroyed) {
        this.socket.write(TcpFramer.frame(reply));
        this.lastActivity = performance.now();
      }
    }
  }
}

/**
 * The BGP finite state machine of RFC 4271 §8, independent of sockets: a TCP
 * adapter (tcp.ts) or a test feeds it connections, bytes and closes; time comes
 * from an injected Clock. One Session per configured peer; it may hold two
 * connections at once while a collision (§6.8) is being resolved.
 */
import { EventEmitter } from 'node:events';
import { Afi, Safi } from './types.js';
import { type Clock, realClock } from './clock.js';
import { Framer } from './framer.js';
import { BgpError, type UpdateIssue } from './errors.js';
import { CeaseSubcode, ErrorCode, FsmSubcode, OpenSubcode } from './notification-codes.js';
import { MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH, MessageType } from './message-types.js';
import { CapabilityCode } from './capability-codes.js';
import { type Capability, decodeOpen, encodeOpen, myAsField, type OpenMessage, type OpenSummary, type PeerRestartCapability, summarizeOpen } from './open.js';
import { GracefulRestartHelper, type StaleEndReason } from './graceful-restart.js';
import { DecodedUpdate, decodeUpdate, encodeEndOfRib, encodeUpdate, type UpdateContext, type UpdateSpec } from './update.js';
import { decodeNotification, describeNotification, encodeNotification, type NotificationMessage } from './notification.js';
import { decodeRouteRefresh, encodeRouteRefresh, type RouteRefreshMessage, RouteRefreshSubtype } from './route-refresh.js';
import { encodeKeepalive } from './message.js';
import { routerIdToNumber } from './addresses.js';
import { endedInError, IdleHold, type IdleHoldConfig, type IdleHoldState } from './idle-hold.js';

/** FSM states. RFC 4271 §8.2.2. */
export const enum SessionState {
  Idle = 'Idle',
  Connect = 'Connect',
  Active = 'Active',
  OpenSent = 'OpenSent',
  OpenConfirm = 'OpenConfirm',
  Established = 'Established',
}

/** What the session needs from a TCP connection. */
export interface Transport {
  /** Queues bytes; false when the socket's buffer is full (wait for Connection.onDrain). */
  send(bytes: Uint8Array): boolean;
  /** Closes after flushing what was queued (a NOTIFICATION is sent before this). */
  close(): void;
  /** Stop / restart reading (back-pressure while a burst of UPDATEs is being processed). */
  pause?(): void;
  resume?(): void;
  /** For logs: "198.18.0.1:179". */
  readonly description?: string;
  /** Our end's address (the injector uses it as next hop). */
  readonly localAddress?: string;
}

export interface SessionConfig extends IdleHoldConfig {
  /** Our ASN (4-octet allowed). */
  localAs: number;
  /** The ASN the peer must announce. RFC 4271 §6.2 (Bad Peer AS). */
  peerAs: number;
  /** Our BGP identifier, dotted IPv4. */
  routerId: string;
  /** 'active' dials (through env.dial) and also accepts; 'passive' only accepts. */
  mode: 'active' | 'passive';
  /** Proposed hold time in seconds: 0 or ≥ 3 (RFC 4271 §4.2). Default 90. */
  holdTime?: number;
  /** Seconds between connection attempts in active mode (ConnectRetryTime, RFC 4271 §10). Default 5. */
  connectRetryTime?: number;
  /** Families to offer (MP-BGP). Default IPv4 and IPv6 unicast. */
  families?: Afi[];
  /** Offer the Extended Message capability (RFC 8654). Default true. */
  extendedMessage?: boolean;
  /** Offer 4-octet ASNs (RFC 6793). Default true; false only to test old-speaker behaviour. */
  fourOctetAs?: boolean;
  /**
   * Advertise Graceful Restart (RFC 4724 §3) and act as the Receiving Speaker for a
   * peer that advertises it (graceful-restart.ts). Peers such as FRR also send
   * End-of-RIB only to GR-capable peers. Default true.
   */
  endOfRibCapability?: boolean;
  /**
   * Restart Time we advertise, seconds (≤ 4095). Set: the capability lists the offered
   * families (F bit clear: no forwarding state kept), so a peer keeps our routes that
   * long while we restart. Unset: no families and time 0 — "Receiving Speaker only"
   * (RFC 4724 §3), so a speaker that sends routes (the injector) has them dropped at
   * once when it dies.
   */
  restartTime?: number;
  /** Seconds a restarted peer has to send End-of-RIB before its stale routes go. Default 360 (FRR's stalepath-time). */
  stalePathTime?: number;
  /**
   * An external peer's AS_PATH must start with its AS (RFC 4271 §6.3; FRR's
   * enforce-first-as). Default true; set false for route servers, which do not prepend.
   */
  enforceFirstAs?: boolean;
  /** Bound per event-loop turn while ingesting: whichever is hit first. Defaults 5 ms and 2000 messages. */
  maxBatchMs?: number;
  maxBatchMessages?: number;
  /** Unread bytes above which the transport is paused. Default 4 MiB. */
  highWaterBytes?: number;
}

/** What both sides agreed on, available from 'established' on. */
export interface Negotiated {
  peerOpen: OpenMessage;
  peer: OpenSummary;
  /** Negotiated hold time and the keepalive interval derived from it (seconds). */
  holdTime: number;
  keepaliveTime: number;
  fourOctetAs: boolean;
  extendedMessage: boolean;
  maxMessageLength: number;
  /** Families both sides offered (IPv4 alone when the peer offered none, RFC 4760 §8). */
  families: Afi[];
  /** The peer's Graceful Restart capability, when it sent one. */
  peerRestart?: PeerRestartCapability;
  routeRefresh: boolean;
  enhancedRouteRefresh: boolean;
  ebgp: boolean;
  /** The connection that survived, for logs. */
  inbound: boolean;
  transport: string;
  localAddress?: string;
}

export interface DownInfo {
  reason: string;
  /** The NOTIFICATION that ended it, sent or received. */
  notification?: NotificationMessage;
  direction?: 'sent' | 'received';
  /** The state the session was in. */
  from: SessionState;
  /**
   * Graceful Restart (RFC 4724 §4.2): the session was lost without a NOTIFICATION
   * and the peer can restart for these families: keep their routes, marked stale,
   * until 'staleEnd'. Absent: remove every route of the peer.
   */
  gracefulRestart?: { families: Afi[] };
}

export interface SessionEvents {
  state: [to: SessionState, from: SessionState];
  established: [info: Negotiated];
  /** A decoded UPDATE: iterate with update.forEachAnnounced / forEachWithdrawn; attributes in update.attrs. */
  update: [update: DecodedUpdate];
  /** RFC 7606 errors that were handled without a reset (also on update.issues). */
  updateIssues: [issues: UpdateIssue[], update: DecodedUpdate];
  endOfRib: [afi: Afi];
  /** A family's routes kept across the peer's restart must go now (End-of-RIB, timer, not preserved). */
  staleEnd: [afi: Afi, reason: StaleEndReason];
  routeRefresh: [message: RouteRefreshMessage];
  notificationSent: [n: NotificationMessage];
  notificationReceived: [n: NotificationMessage];
  down: [info: DownInfo];
  /** The transport of the established connection can take more bytes again. */
  drain: [];
}

/** The per-connection handle an adapter drives. */
export interface Connection {
  /** Feeds received bytes. Returns false when the adapter should stop reading (it will be resumed). */
  onBytes(chunk: Uint8Array): boolean;
  /** The TCP connection closed or failed. */
  onClosed(error?: Error): void;
  /** The transport's send buffer drained. */
  onDrain(): void;
}

export interface SessionEnv {
  clock?: Clock;
  /** Active mode: open a TCP connection and call session.attach(transport, false) on success or session.connectFailed() on failure. */
  dial?: () => void;
}

interface Conn {
  transport: Transport;
  inbound: boolean;
  state: SessionState.OpenSent | SessionState.OpenConfirm | SessionState.Established;
  framer: Framer;
  peerOpen?: OpenMessage;
  negotiated?: Negotiated;
  ctx: UpdateContext;
  holdTimer?: unknown;
  /** When the hold timer expires (clock ms): moved forward per message; the timer itself is re-armed only when it fires early. */
  holdDeadline: number;
  /** When the armed hold timer fires (clock ms). */
  holdFiresAt: number;
  /** The hold period last armed (for the NOTIFICATION text). */
  holdPeriod: number;
  keepaliveTimer?: unknown;
  holdMs: number;
  closed: boolean;
  processing: boolean;
  paused: boolean;
  /** The TCP side closed while messages were still buffered: close once they are handled. */
  closeWhenDrained?: DownInfo;
}

/** RFC 4271 §8: the "large value" HoldTimer used while waiting for OPEN (4 minutes suggested). */
const OPEN_HOLD_MS = 240_000;

const DEFAULT_HOLD = 90;

export class Session extends EventEmitter<SessionEvents> {
  private readonly clock: Clock;
  private readonly dial?: () => void;
  private conns: Conn[] = [];
  private phase: SessionState.Idle | SessionState.Connect | SessionState.Active = SessionState.Idle;
  private started = false;
  private retryTimer?: unknown;
  private restartTimer?: unknown;
  private lastReported: SessionState = SessionState.Idle;
  private readonly localId: number;
  private readonly idleHold: IdleHold;
  private readonly gr: GracefulRestartHelper;

  constructor(readonly config: SessionConfig, env: SessionEnv = {}) {
    super();
    const hold = config.holdTime ?? DEFAULT_HOLD;
    if (config.restartTime !== undefined && !(Number.isInteger(config.restartTime) && config.restartTime >= 0 && config.restartTime <= 4095)) {
      throw new Error(`session config: restartTime ${config.restartTime} must be an integer 0..4095 seconds (RFC 4724 §3)`);
    }
    if (hold !== 0 && hold < 3) throw new Error(`session config: holdTime ${hold} must be 0 or at least 3 seconds (RFC 4271 §4.2)`);
    if (config.mode === 'active' && !env.dial) throw new Error('session config: active mode needs env.dial');
    this.localId = routerIdToNumber(config.routerId);
    this.clock = env.clock ?? realClock;
    this.dial = env.dial;
    this.idleHold = new IdleHold(config);
    this.gr = new GracefulRestartHelper(this.clock, (afi, reason) => this.emit('staleEnd', afi, reason), config.stalePathTime);
  }

  /** Families whose routes are kept stale across the peer's restart, and since when (clock ms). */
  gracefulRestartStatus(): { stale: Afi[]; sinceMs?: number } {
    return this.gr.stale.size ? { stale: [...this.gr.stale], sinceMs: this.clock.now() - this.gr.since } : { stale: [] };
  }

  /** The idle hold after the last down (grows while errors repeat; idle-hold.ts), with what is left of it. */
  idleHoldStatus(): Readonly<IdleHoldState> & { remainingSeconds: number } {
    const st = this.idleHold.state;
    return { ...st, remainingSeconds: Math.max(0, Math.round((st.until - this.clock.now()) / 100) / 10) };
  }

  /** Current FSM state: that of the most advanced connection, else Idle/Connect/Active. */
  get state(): SessionState {
    let best: SessionState = this.phase;
    const rank = { Idle: 0, Connect: 1, Active: 1, OpenSent: 2, OpenConfirm: 3, Established: 4 } as const;
    for (const c of this.conns) if (rank[c.state] > rank[best]) best = c.state;
    return best;
  }

  /** The established connection's negotiated parameters, if any. */
  get negotiated(): Negotiated | undefined {
    return this.established()?.negotiated;
  }

  /** ManualStart (RFC 4271 §8.1.2 events 1 and 4): dial in active mode, wait in passive mode. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.enterWaiting();
  }

  /** ManualStop: Cease/Administrative Shutdown on every connection, then Idle without restart. */
  stop(reason = 'administrative shutdown'): void {
    this.started = false;
    this.clearTimer('retryTimer');
    this.clearTimer('restartTimer');
    this.gr.abandon();
    for (const c of [...this.conns]) {
      this.fail(c, new BgpError(ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown, reason));
    }
    this.phase = SessionState.Idle;
    this.report();
  }

  /**
   * A TCP connection to this peer is up (inbound: the peer dialled us).
   * Refused with Cease/Connection Rejected when the session is not started.
   */
  attach(transport: Transport, inbound: boolean): Connection {
    const conn: Conn = {
      transport, inbound, state: SessionState.OpenSent, framer: new Framer(),
      ctx: { fourOctetAs: false }, holdMs: OPEN_HOLD_MS, holdDeadline: 0, holdFiresAt: 0, holdPeriod: 0, closed: false, processing: false, paused: false,
    };
    const handle: Connection = {
      onBytes: (chunk) => this.onBytes(conn, chunk),
      onClosed: (error) => this.onTransportClosed(conn, error),
      onDrain: () => {
        if (conn.state === SessionState.Established && !conn.closed) this.emit('drain');
      },
    };
    // After an error the peer is kept out until its idle hold ends (idle-hold.ts), in either mode.
    const holding = this.started && this.idleHold.holding(this.clock.now());
    if (holding) this.idleHold.state.refused++;
    if (!this.started || (this.config.mode === 'passive' && !inbound) || holding) {
      this.sendNotification(conn, { code: ErrorCode.Cease, subcode: CeaseSubcode.ConnectionRejected, data: new Uint8Array(0) });
      conn.closed = true;
      transport.close();
      return handle;
    }
    let sameDirection = this.conns.find((c) => c.inbound === inbound);
    if (sameDirection?.state === SessionState.Established && sameDirection.negotiated?.peer.gracefulRestart) {
      // RFC 4724 §4.2: a GR-capable peer connecting again while we are Established has
      // restarted: the old session ends as if its TCP connection had failed (routes kept stale).
      this.close(sameDirection, { reason: 'the peer connected again while Established: it restarted (RFC 4724 §4.2)', from: SessionState.Established });
      sameDirection = undefined;
    }
    if (sameDirection?.state === SessionState.Established) {
      // RFC 4271 §6.8: a connection colliding with an established one is the one closed.
      this.sendNotification(conn, { code: ErrorCode.Cease, subcode: CeaseSubcode.ConnectionCollisionResolution, data: new Uint8Array(0) });
      conn.closed = true;
      transport.close();
      return handle;
    }
    this.conns.push(conn);
    if (sameDirection) {
      // The peer dialled again while its previous attempt is still opening (it restarted, or that
      // connection went silent): the new one wins, or we would wait out the 4-minute OpenSent hold.
      this.fail(sameDirection, new BgpError(ErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution, 'replaced by a newer connection from the same side'));
    }
    this.clearTimer('retryTimer');
    transport.send(encodeOpen(this.buildOpen()));
    this.armHold(conn, OPEN_HOLD_MS);
    this.report();
    return handle;
  }

  /** Active mode: the dial attempt failed (RFC 4271 §8.2.2, Connect state, TcpConnectionFails). */
  connectFailed(): void {
    if (!this.started || this.phase !== SessionState.Connect) return;
    this.phase = SessionState.Active;
    this.report();
  }

  /** Sends an UPDATE built from a spec on the established connection. */
  sendUpdate(spec: UpdateSpec): boolean {
    const c = this.requireEstablished();
    return this.sendUpdateBytes(encodeUpdate(spec, c.ctx));
  }

  /** Sends an already encoded UPDATE (the injector packs its own); resets the keepalive timer (RFC 4271 §10). */
  sendUpdateBytes(bytes: Uint8Array): boolean {
    const c = this.requireEstablished();
    const max = c.negotiated!.maxMessageLength;
    if (bytes.length > max) throw new Error(`UPDATE of ${bytes.length} bytes exceeds the negotiated maximum ${max}`);
    this.armKeepalive(c);
    return c.transport.send(bytes);
  }

  /**
   * Sends a batch of whole, already encoded UPDATE messages in one write (the
   * injector's fast path; each message must respect the negotiated maximum).
   */
  sendUpdateBatch(batch: Uint8Array): boolean {
    const c = this.requireEstablished();
    this.armKeepalive(c);
    return c.transport.send(batch);
  }

  sendEndOfRib(afi: Afi): boolean {
    return this.sendUpdateBytes(encodeEndOfRib(afi));
  }

  /** Asks the peer to re-send a family (RFC 2918); only when it advertised the capability. */
  requestRouteRefresh(afi: Afi): void {
    if (!this.requireEstablished().negotiated!.routeRefresh) throw new Error('peer did not advertise the route refresh capability');
    this.sendRouteRefresh(afi, RouteRefreshSubtype.Request);
  }

  /** Sends a ROUTE-REFRESH message; BoRR/EoRR need enhanced route refresh from the peer (RFC 7313 §4). */
  sendRouteRefresh(afi: Afi, subtype: RouteRefreshSubtype): void {
    const c = this.requireEstablished();
    if (subtype !== RouteRefreshSubtype.Request && !c.negotiated!.enhancedRouteRefresh) {
      throw new Error('peer did not advertise the enhanced route refresh capability');
    }
    c.transport.send(encodeRouteRefresh({ afi, safi: Safi.Unicast, subtype }));
  }

  /** Ends the session with a NOTIFICATION of the caller's choice (e.g. Cease/Maximum Prefixes). */
  reset(code: number, subcode: number, reason: string, data?: Uint8Array): void {
    for (const c of [...this.conns]) this.fail(c, new BgpError(code, subcode, reason, data));
  }

  // ---- internals ----

  private established(): Conn | undefined {
    return this.conns.find((c) => c.state === SessionState.Established && !c.closed);
  }

  private requireEstablished(): Conn {
    const c = this.established();
    if (!c) throw new Error(`session is ${this.state}, not Established`);
    return c;
  }

  private buildOpen(): OpenMessage {
    const families = this.config.families ?? [Afi.IPv4, Afi.IPv6];
    const capabilities: Capability[] = families.map((afi) => ({ code: CapabilityCode.Multiprotocol, afi, safi: Safi.Unicast }));
    capabilities.push({ code: CapabilityCode.RouteRefresh }, { code: CapabilityCode.EnhancedRouteRefresh });
    if (this.config.fourOctetAs !== false) capabilities.push({ code: CapabilityCode.FourOctetAs, asn: this.config.localAs });
    if (this.config.extendedMessage !== false) capabilities.push({ code: CapabilityCode.ExtendedMessage });
    if (this.config.endOfRibCapability !== false) {
      const restartTime = this.config.restartTime;
      const grFamilies = restartTime === undefined ? [] : families.map((afi) => ({ afi, safi: Safi.Unicast, flags: 0 }));
      capabilities.push({ code: CapabilityCode.GracefulRestart, restartFlags: 0, restartTime: restartTime ?? 0, families: grFamilies });
    }
    return {
      version: 4,
      myAs: myAsField(this.config.localAs),
      holdTime: this.config.holdTime ?? DEFAULT_HOLD,
      bgpId: this.config.routerId,
      capabilities,
    };
  }

  private enterWaiting(): void {
    if (!this.started || this.conns.length) return;
    if (this.config.mode === 'active') {
      this.phase = SessionState.Connect;
      this.report();
      this.armRetry();
      this.dial!();
    } else {
      this.phase = SessionState.Active;
      this.report();
    }
  }

  private armRetry(): void {
    this.clearTimer('retryTimer');
    this.retryTimer = this.clock.setTimer((this.config.connectRetryTime ?? 5) * 1000, () => {
      this.retryTimer = undefined;
      if (!this.started || this.conns.length) return;
      // ConnectRetryTimer_Expires: try again (RFC 4271 §8.2.2, Connect/Active states).
      this.phase = SessionState.Connect;
      this.report();
      this.armRetry();
      this.dial!();
    });
  }

  private clearTimer(name: 'retryTimer' | 'restartTimer'): void {
    if (this[name] !== undefined) this.clock.clearTimer(this[name]);
    this[name] = undefined;
  }

  /**
   * (Re)starts the hold timer: it expires `ms` after now. Called for every
   * message, so it only moves the deadline; a timer that fires before the
   * deadline re-arms itself for the rest (one timer per hold period, not one
   * per message).
   */
  private armHold(c: Conn, ms: number): void {
    if (ms <= 0 || c.closed) {
      if (c.holdTimer !== undefined) this.clock.clearTimer(c.holdTimer);
      c.holdTimer = undefined;
      return;
    }
    const now = this.clock.now();
    c.holdDeadline = now + ms;
    c.holdPeriod = ms;
    if (c.holdTimer !== undefined && c.holdFiresAt <= c.holdDeadline) return;
    if (c.holdTimer !== undefined) this.clock.clearTimer(c.holdTimer);
    this.startHoldTimer(c, ms);
  }

  private startHoldTimer(c: Conn, ms: number): void {
    c.holdFiresAt = this.clock.now() + ms;
    c.holdTimer = this.clock.setTimer(ms, () => {
      c.holdTimer = undefined;
      // Timers run before I/O in the event loop: after a stall of our own (SIGSTOP, a starved
      // or swapped-out process) the peer's keepalives can be waiting unread in the socket while
      // this fires. The hold timer is about the peer's silence, not ours: let pending input have
      // its turn first, and give up on the peer only if it still said nothing.
      this.clock.defer(() => this.holdVerdict(c));
    });
  }

  /** The hold timer fired: re-armed for the rest when messages moved the deadline, else the peer is silent. */
  private holdVerdict(c: Conn): void {
    // Closed, or a message re-armed the timer meanwhile.
    if (c.closed || c.holdTimer !== undefined) return;
    // Messages received but still being worked through in batches: the peer did talk.
    if (c.processing) {
      this.clock.defer(() => this.holdVerdict(c));
      return;
    }
    const left = c.holdDeadline - this.clock.now();
    if (left > 0) {
      this.startHoldTimer(c, left);
      return;
    }
    this.fail(c, new BgpError(ErrorCode.HoldTimerExpired, 0, `no message for ${c.holdPeriod / 1000} s`));
  }

  private armKeepalive(c: Conn): void {
    if (c.keepaliveTimer !== undefined) this.clock.clearTimer(c.keepaliveTimer);
    c.keepaliveTimer = undefined;
    const seconds = c.negotiated?.keepaliveTime ?? 0;
    if (seconds <= 0 || c.closed) return;
    c.keepaliveTimer = this.clock.setTimer(seconds * 1000, () => {
      c.keepaliveTimer = undefined;
      if (c.closed) return;
      c.transport.send(encodeKeepalive());
      this.armKeepalive(c);
    });
  }

  private onBytes(c: Conn, chunk: Uint8Array): boolean {
    if (c.closed) return false;
    c.framer.push(chunk);
    if (!c.processing) this.process(c);
    if (!c.closed && c.framer.pending > (this.config.highWaterBytes ?? 4 << 20)) {
      c.paused = true;
      c.transport.pause?.();
      return false;
    }
    return true;
  }

  /**
   * Handles buffered messages in bounded batches so that timers (our keepalives)
   * run during a long table transfer; the rest continues on the next turn.
   */
  private process(c: Conn): void {
    c.processing = true;
    const maxMs = this.config.maxBatchMs ?? 5;
    const maxMessages = this.config.maxBatchMessages ?? 2000;
    const startedAt = this.clock.now();
    let handled = 0;
    try {
      for (;;) {
        if (c.closed) return;
        // The clock is read after every message: one full-size UPDATE of a packed table is ~1-2 ms of RIB work.
        if (handled >= maxMessages || (handled > 0 && this.clock.now() - startedAt >= maxMs)) {
          this.clock.defer(() => this.process(c));
          return;
        }
        const msg = c.framer.next();
        if (!msg) {
          if (c.closeWhenDrained) this.close(c, c.closeWhenDrained);
          break;
        }
        handled++;
        this.handleMessage(c, msg);
      }
      c.processing = false;
      if (c.paused && !c.closed) {
        c.paused = false;
        c.transport.resume?.();
      }
    } catch (err) {
      c.processing = false;
      if (err instanceof BgpError) this.fail(c, err);
      else throw err;
    }
  }

  private handleMessage(c: Conn, msg: Uint8Array): void {
    const type = msg[18] as MessageType;
    if (type === MessageType.Notification) {
      const n = decodeNotification(msg);
      this.emit('notificationReceived', n);
      this.close(c, { reason: `peer sent ${describeNotification(n)}`, notification: n, direction: 'received', from: c.state });
      return;
    }
    switch (c.state) {
      case SessionState.OpenSent:
        if (type !== MessageType.Open) throw new BgpError(ErrorCode.FsmError, FsmSubcode.UnexpectedInOpenSent, `${type} in OpenSent`);
        this.onOpen(c, decodeOpen(msg));
        return;
      case SessionState.OpenConfirm:
        if (type !== MessageType.Keepalive) throw new BgpError(ErrorCode.FsmError, FsmSubcode.UnexpectedInOpenConfirm, `message type ${type} in OpenConfirm`);
        this.armHold(c, c.holdMs);
        this.becomeEstablished(c);
        return;
      case SessionState.Established:
        this.armHold(c, c.holdMs);
        if (type === MessageType.Update) this.onUpdate(c, msg);
        else if (type === MessageType.RouteRefresh) this.onRouteRefresh(decodeRouteRefresh(msg));
        else if (type === MessageType.Open) throw new BgpError(ErrorCode.FsmError, FsmSubcode.UnexpectedInEstablished, 'OPEN in Established');
        return;
    }
  }

  private onRouteRefresh(m: RouteRefreshMessage): void {
    // RFC 7313 §5: a subtype other than request, BoRR and EoRR is ignored.
    if (m.subtype > RouteRefreshSubtype.EndOfRouteRefresh) return;
    this.emit('routeRefresh', m);
  }

  private onUpdate(c: Conn, msg: Uint8Array): void {
    const update = decodeUpdate(msg, c.ctx);
    if (update.issues.length) this.emit('updateIssues', update.issues, update);
    const eor = update.endOfRib();
    if (eor !== undefined) {
      this.emit('endOfRib', eor);
      this.gr.endOfRib(eor);
    } else this.emit('update', update);
  }

  private validateOpen(open: OpenMessage, peer: OpenSummary): void {
    if (open.version !== 4) {
      // Data: the largest version we support, 2 octets. RFC 4271 §6.2.
      throw new BgpError(ErrorCode.OpenMessage, OpenSubcode.UnsupportedVersion, `version ${open.version}`, Uint8Array.of(0, 4));
    }
    if (peer.asn !== this.config.peerAs || (peer.fourOctetAs && open.myAs !== myAsField(peer.asn))) {
      throw new BgpError(ErrorCode.OpenMessage, OpenSubcode.BadPeerAs, `peer says AS ${peer.asn} (My AS field ${open.myAs}), configured AS ${this.config.peerAs}`);
    }
    if (open.holdTime === 1 || open.holdTime === 2) {
      throw new BgpError(ErrorCode.OpenMessage, OpenSubcode.UnacceptableHoldTime, `hold time ${open.holdTime}`);
    }
    const id = routerIdToNumber(open.bgpId);
    // RFC 6286 §2.2: zero is invalid; like FRR, also refuse our own identifier.
    if (id === 0 || id === this.localId) {
      throw new BgpError(ErrorCode.OpenMessage, OpenSubcode.BadBgpIdentifier, `BGP identifier ${open.bgpId}`);
    }
    if (open.otherParameters?.length) {
      throw new BgpError(ErrorCode.OpenMessage, OpenSubcode.UnsupportedOptionalParameter, `optional parameter type ${open.otherParameters[0].type}`);
    }
  }

  private onOpen(c: Conn, open: OpenMessage): void {
    const peer = summarizeOpen(open);
    this.validateOpen(open, peer);
    const ours = this.config.holdTime ?? DEFAULT_HOLD;
    const holdTime = Math.min(ours, open.holdTime);
    const offered = this.config.families ?? [Afi.IPv4, Afi.IPv6];
    const peerFamilies = peer.families.length ? peer.families : [{ afi: Afi.IPv4, safi: Safi.Unicast }];
    const families = offered.filter((afi) => peerFamilies.some((f) => f.afi === afi && f.safi === Safi.Unicast));
    const fourOctetAs = this.config.fourOctetAs !== false && peer.fourOctetAs;
    const extendedMessage = this.config.extendedMessage !== false && peer.extendedMessage;
    const ebgp = peer.asn !== this.config.localAs;
    c.peerOpen = open;
    c.ctx = { fourOctetAs, ebgp, families, localAddress: c.transport.localAddress };
    if (ebgp && this.config.enforceFirstAs !== false) c.ctx.enforceFirstAs = peer.asn;
    c.negotiated = {
      peerOpen: open, peer, holdTime, keepaliveTime: Math.floor(holdTime / 3), fourOctetAs, extendedMessage,
      maxMessageLength: extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH,
      families, peerRestart: peer.restart, routeRefresh: peer.routeRefresh, enhancedRouteRefresh: peer.enhancedRouteRefresh, ebgp,
      inbound: c.inbound, transport: c.transport.description ?? (c.inbound ? 'inbound' : 'outbound'),
      localAddress: c.transport.localAddress,
    };
    c.framer.maxLength = c.negotiated.maxMessageLength;
    c.holdMs = holdTime * 1000;
    c.state = SessionState.OpenConfirm;
    c.transport.send(encodeKeepalive());
    this.armHold(c, c.holdMs);
    this.armKeepalive(c);
    this.report();
    this.resolveCollision(c, routerIdToNumber(open.bgpId));
  }

  /** RFC 4271 §6.8: keep the connection initiated by the speaker with the higher BGP identifier. */
  private resolveCollision(c: Conn, remoteId: number): void {
    const other = this.conns.find((o) => o !== c && !o.closed && o.state !== SessionState.OpenSent);
    if (!other) return;
    const collision = new BgpError(ErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution, 'connection collision');
    if (other.state === SessionState.Established) {
      this.fail(c, collision);
      return;
    }
    const closeOutbound = this.localId < remoteId;
    this.fail(c.inbound === !closeOutbound ? c : other, collision);
  }

  private becomeEstablished(c: Conn): void {
    c.state = SessionState.Established;
    // Any other connection still opening loses: one session per peer.
    for (const o of this.conns) {
      if (o !== c && !o.closed) this.fail(o, new BgpError(ErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution, 'connection collision'));
    }
    this.report();
    this.emit('established', c.negotiated!);
    this.gr.established(c.negotiated!.peerRestart);
  }

  private sendNotification(c: Conn, n: NotificationMessage): void {
    c.transport.send(encodeNotification(n));
    this.emit('notificationSent', n);
  }

  /** Sends the error's NOTIFICATION on this connection and closes it. */
  private fail(c: Conn, err: BgpError): void {
    if (c.closed) return;
    const n = { code: err.code, subcode: err.subcode, data: err.data };
    this.sendNotification(c, n);
    this.close(c, { reason: err.message, notification: n, direction: 'sent', from: c.state });
  }

  private onTransportClosed(c: Conn, error?: Error): void {
    if (c.closed || c.closeWhenDrained) return;
    const info: DownInfo = { reason: error ? `connection failed: ${error.message}` : 'connection closed by peer', from: c.state };
    if (c.framer.pending === 0) {
      this.close(c, info);
      return;
    }
    // Messages that arrived before the close (the last UPDATEs, a NOTIFICATION) are still handled.
    c.closeWhenDrained = info;
    if (!c.processing) this.process(c);
  }

  private close(c: Conn, info: DownInfo): void {
    if (c.closed) return;
    c.closed = true;
    if (c.holdTimer !== undefined) this.clock.clearTimer(c.holdTimer);
    if (c.keepaliveTimer !== undefined) this.clock.clearTimer(c.keepaliveTimer);
    c.transport.close();
    this.conns = this.conns.filter((o) => o !== c);
    const collisionLoser = info.notification?.code === ErrorCode.Cease
      && info.notification.subcode === CeaseSubcode.ConnectionCollisionResolution && info.direction === 'sent' && this.conns.length > 0;
    if (collisionLoser) {
      this.report();
      return;
    }
    if (this.conns.length === 0) {
      this.phase = SessionState.Idle;
      this.report();
      this.gracefulRestartOnDown(c, info);
      this.emit('down', info);
      this.scheduleRestart(endedInError(info.notification));
    } else {
      this.report();
    }
  }

  /**
   * RFC 4724 §4.2: an established session lost without a NOTIFICATION, from a peer that
   * can restart, keeps its routes (info.gracefulRestart); so does a failed attempt while
   * a restart is under way. Anything else ends the restart.
   */
  private gracefulRestartOnDown(c: Conn, info: DownInfo): void {
    let kept: Afi[] = [];
    if (!info.notification && this.started) {
      if (info.from === SessionState.Established && c.negotiated) kept = this.gr.sessionLost(c.negotiated.peerRestart, c.negotiated.families);
      else kept = [...this.gr.stale];
    }
    if (kept.length > 0) info.gracefulRestart = { families: kept };
    else this.gr.abandon();
  }

  private scheduleRestart(error: boolean): void {
    const ms = this.idleHold.onDown(error, this.clock.now());
    if (!this.started) return;
    this.clearTimer('restartTimer');
    this.restartTimer = this.clock.setTimer(ms, () => {
      this.restartTimer = undefined;
      this.enterWaiting();
    });
  }

  private report(): void {
    const now = this.state;
    if (now === this.lastReported) return;
    const from = this.lastReported;
    this.lastReported = now;
    this.emit('state', now, from);
  }
}

/**
 * The TCP adapter: sockets in, Session connections out. Passive listener that
 * accepts only configured peers (others get Cease/Connection Rejected), active
 * dialling with retry (driven by the session's ConnectRetryTimer), TCP_NODELAY,
 * IPv4 and IPv6, optional local address.
 */
import net from 'node:net';
import { Session, type SessionConfig, type Transport } from './session.js';
import { type Clock } from './clock.js';
import { encodeNotification } from './notification.js';
import { CeaseSubcode, ErrorCode } from './notification-codes.js';

export const BGP_PORT = 179;

export interface PeerConfig extends SessionConfig {
  /** The peer's address: the only remote address accepted for it, and where active mode dials. */
  address: string;
  /** Port to dial in active mode. Default 179. */
  port?: number;
  /** Source address for outbound connections. */
  localAddress?: string;
}

export interface SpeakerOptions {
  clock?: Clock;
  /** Called for each connection refused because its address is not a configured peer. */
  onRejected?: (remote: string) => void;
}

/** "::ffff:198.18.0.1" → "198.18.0.1", so a peer configured by IPv4 address matches on a dual-stack socket. */
export function normalizeAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

function socketTransport(sock: net.Socket): Transport {
  return {
    description: `${normalizeAddress(sock.remoteAddress ?? '?')}:${sock.remotePort ?? '?'}`,
    localAddress: sock.localAddress === undefined ? undefined : normalizeAddress(sock.localAddress),
    send: (bytes) => !sock.destroyed && sock.write(bytes),
    close: () => {
      if (sock.destroyed) return;
      sock.end();
      // A peer that never closes its side must not keep the socket forever.
      setTimeout(() => sock.destroy(), 2000).unref();
    },
    pause: () => sock.pause(),
    resume: () => sock.resume(),
  };
}

/** Wires a connected socket to a session; returns nothing, the session owns the socket from now on. */
export function attachSocket(session: Session, sock: net.Socket, inbound: boolean): void {
  sock.setNoDelay(true);
  const conn = session.attach(socketTransport(sock), inbound);
  sock.on('data', (chunk) => {
    conn.onBytes(chunk);
  });
  sock.on('drain', () => conn.onDrain());
  sock.on('error', (err) => conn.onClosed(err));
  sock.on('close', () => conn.onClosed());
}

/** A set of peers sharing one optional listener. */
export class BgpSpeaker {
  private readonly peers = new Map<string, Session>();
  private server?: net.Server;

  constructor(private readonly options: SpeakerOptions = {}) {}

  /** Adds a peer and starts its session (active peers dial at once). */
  addPeer(config: PeerConfig): Session {
    const key = normalizeAddress(config.address);
    if (this.peers.has(key)) throw new Error(`peer ${config.address} is configured twice`);
    if (net.isIP(key) === 0) throw new Error(`peer address "${config.address}" is not an IP address`);
    const session: Session = new Session(config, {
      clock: this.options.clock,
      dial: () => this.dial(session, config),
    });
    this.peers.set(key, session);
    session.start();
    return session;
  }

  get sessions(): ReadonlyMap<string, Session> {
    return this.peers;
  }

  /** Listens for peers (passive side). Port 0 picks a free port; the bound address is returned. */
  listen(port = BGP_PORT, host = '::'): Promise<net.AddressInfo> {
    const server = net.createServer({ noDelay: true }, (sock) => this.accept(sock));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, ipv6Only: false }, () => {
        server.off('error', reject);
        resolve(server.address() as net.AddressInfo);
      });
    });
  }

  private accept(sock: net.Socket): void {
    const remote = normalizeAddress(sock.remoteAddress ?? '');
    const session = this.peers.get(remote);
    if (!session) {
      // RFC 4486 §4: Cease / Connection Rejected for a connection from an unconfigured address.
      this.options.onRejected?.(remote);
      sock.on('error', () => undefined);
      sock.end(encodeNotification({ code: ErrorCode.Cease, subcode: CeaseSubcode.ConnectionRejected, data: new Uint8Array(0) }));
      setTimeout(() => sock.destroy(), 2000).unref();
      return;
    }
    attachSocket(session, sock, true);
  }

  private dial(session: Session, config: PeerConfig): void {
    const sock = net.connect({
      host: config.address,
      port: config.port ?? BGP_PORT,
      localAddress: config.localAddress,
      noDelay: true,
      timeout: (config.connectRetryTime ?? 5) * 1000,
    });
    const failed = (): void => {
      sock.destroy();
      session.connectFailed();
    };
    sock.once('timeout', failed);
    sock.once('error', failed);
    sock.once('connect', () => {
      sock.off('timeout', failed);
      sock.off('error', failed);
      sock.setTimeout(0);
      attachSocket(session, sock, false);
    });
  }

  /** Stops every session (Cease/Administrative Shutdown) and the listener. */
  async close(): Promise<void> {
    for (const s of this.peers.values()) s.stop();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * The route injector: an active BGP speaker that sends a table, End-of-RIB per
 * family, then stays up (keepalives) until stopped. What the peer sends back
 * (bgpd echoes the whole table to a sole peer) is read and discarded.
 * After a session reset it reconnects and sends the table again.
 */
import { Afi, Safi } from '../bgp/types.js';
import { RouteRefreshSubtype } from '../bgp/route-refresh.js';
import { BgpSpeaker } from '../bgp/tcp.js';
import type { Negotiated, Session } from '../bgp/session.js';
import { UpdatePacker } from './pack.js';
import type { Table } from './table.js';

export interface InjectorConfig {
  peer: string;
  port?: number;
  localAs: number;
  peerAs: number;
  routerId: string;
  localAddress?: string;
  holdTime?: number;
  connectRetryTime?: number;
  /** Defaults: our IPv4 session address; for IPv6 our IPv6 session address, or ::ffff:<IPv4> on an IPv4 session. */
  nextHop4?: string;
  nextHop6?: string;
  table: Table;
  /** Stop (Cease/Administrative Shutdown) once End-of-RIB is sent and flushed. */
  exitAfterEor?: boolean;
  /** One JSON-able object per event (established, eor, down). */
  log: (event: Record<string, unknown>) => void;
}

export interface SendResult {
  prefixes: number;
  updates: number;
  /** From the first UPDATE handed to the socket to End-of-RIB handed to it. */
  seconds: number;
}

export function nextHopsFor(config: Pick<InjectorConfig, 'nextHop4' | 'nextHop6'>, localAddress: string | undefined, table: Table): { nextHop4: string; nextHop6: string } {
  const local = localAddress ?? '';
  const localIsV6 = local.includes(':');
  const nextHop4 = config.nextHop4 ?? (localIsV6 ? undefined : local);
  if (!nextHop4 && table.ipv4 > 0) {
    throw new Error('inject: the session runs over IPv6, so IPv4 routes need an explicit --next-hop4 address');
  }
  const nextHop6 = config.nextHop6 ?? (localIsV6 ? local : `::ffff:${local}`);
  return { nextHop4: nextHop4 ?? '198.18.0.1', nextHop6 };
}

export class Injector {
  private readonly speaker = new BgpSpeaker();
  private session?: Session;
  private generation = 0;
  private finished?: (r: SendResult | undefined) => void;
  private lastResult?: SendResult;

  constructor(private readonly config: InjectorConfig) {}

  /** Runs until stop() (or, with exitAfterEor, until the table is sent); resolves with the last send's figures. */
  run(): Promise<SendResult | undefined> {
    const c = this.config;
    if (c.peer.includes(':') && c.nextHop4 === undefined && c.table.ipv4 > 0) {
      return Promise.reject(new Error('inject: the session runs over IPv6, so IPv4 routes need an explicit --next-hop4 address'));
    }
    const done = new Promise<SendResult | undefined>((resolve) => {
      this.finished = resolve;
    });
    const session = this.speaker.addPeer({
      address: c.peer, port: c.port, localAddress: c.localAddress, localAs: c.localAs, peerAs: c.peerAs,
      routerId: c.routerId, mode: 'active', holdTime: c.holdTime ?? 90, connectRetryTime: c.connectRetryTime ?? 2,
    });
    this.session = session;
    session.on('established', (n) => {
      const gen = ++this.generation;
      c.log({ event: 'established', peer: c.peer, holdTime: n.holdTime, families: n.families.map(afiName), fourOctetAs: n.fourOctetAs, extendedMessage: n.extendedMessage });
      this.sendTable(session, n, gen).then((r) => {
        if (!r) return;
        this.lastResult = r;
        c.log({ event: 'eor', ...r, prefixes_per_s: Math.round(r.prefixes / Math.max(r.seconds, 1e-6)) });
        if (c.exitAfterEor) this.stop();
      }, (err: Error) => {
        c.log({ event: 'error', message: err.message });
        this.stop();
      });
    });
    session.on('routeRefresh', (m) => {
      // RFC 2918: the peer asks for a family again; RFC 7313: frame the re-send with BoRR/EoRR.
      const n = session.negotiated;
      if (!n || m.subtype !== RouteRefreshSubtype.Request || m.safi !== Safi.Unicast || !n.families.includes(m.afi as Afi)) return;
      const gen = this.generation;
      c.log({ event: 'routeRefresh', afi: afiName(m.afi as Afi) });
      void this.sendTable(session, n, gen, m.afi as Afi).catch((err: Error) => c.log({ event: 'error', message: err.message }));
    });
    session.on('down', (d) => {
      this.generation++;
      c.log({ event: 'down', reason: d.reason });
    });
    return done;
  }

  stop(): void {
    this.generation++;
    void this.speaker.close().then(() => this.finished?.(this.lastResult));
  }

  /** Sends the table (or one family of it, for a route refresh), then End-of-RIB (or EoRR). */
  private async sendTable(session: Session, n: Negotiated, gen: number, refresh?: Afi): Promise<SendResult | undefined> {
    const table = this.config.table;
    const families = new Set(refresh === undefined ? n.families : [refresh]);
    const skipped = table.groups.filter((g) => !n.families.includes(g.afi)).reduce((k, g) => k + g.count, 0);
    if (skipped && refresh === undefined) this.config.log({ event: 'warning', message: `${skipped} prefixes skipped: the peer did not negotiate their address family` });
    const framed = refresh !== undefined && n.enhancedRouteRefresh;
    if (framed) session.sendRouteRefresh(refresh, RouteRefreshSubtype.BeginningOfRouteRefresh);
    const groups = table.groups.filter((g) => families.has(g.afi));
    const sendable: Table = { groups, ipv4: families.has(Afi.IPv4) ? table.ipv4 : 0, ipv6: families.has(Afi.IPv6) ? table.ipv6 : 0 };
    const packer = new UpdatePacker(sendable, {
      localAs: this.config.localAs, ebgp: n.ebgp, ctx: { fourOctetAs: n.fourOctetAs, ebgp: n.ebgp },
      maxMessageLength: n.maxMessageLength, ...nextHopsFor(this.config, n.localAddress, sendable),
    });
    const started = performance.now();
    for (let batch = packer.next(); batch; batch = packer.next()) {
      if (gen !== this.generation) return undefined;
      if (!session.sendUpdateBatch(batch)) {
        await drainedOrDown(session);
        if (gen !== this.generation) return undefined;
      }
    }
    if (refresh === undefined) for (const afi of n.families) session.sendEndOfRib(afi);
    else if (framed) session.sendRouteRefresh(refresh, RouteRefreshSubtype.EndOfRouteRefresh);
    return { prefixes: packer.sentPrefixes, updates: packer.messages, seconds: (performance.now() - started) / 1000 };
  }
}

/** Resolves when the socket can take more bytes or the session dropped. */
function drainedOrDown(session: Session): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      session.off('drain', done);
      session.off('down', done);
      resolve();
    };
    session.on('drain', done);
    session.on('down', done);
  });
}

function afiName(afi: Afi): string {
  return afi === Afi.IPv4 ? 'ipv4' : 'ipv6';
}

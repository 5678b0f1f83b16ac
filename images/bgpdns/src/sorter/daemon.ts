/**
 * The sorter daemon: listen-only BGP sessions with the configured upstreams
 * feeding the RIB, the authenticated UDP query service, a JSON status + Prometheus
 * endpoint, and fast failover on link loss. It never advertises a route: on
 * Established it only sends End-of-RIB for each negotiated family.
 */
import { writeFile, rename } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { GcPauses } from './gc-pauses.js';
import { Afi } from '../bgp/types.js';
import { BgpSpeaker, CeaseSubcode, ErrorCode, type RouteRefreshMessage, RouteRefreshSubtype, type Session } from '../bgp/index.js';
import { Rib } from '../rib/rib.js';
import type { SorterConfig, SorterPeerConfig } from './config.js';
import { LinkWatcher, interfaceTowards } from './link-watch.js';
import type { Logger } from './log.js';
import { QueryServer } from './server.js';
import { Sorter } from './sorter.js';
import { StatusServer } from './status-http.js';

export interface PeerRuntime {
  config: SorterPeerConfig;
  ribId: number;
  session: Session;
  state: string;
  routerId?: string;
  /** Monotonic ms (harness clock) of the last Established / down. */
  since: number;
  flaps: number;
  lastDown?: string;
  /** Monotonic ms when the session last went down and its routes were removed. */
  lastDownAt?: number;
  /** Ingest timing of the current session, monotonic ms. */
  firstUpdateAt?: number;
  endOfRibAt: { ipv4?: number; ipv6?: number };
  /** The families the current session negotiated (End-of-RIB for each ends its initial table). */
  families: Afi[];
  interface?: string;
}

/** The Restart Time the sorter advertises (FRR's default `bgp graceful-restart restart-time`). */
const SORTER_RESTART_TIME_S = 120;

const mono = (): number => Number(process.hrtime.bigint()) / 1e6;
/** How often the daemon considers compacting its RIB's path slots. */
const COMPACT_CHECK_MS = 1000;
/**
 * More UPDATEs than this since the last check means a table is arriving: compacting
 * then would be redone moments later. The steady churn of a full feed (tens of UPDATEs
 * a second) stays below it, so compaction still happens on a RIB that is never silent.
 */
const TABLE_LOAD_UPDATES = 200;
/**
 * Longest slice of background work (a flush, a compaction) and of BGP input handled in one
 * go: well inside the 10 ms a synchronous piece of work may take, and short enough that a
 * query arriving meanwhile waits about as long as an idle daemon takes to answer it
 * (queries are answered as they are read, server.ts). A slice boundary costs one loop turn
 * (tens of µs), about 1 % at this length.
 */
const SLICE_MS = 2;

/** Whether a peer's session has sent End-of-RIB for every family it negotiated. */
function tableComplete(p: PeerRuntime): boolean {
  return p.families.every((afi) => p.endOfRibAt[afi === Afi.IPv4 ? 'ipv4' : 'ipv6'] !== undefined);
}

function maxPrefixData(afi: Afi, limit: number): Uint8Array {
  // RFC 4486 §4: AFI (2), SAFI (1), upper bound (4).
  const data = Buffer.alloc(7);
  data.writeUInt16BE(afi, 0);
  data.writeUInt8(1, 2);
  data.writeUInt32BE(limit >>> 0, 3);
  return data;
}

export class SorterDaemon {
  readonly rib: Rib;
  readonly sorter: Sorter;
  readonly queries: QueryServer;
  readonly peers: PeerRuntime[] = [];
  private readonly speaker: BgpSpeaker;
  private readonly links: LinkWatcher;
  private status?: StatusServer;
  private statusTimer?: NodeJS.Timeout;
  private compactTimer?: NodeJS.Timeout;
  /** UPDATEs applied since the last compaction check. */
  private updatesSinceCheck = 0;
  readonly startedAt = mono();
  /**
   * Event-loop delay (1 ms resolution): the longest synchronous slice of work shows as
   * its max. Reported in the status (and reset on request) so a bench can hold each
   * phase — ingest, compaction, a peer's flush, re-learning — to the 10 ms budget.
   */
  readonly loopDelay = monitorEventLoopDelay({ resolution: 1 });
  /** GC pauses over the same window (reset with it), so a stall can be told from a collection. */
  readonly gcPauses = new GcPauses();
  rejectedConnections = 0;
  /** Bound addresses, known after start() (ports may have been 0 = any). */
  bound: { bgp?: { address: string; port: number }; query?: { address: string; port: number }; status?: { address: string; port: number } } = {};

  constructor(
    readonly config: SorterConfig,
    private readonly log: Logger,
  ) {
    this.rib = new Rib({ localAsn: config.localAsn, compareRouterId: config.compareRouterId });
    this.sorter = new Sorter(this.rib, config.upstreams);
    this.queries = new QueryServer({
      ranker: this.sorter,
      keys: config.query.keys,
      windowMs: config.query.windowMs,
      queueLimit: config.query.queueLimit,
    });
    this.speaker = new BgpSpeaker({
      onRejected: (remote) => {
        this.rejectedConnections++;
        this.log.log('warn', 'connection from an unconfigured address rejected (Cease/Connection Rejected)', { remote });
      },
    });
    this.links = new LinkWatcher((ifname, up) => this.onLink(ifname, up));
  }

  async start(): Promise<void> {
    this.loopDelay.enable();
    this.gcPauses.enable();
    const c = this.config;
    for (const pc of c.peers) this.addPeer(pc);
    const bgp = await this.speaker.listen(c.bgp.port, c.bgp.address);
    this.bound.bgp = { address: bgp.address, port: bgp.port };
    this.log.log('info', 'BGP listening (passive, listen-only)', { address: bgp.address, port: bgp.port, peers: c.peers.length });
    const q = await this.queries.listen(c.query.port, c.query.address);
    this.bound.query = { address: q.address, port: q.port };
    this.log.log('info', 'query service listening', { address: q.address, port: q.port, keys: [...c.query.keys.keys()] });
    if (c.status) {
      this.status = new StatusServer(this);
      const s = await this.status.listen(c.status.port, c.status.address);
      this.bound.status = { address: s.address, port: s.port };
      this.log.log('info', 'status endpoint listening', { address: s.address, port: s.port });
    }
    if (c.statusFile) {
      await this.writeStatus();
      this.statusTimer = setInterval(() => this.statusChanged(), 1000);
      this.statusTimer.unref();
    }
    this.compactTimer = setInterval(() => this.compactWhenQuiet(), COMPACT_CHECK_MS);
    this.compactTimer.unref();
    await this.startFailover();
  }

  private working = false;

  /**
   * Runs the RIB's background work (a compaction, flushes of peers gone down) one
   * slice of at most SLICE_MS per event-loop turn until it is idle: UPDATEs and
   * queries get their turn between slices.
   */
  private workInSlices(): void {
    if (this.working) return;
    this.working = true;
    const step = (): void => {
      if (this.rib.backgroundStep(performance.now() + SLICE_MS)) {
        this.working = false;
        this.statusChanged();
        return;
      }
      setImmediate(step);
    };
    step();
  }

  /** Re-lay the RIB's path slots (startCompaction) unless a table is arriving. */
  private compactWhenQuiet(): void {
    const updates = this.updatesSinceCheck;
    this.updatesSinceCheck = 0;
    if (updates > TABLE_LOAD_UPDATES) return;
    this.startCompaction();
  }

  /** Rib.startCompactionIfWorthwhile, then the work in slices; logs when it is done. */
  private startCompaction(): void {
    if (!this.rib.startCompactionIfWorthwhile()) return;
    const before = this.rib.compactions;
    const logWhenDone = (): void => {
      if (this.rib.compactions === before) return void setTimeout(logWhenDone, 100).unref();
      this.log.log('info', 'RIB compacted (path slots re-laid per prefix)', { ms: Math.round(this.rib.lastCompactionMs), longestSliceMs: Math.round(this.rib.lastCompactionSliceMs), paths: this.rib.v4.paths + this.rib.v6.paths });
    };
    this.workInSlices();
    logWhenDone();
  }

  private statusWriting = false;
  private statusDirty = false;

  /** Rewrites the status file soon (sessions changed, or the periodic refresh); one write at a time. */
  statusChanged(): void {
    if (!this.config.statusFile) return;
    if (this.statusWriting) {
      this.statusDirty = true;
      return;
    }
    this.statusWriting = true;
    void this.writeStatus()
      .catch(() => undefined)
      .finally(() => {
        this.statusWriting = false;
        if (this.statusDirty) {
          this.statusDirty = false;
          this.statusChanged();
        }
      });
  }

  private async writeStatus(): Promise<void> {
    const file = this.config.statusFile!;
    const tmp = `${file}.tmp`;
    await writeFile(tmp, JSON.stringify(StatusServer.snapshot(this)));
    await rename(tmp, file);
  }

  private async startFailover(): Promise<void> {
    const watched = this.peers.filter((p) => p.config.fastFailover);
    if (watched.length === 0) return;
    for (const p of watched) p.interface = p.config.interface;
    const ok = await this.links.start();
    this.log.log(ok ? 'info' : 'warn', ok ? 'watching links for fast failover' : 'cannot run `ip monitor link`: link loss is noticed by the hold timer only', {
      peers: watched.map((p) => p.config.name),
    });
  }

  /** The interface towards a peer, looked up when its session comes up (lab addresses may arrive after start). */
  private async learnInterface(p: PeerRuntime): Promise<void> {
    if (!p.config.fastFailover || p.config.interface) return;
    const found = await interfaceTowards(p.config.address);
    if (found !== p.interface) this.log.log('info', 'fast failover watches interface', { peer: p.config.name, interface: found ?? null });
    p.interface = found;
  }

  private onLink(ifname: string, up: boolean): void {
    if (up) return;
    for (const p of this.peers) {
      if (!p.config.fastFailover || p.interface !== ifname || p.state !== 'Established') continue;
      this.log.log('warn', 'link towards peer lost: dropping the session (fast failover)', { peer: p.config.name, interface: ifname });
      p.session.reset(ErrorCode.Cease, CeaseSubcode.AdministrativeReset, `interface ${ifname} lost its link`);
    }
  }

  private addPeer(pc: SorterPeerConfig): void {
    const ribId = this.rib.addPeer({ address: pc.address, asn: pc.asn, weight: pc.weight, localPref: pc.localPref, name: pc.name });
    const session = this.speaker.addPeer({
      address: pc.address,
      localAs: this.config.localAsn,
      peerAs: pc.asn,
      routerId: this.config.routerId,
      mode: 'passive',
      holdTime: pc.holdTime,
      // Graceful Restart for our families, FRR's default restart time (we send no routes: nothing else changes for the peer).
      restartTime: SORTER_RESTART_TIME_S,
      maxBatchMs: SLICE_MS,
    });
    // p.ribId changes when a session goes down (Rib.retirePeer): handlers read it from p.
    const p: PeerRuntime = { config: pc, ribId, session, state: session.state, since: mono(), flaps: 0, endOfRibAt: {}, families: [] };
    this.peers.push(p);
    const fields = { peer: pc.name, address: pc.address, asn: pc.asn };
    session.on('state', (to) => {
      p.state = to;
    });
    session.on('established', (info) => {
      p.state = 'Established';
      p.since = mono();
      p.routerId = info.peerOpen.bgpId;
      p.firstUpdateAt = undefined;
      p.endOfRibAt = {};
      p.families = info.families;
      this.rib.peerUp(p.ribId, info.peerOpen.bgpId);
      // Listen-only: nothing to advertise, so the initial update is complete at once (RFC 4724 §2).
      for (const afi of info.families) session.sendEndOfRib(afi);
      void this.learnInterface(p);
      this.statusChanged();
      this.log.log('info', 'session established', { ...fields, routerId: info.peerOpen.bgpId, holdTime: info.holdTime, families: info.families, transport: info.transport });
    });
    session.on('update', (update) => {
      p.firstUpdateAt ??= mono();
      this.updatesSinceCheck++;
      this.rib.applyUpdate(p.ribId, update);
      this.enforceMaxPrefix(p);
    });
    session.on('staleEnd', (afi, reason) => this.endStale(p, afi, reason));
    session.on('routeRefresh', (m) => this.onRouteRefresh(p, m));
    session.on('updateIssues', (issues) => {
      this.log.log('warn', 'UPDATE errors handled (RFC 7606)', { ...fields, issues: issues.map((i) => String((i as { reason?: string }).reason ?? JSON.stringify(i))) });
    });
    session.on('endOfRib', (afi) => {
      const at = mono();
      const family = afi === Afi.IPv4 ? 'ipv4' : 'ipv6';
      p.endOfRibAt[family] = at;
      this.statusChanged();
      this.log.log('info', 'End-of-RIB received', {
        ...fields,
        family,
        prefixes: afi === Afi.IPv4 ? this.rib.prefixCountV4[p.ribId] : this.rib.prefixCountV6[p.ribId],
        ingestMs: p.firstUpdateAt === undefined ? 0 : Math.round(at - p.firstUpdateAt),
      });
      // The last table arriving is complete: re-lay it now rather than at the next quiet check.
      if (this.peers.every((q) => q.state !== 'Established' || tableComplete(q))) this.startCompaction();
    });
    session.on('down', (info) => {
      const wasUp = info.from === 'Established';
      p.state = 'Idle';
      let removed: number;
      if (info.gracefulRestart) removed = this.keepStale(p, info.gracefulRestart.families);
      else removed = this.retire(p);
      if (wasUp) {
        p.flaps++;
        p.since = mono();
      }
      p.lastDown = info.reason;
      p.lastDownAt = mono();
      this.statusChanged();
      this.log.log(wasUp ? 'warn' : 'info', 'session down', { ...fields, reason: info.reason, from: info.from, removedPaths: removed, gracefulRestart: info.gracefulRestart, notification: info.notification && { code: info.notification.code, subcode: info.notification.subcode, direction: info.direction } });
    });
  }

  /**
   * The peer's session is gone for good: its paths leave in slices of at most SLICE_MS
   * (no stall on a full table) and its next session gets a new RIB id. Returns the paths.
   */
  private retire(p: PeerRuntime): number {
    const removed = this.rib.prefixCount[p.ribId];
    p.ribId = this.rib.retirePeer(p.ribId);
    this.workInSlices();
    return removed;
  }

  /**
   * Graceful Restart helper (RFC 4724 §4.2): the peer's routes of the families it restarts
   * for stay, marked stale, and keep being used for ranking; other families go now.
   * Returns the paths removed.
   */
  private keepStale(p: PeerRuntime, families: Afi[]): number {
    let removed = 0;
    for (const afi of [Afi.IPv4, Afi.IPv6]) {
      const n = this.rib.markStale(p.ribId, afi);
      if (!families.includes(afi)) removed += this.rib.sweepStale(p.ribId, afi);
      else this.log.log('info', 'graceful restart: routes kept as stale', { peer: p.config.name, family: afi === Afi.IPv4 ? 'ipv4' : 'ipv6', paths: n });
    }
    return removed;
  }

  /** A family's stale routes must go (End-of-RIB, restart or stale-path time over, not preserved). */
  private endStale(p: PeerRuntime, afi: Afi, reason: string): void {
    const swept = this.rib.sweepStale(p.ribId, afi);
    // Out of the restart with no session: the peer is down for ranking too.
    if (p.session.gracefulRestartStatus().stale.length === 0 && p.state !== 'Established') this.retire(p);
    this.statusChanged();
    this.log.log(reason === 'end-of-rib' ? 'info' : 'warn', 'graceful restart: stale routes removed', { peer: p.config.name, family: afi === Afi.IPv4 ? 'ipv4' : 'ipv6', reason, paths: swept });
  }

  /**
   * ROUTE-REFRESH from the peer. A request: we advertise nothing, so with enhanced route
   * refresh the whole re-advertisement is BoRR then EoRR (RFC 7313 §4). BoRR/EoRR: the
   * peer re-sends a family; what it does not re-send by EoRR is gone (stale marking, §4).
   */
  private onRouteRefresh(p: PeerRuntime, m: RouteRefreshMessage): void {
    if (m.safi !== 1 || (m.afi !== Afi.IPv4 && m.afi !== Afi.IPv6)) return;
    const afi = m.afi as Afi;
    if (m.subtype === RouteRefreshSubtype.Request) {
      if (p.session.negotiated?.enhancedRouteRefresh) {
        p.session.sendRouteRefresh(afi, RouteRefreshSubtype.BeginningOfRouteRefresh);
        p.session.sendRouteRefresh(afi, RouteRefreshSubtype.EndOfRouteRefresh);
      }
    } else if (m.subtype === RouteRefreshSubtype.BeginningOfRouteRefresh) {
      this.rib.markStale(p.ribId, afi);
    } else if (m.subtype === RouteRefreshSubtype.EndOfRouteRefresh) {
      const swept = this.rib.sweepStale(p.ribId, afi);
      this.log.log('info', 'enhanced route refresh done: paths not re-sent removed', { peer: p.config.name, family: afi === Afi.IPv4 ? 'ipv4' : 'ipv6', paths: swept });
    }
  }

  private enforceMaxPrefix(p: PeerRuntime): void {
    const limit = p.config.maxPrefix;
    if (limit === undefined) return;
    for (const afi of [Afi.IPv4, Afi.IPv6]) {
      const count = afi === Afi.IPv4 ? this.rib.prefixCountV4[p.ribId] : this.rib.prefixCountV6[p.ribId];
      if (count <= limit) continue;
      this.log.log('warn', 'maximum prefixes exceeded: Cease/Maximum Number of Prefixes Reached', { peer: p.config.name, family: afi === Afi.IPv4 ? 'ipv4' : 'ipv6', count, limit });
      p.session.reset(ErrorCode.Cease, CeaseSubcode.MaximumPrefixes, `${count} prefixes exceed max-prefix ${limit}`, maxPrefixData(afi, limit));
      return;
    }
  }

  /** SIGTERM: Cease/Administrative Shutdown to every peer, then close every socket. */
  async stop(): Promise<void> {
    this.loopDelay.disable();
    this.gcPauses.disable();
    this.links.stop();
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.compactTimer) clearInterval(this.compactTimer);
    await this.speaker.close();
    await this.queries.close();
    await this.status?.close();
    this.log.log('info', 'stopped');
  }
}

/**
 * HTTP face of the sorter daemon:
 *   GET /status          JSON: peers, RIB size and generation, `show dnssort statistics`, event-loop delay
 *                        (`?reset-loop-delay`: then start a new delay window)
 *   GET /metrics         Prometheus text format (prom-client)
 *   GET /routes/ipv4     best paths, one JSON object per line (differential tests)
 *   GET /routes/ipv6
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import { Afi } from '../bgp/types.js';
import type { SorterDaemon } from './daemon.js';

const mono = (): number => Number(process.hrtime.bigint()) / 1e6;

export function statusSnapshot(d: SorterDaemon) {
  const now = mono();
  const { rib, queries } = d;
  const s = queries.stats;
  return {
    localAsn: d.config.localAsn,
    routerId: d.config.routerId,
    uptimeSeconds: Math.round((now - d.startedAt) / 1000),
    mono: now,
    peers: d.peers.map((p) => ({
      name: p.config.name,
      address: p.config.address,
      asn: p.config.asn,
      state: p.state,
      routerId: p.routerId,
      sinceSeconds: Math.round((now - p.since) / 100) / 10,
      flaps: p.flaps,
      lastDown: p.lastDown,
      lastDownMono: p.lastDownAt,
      establishedMono: p.state === 'Established' ? p.since : undefined,
      prefixes: { ipv4: rib.prefixCountV4[p.ribId], ipv6: rib.prefixCountV6[p.ribId] },
      maxPrefix: p.config.maxPrefix,
      // After max-prefix or an error the peer is refused until its idle hold ends; doubling per error (bgp/idle-hold.ts).
      idleHold: p.session.idleHoldStatus(),
      // Graceful Restart helper: families whose routes are kept stale across the peer's restart, and how many are still stale.
      gracefulRestart: {
        ...p.session.gracefulRestartStatus(),
        peerRestartTime: p.session.negotiated?.peerRestart?.time,
        stalePaths: { ipv4: rib.stale.count(p.ribId, Afi.IPv4), ipv6: rib.stale.count(p.ribId, Afi.IPv6) },
      },
      interface: p.interface,
      firstUpdateMono: p.firstUpdateAt,
      endOfRibMono: p.endOfRibAt,
    })),
    rib: {
      generation: rib.generation,
      ipv4: { prefixes: rib.v4.prefixes, paths: rib.v4.paths },
      ipv6: { prefixes: rib.v6.prefixes, paths: rib.v6.paths },
      attributeSets: rib.attrs.size,
      typedArrayBytes: rib.bytesUsed(),
      compactions: rib.compactions,
      // True while a compaction runs or gives its freed pages back: memory read then is not the settled figure.
      settling: rib.settling,
      pathsToFlush: rib.pathsToFlush,
      lastCompactionMs: Math.round(rib.lastCompactionMs),
      lastCompactionSliceMs: Math.round(rib.lastCompactionSliceMs * 10) / 10,
    },
    // Named after the 2002 `show dnssort statistics` (seed slide 34).
    statistics: {
      received: s.received,
      answered: s.answered,
      dropped: s.droppedTotal,
      droppedByReason: s.dropped,
      queued: s.queued,
      queueLimit: s.queueLimit,
      answersByStatus: s.byStatus,
      hitsPerNeighborAs: Object.fromEntries([...d.sorter.hits.entries()].sort((a, b) => a[0] - b[0])),
    },
    rejectedConnections: d.rejectedConnections,
    // Since the daemon started or the last GET /status?reset-loop-delay (perf_hooks histogram, ns → ms).
    eventLoop: {
      maxMs: Math.round(d.loopDelay.max / 1e4) / 100,
      p99Ms: Math.round(d.loopDelay.percentile(99) / 1e4) / 100,
      meanMs: Math.round((Number.isNaN(d.loopDelay.mean) ? 0 : d.loopDelay.mean) / 1e4) / 100,
      samples: d.loopDelay.count,
      // GC pauses in the same window (perf_hooks "gc" entries).
      gcPauses: d.gcPauses.count,
      gcMaxMs: Math.round(d.gcPauses.maxMs * 100) / 100,
      gcTotalMs: Math.round(d.gcPauses.totalMs * 100) / 100,
    },
    rssBytes: process.memoryUsage().rss,
    // Where the memory is: the V8 heap, and ArrayBuffers (the RIB's typed arrays, socket buffers).
    memory: (({ heapTotal, heapUsed, external, arrayBuffers }) => ({ heapTotal, heapUsed, external, arrayBuffers }))(process.memoryUsage()),
  };
}

export type SorterStatus = ReturnType<typeof statusSnapshot>;

function metrics(d: SorterDaemon): Registry {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        collect(this);
      },
    });
  gauge('bgpdns_sorter_queries_received_total', 'Query datagrams received', [], (g) => g.set(d.queries.stats.received));
  gauge('bgpdns_sorter_queries_answered_total', 'Queries answered', ['status'], (g) => {
    for (const [status, n] of Object.entries(d.queries.stats.byStatus)) g.set({ status }, n);
  });
  gauge('bgpdns_sorter_queries_dropped_total', 'Query datagrams dropped', ['reason'], (g) => {
    for (const [reason, n] of Object.entries(d.queries.stats.dropped)) g.set({ reason }, n);
  });
  gauge('bgpdns_sorter_queue_depth', 'Queries waiting in the bounded queue', [], (g) => g.set(d.queries.stats.queued));
  gauge('bgpdns_sorter_hits_total', 'Answers per neighbour AS of the client best path', ['neighbor_as'], (g) => {
    for (const [asn, n] of d.sorter.hits) g.set({ neighbor_as: String(asn) }, n);
  });
  gauge('bgpdns_sorter_peer_established', '1 while the BGP session is Established', ['peer', 'asn'], (g) => {
    for (const p of d.peers) g.set({ peer: p.config.name, asn: String(p.config.asn) }, p.state === 'Established' ? 1 : 0);
  });
  gauge('bgpdns_sorter_peer_prefixes', 'Prefixes received from the peer', ['peer', 'family'], (g) => {
    for (const p of d.peers) {
      g.set({ peer: p.config.name, family: 'ipv4' }, d.rib.prefixCountV4[p.ribId]);
      g.set({ peer: p.config.name, family: 'ipv6' }, d.rib.prefixCountV6[p.ribId]);
    }
  });
  gauge('bgpdns_sorter_peer_idle_hold_seconds', 'Idle hold applied after the last session down (doubles per error)', ['peer', 'asn'], (g) => {
    for (const p of d.peers) g.set({ peer: p.config.name, asn: String(p.config.asn) }, p.session.idleHoldStatus().seconds);
  });
  gauge('bgpdns_sorter_peer_idle_hold_remaining_seconds', 'Seconds until the peer may connect again (0: it may now)', ['peer', 'asn'], (g) => {
    for (const p of d.peers) g.set({ peer: p.config.name, asn: String(p.config.asn) }, p.session.idleHoldStatus().remainingSeconds);
  });
  gauge('bgpdns_sorter_peer_consecutive_errors', 'Session errors in the current back-off sequence', ['peer', 'asn'], (g) => {
    for (const p of d.peers) g.set({ peer: p.config.name, asn: String(p.config.asn) }, p.session.idleHoldStatus().consecutiveErrors);
  });
  gauge('bgpdns_sorter_peer_stale_paths', "Paths kept stale across the peer's graceful restart (or route refresh)", ['peer', 'family'], (g) => {
    for (const p of d.peers) {
      g.set({ peer: p.config.name, family: 'ipv4' }, d.rib.stale.count(p.ribId, Afi.IPv4));
      g.set({ peer: p.config.name, family: 'ipv6' }, d.rib.stale.count(p.ribId, Afi.IPv6));
    }
  });
  gauge('bgpdns_sorter_rib_generation', 'RIB generation (increments on every best-path change)', [], (g) => g.set(d.rib.generation));
  gauge('bgpdns_sorter_rib_prefixes', 'Prefixes in the Loc-RIB', ['family'], (g) => {
    g.set({ family: 'ipv4' }, d.rib.v4.prefixes);
    g.set({ family: 'ipv6' }, d.rib.v6.prefixes);
  });
  gauge('bgpdns_sorter_rss_bytes', 'Resident set size', [], (g) => g.set(process.memoryUsage().rss));
  return registry;
}

export class StatusServer {
  private server?: Server;
  private readonly registry: Registry;

  static snapshot = statusSnapshot;

  constructor(private readonly daemon: SorterDaemon) {
    this.registry = metrics(daemon);
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    const server = createServer((req, res) => {
      void this.route(req.url ?? '/', res).catch((e: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${e.message}\n`);
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    });
  }

  private async route(url: string, res: import('node:http').ServerResponse): Promise<void> {
    if (url === '/status' || url === '/status?reset-loop-delay') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(statusSnapshot(this.daemon))}\n`);
      // A new measurement window starts after this snapshot.
      if (url !== '/status') {
        this.daemon.loopDelay.reset();
        this.daemon.gcPauses.reset();
      }
    } else if (url === '/metrics') {
      res.writeHead(200, { 'content-type': this.registry.contentType });
      res.end(await this.registry.metrics());
    } else if (url === '/routes/ipv4' || url === '/routes/ipv6') {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const afi = url.endsWith('ipv4') ? Afi.IPv4 : Afi.IPv6;
      const { rib } = this.daemon;
      let chunk = '';
      for (const r of rib.bestRoutes(afi)) {
        const first = r.attrs.asPath[0]?.asns[0];
        chunk += `${JSON.stringify({ prefix: r.prefix, neighborAs: first ?? null, peer: r.peerAddress, peerAs: r.peerAsn, nextHop: r.attrs.nextHop, asPath: r.attrs.asPath.map((s) => s.asns.join(' ')).join(' ') })}\n`;
        if (chunk.length > 65536) {
          if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
          chunk = '';
        }
      }
      res.end(chunk);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('GET /status, /metrics, /routes/ipv4 or /routes/ipv6\n');
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

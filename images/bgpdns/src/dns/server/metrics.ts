/**
 * Prometheus metrics of the DNS front. The hot path bumps plain numbers
 * (FrontStats, OrdererStats); prom-client reads them at scrape time, so a
 * query never pays for label hashing. Only the sorter latency is a real
 * histogram, observed once per sorter answer.
 */
import client from 'prom-client';
import type { FrontStats } from './stats.js';
import type { AddressOrderer } from '../ordering/orderer.js';
import type { ResponseRateLimiter } from './rrl.js';
import type { PacketCache } from './packet-cache.js';

type Sample = [Record<string, string>, number];

function counter(registry: client.Registry, name: string, help: string, labelNames: string[], read: () => Sample[]): void {
  new client.Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, v] of read()) if (v > 0) this.inc(labels, v);
    },
  });
}

function gauge(registry: client.Registry, name: string, help: string, read: () => number): void {
  new client.Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

export function dnsMetrics(stats: FrontStats, orderer: AddressOrderer, rrl?: ResponseRateLimiter, packetCache?: PacketCache | null): client.Registry {
  const r = new client.Registry();
  const o = orderer.stats;
  counter(r, 'bgpdns_dns_packets_total', 'Packets received (UDP datagrams and TCP messages).', [], () => [[{}, stats.packets]]);
  counter(r, 'bgpdns_dns_queries_total', 'Well-formed queries by transport.', ['transport'], () => [
    [{ transport: 'udp' }, stats.queries.udp],
    [{ transport: 'tcp' }, stats.queries.tcp],
  ]);
  counter(r, 'bgpdns_dns_responses_total', 'Responses sent by rcode.', ['rcode'], () => [...stats.responses].map(([rcode, v]) => [{ rcode }, v] as Sample));
  counter(r, 'bgpdns_dns_garbage_total', 'Packets that were not a valid query (dropped, or answered FORMERR/NOTIMP) by reason.', ['reason'], () =>
    [...stats.garbage].map(([reason, v]) => [{ reason }, v] as Sample),
  );
  counter(r, 'bgpdns_dns_internal_errors_total', 'Exceptions caught while handling a packet.', [], () => [[{}, stats.internalErrors]]);
  counter(r, 'bgpdns_dns_rrl_total', 'Responses withheld by response-rate limiting, by action.', ['action'], () => [
    [{ action: 'dropped' }, stats.rrlDropped],
    [{ action: 'slipped' }, stats.rrlSlipped],
  ]);
  gauge(r, 'bgpdns_dns_tcp_connections', 'DNS TCP connections open.', () => stats.tcpOpen);
  counter(r, 'bgpdns_dns_tcp_closed_by_limit_total', 'DNS TCP connections closed by a limit, by reason.', ['reason'], () => [
    [{ reason: 'per_client_cap' }, stats.tcpRefusedPerClient],
    [{ reason: 'overall_cap' }, stats.tcpRefusedFull],
    [{ reason: 'evicted_idle' }, stats.tcpEvicted],
    [{ reason: 'idle_timeout' }, stats.tcpIdleClosed],
  ]);
  if (rrl) {
    gauge(r, 'bgpdns_dns_rrl_buckets', 'Response-rate-limit buckets held (bounded by --rrl-table-size).', () => rrl.size);
    counter(r, 'bgpdns_dns_rrl_evictions_total', 'Rate-limit buckets pushed out of a full table.', [], () => [[{}, rrl.evictions]]);
  }
  counter(r, 'bgpdns_dns_truncated_total', 'Responses sent with TC set.', [], () => [[{}, stats.truncated]]);
  counter(r, 'bgpdns_dns_upstream_failures_total', 'Proxy mode: upstream timeouts and errors (answered SERVFAIL).', ['kind'], () => [
    [{ kind: 'timeout' }, stats.upstreamTimeouts],
    [{ kind: 'error' }, stats.upstreamErrors],
  ]);
  counter(r, 'bgpdns_dns_proxy_unsortable_total', 'Proxy mode: address RRsets passed on unsorted (mixed TTLs or unparsable answer).', [], () => [[{}, stats.proxyUnsortable]]);
  if (packetCache) {
    const c = packetCache.stats;
    counter(r, 'bgpdns_dns_proxy_packet_cache_total', 'Proxy mode: packet cache lookups (expired = found but past its lifetime, then asked upstream).', ['result'], () => [
      [{ result: 'hit' }, c.hits],
      [{ result: 'miss' }, c.misses],
      [{ result: 'expired' }, c.expired],
    ]);
    counter(r, 'bgpdns_dns_proxy_packet_cache_not_stored_total', 'Proxy mode: upstream answers not kept (error rcode, TC, TTL 0, no SOA on a negative answer, unparsable, signed, too big).', [], () => [[{}, c.notStored]]);
    counter(r, 'bgpdns_dns_proxy_packet_cache_evictions_total', 'Proxy mode: entries pushed out of a full packet cache (least recently used).', [], () => [[{}, c.evictions]]);
    gauge(r, 'bgpdns_dns_proxy_packet_cache_entries', 'Proxy mode: answers held in the packet cache (bounded by --packet-cache-size).', () => packetCache.size);
    gauge(r, 'bgpdns_dns_proxy_packet_cache_bytes', 'Proxy mode: estimated memory held by the packet cache.', () => packetCache.bytes);
  }
  counter(r, 'bgpdns_dns_answer_cache_total', 'File mode: precomputed answer lookups.', ['result'], () => [
    [{ result: 'hit' }, stats.templateHits],
    [{ result: 'miss' }, stats.templateMisses],
  ]);
  counter(r, 'bgpdns_dns_reloads_total', 'File mode: data file reloads.', ['result'], () => [
    [{ result: 'ok' }, stats.reloadsOk],
    [{ result: 'failed' }, stats.reloadsFailed],
  ]);
  counter(r, 'bgpdns_dns_sorter_requests_total', 'Ranking requests to the sorter by result.', ['result'], () => [
    [{ result: 'ok' }, o.sorterOk],
    [{ result: 'timeout' }, o.sorterTimeout],
    [{ result: 'error' }, o.sorterError],
  ]);
  counter(r, 'bgpdns_dns_sorter_fallbacks_total', 'Answers sent in random order instead of a sorter decision, by reason.', ['reason'], () =>
    Object.entries(o.fallbacks).map(([reason, v]) => [{ reason }, v] as Sample),
  );
  gauge(r, 'bgpdns_dns_sorter_defective', '1 while the sorter is marked defective and skipped.', () => (o.defective ? 1 : 0));
  counter(r, 'bgpdns_dns_sorter_defective_episodes_total', 'Times the sorter was marked defective.', [], () => [[{}, o.defectiveEpisodes]]);
  counter(r, 'bgpdns_dns_sorter_probes_total', 'Probes of a defective sorter after its back-off.', [], () => [[{}, o.probes]]);
  counter(r, 'bgpdns_dns_decision_cache_total', 'Ordering decision cache lookups (ranking = ordered from the scope\'s cached upstream ranking; unranked = a remembered no-route/no-sessions answer).', ['result'], () => [
    [{ result: 'hit' }, o.cacheHits],
    [{ result: 'ranking' }, o.rankingHits],
    [{ result: 'unranked' }, o.unrankedHits],
    [{ result: 'miss' }, o.cacheMisses],
  ]);
  counter(r, 'bgpdns_dns_decision_cache_flushes_total', 'Whole decision cache flushes on a new RIB generation (changes not nameable, or no changes query).', [], () => [[{}, o.cacheFlushes]]);
  counter(r, 'bgpdns_dns_decision_cache_change_syncs_total', 'Changes queries sent to the sorter on a new RIB generation.', [], () => [[{}, o.changeSyncs]]);
  counter(r, 'bgpdns_dns_decision_cache_scoped_drops_total', 'Cached decisions dropped because a changed prefix overlapped their scope.', [], () => [[{}, o.scopedDrops]]);
  gauge(r, 'bgpdns_dns_decision_cache_entries', 'Cached ordering decisions and upstream rankings of client scopes.', () => orderer.cache.decisions);
  gauge(r, 'bgpdns_dns_rib_generation', 'RIB generation of the last sorter answer (-1 before any).', () => o.generation);
  const latency = new client.Histogram({
    name: 'bgpdns_dns_sorter_latency_seconds',
    help: 'Sorter round-trip time of answered requests.',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [r],
  });
  o.onLatency = (s) => latency.observe(s);
  return r;
}

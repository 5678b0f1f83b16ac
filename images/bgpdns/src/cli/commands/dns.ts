/**
 * `bgpdns dns` — the BGP-aware DNS front: serves a tinydns data file
 * (--data) or fronts another authoritative server (--upstream), ordering
 * A/AAAA answers by asking the BGPDNS sorter (--sorter, --key).
 */
import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Command } from '../main.js';
import { startDnsServer } from '../../dns/server/dns-server.js';
import { dnsMetrics } from '../../dns/server/metrics.js';
import { serveHttp } from '../../dns/server/http.js';
import { keyToDotted } from '../../dns/wire/name.js';
import { SorterClient } from '../../sorter/client.js';
import { parseKeySpec } from '../../sorter/protocol-auth.js';
import type { QueryLogEntry } from '../../dns/server/front.js';
import { packetCacheDefaults, type PacketCacheOptions } from '../../dns/server/packet-cache.js';

const usage = `usage: bgpdns dns (--data FILE | --upstream ADDR:PORT) [options]
  --data FILE            serve this tinydns data file (reloaded when it changes)
  --upstream ADDR:PORT   proxy mode: forward to this authoritative server
  --listen ADDR:PORT     UDP and TCP address to serve on (default 127.0.0.1:53)
  --sorter ADDR:PORT     BGPDNS sorter to ask for the order of A/AAAA answers
  --key FILE             sorter key file: "ID:HEX" or "HEX" (required with --sorter)
  --sorter-timeout MS    wait at most this long for the sorter (default 50)
  --unranked-ttl S       TTL cap of A/AAAA RRsets answered without a ranking (default 5)
  --upstream-timeout MS  proxy mode: SERVFAIL after this long (default 300)
  --packet-cache-size N  proxy mode: upstream answers kept at most (default 100000; 0 = no cache)
  --packet-cache-max-ttl S           proxy mode: keep a positive answer at most this long (default 300)
  --packet-cache-max-negative-ttl S  proxy mode: keep an NXDOMAIN/NODATA answer at most this long (default 60)
  --packet-cache-min-ttl S           proxy mode: do not keep answers living less than this (default 0: only TTL 0 is not kept)
  --rrl-rate N           responses per second per client subnet (default 0 = off)
  --rrl-ipv4-prefix N    subnet length for rate limiting IPv4 clients (default 24)
  --rrl-ipv6-prefix N    subnet length for rate limiting IPv6 clients (default 56)
  --rrl-slip N           over the rate, every Nth response goes out truncated (default 2; 0 = drop all)
  --rrl-table-size N     most rate-limit buckets kept at once (default 100000; bounds memory)
  --tcp-max N            TCP connections open at once (default 512; at the cap the idlest goes)
  --tcp-per-client N     TCP connections per client address (default 16)
  --tcp-idle MS          close a TCP connection after this long without traffic (default 10000)
  --http ADDR:PORT       serve /health, /ready and /metrics
  --query-log            one JSON line per query on stdout`;

export interface DnsArgs {
  data?: string;
  upstream?: { host: string; port: number };
  listen: { host: string; port: number };
  sorter?: { host: string; port: number; keyId: number; key: Buffer };
  sorterTimeoutMs: number;
  /** TTL cap (s) of RRsets answered without a ranking. */
  unrankedTtl: number;
  upstreamTimeoutMs: number;
  packetCache: PacketCacheOptions;
  rrl: { responsesPerSecond: number; ipv4PrefixLen: number; ipv6PrefixLen: number; slip: number; maxBuckets: number };
  tcp: { maxConnections: number; maxPerClient: number; idleMs: number };
  http?: { host: string; port: number };
  queryLog: boolean;
}

export class DnsArgsError extends Error {}

function fail(message: string): never {
  throw new DnsArgsError(`bgpdns dns: ${message}`);
}

function hostPort(flag: string, v: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:]+):(\d+)$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !isIP(m[1]) || !(port >= 0 && port <= 65535)) fail(`--${flag} must be ADDR:PORT with an IP address (IPv6 in brackets), got "${v}"`);
  return { host: m[1], port };
}

function uint(flag: string, v: string | undefined, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) > max) fail(`--${flag} must be an integer from 0 to ${max}, got "${v}"`);
  return Number(v);
}

/** Reads the flags; file contents (the key) are read here so errors name the flag. */
export function parseDnsArgs(argv: string[]): DnsArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(
          ['data', 'upstream', 'listen', 'sorter', 'key', 'sorter-timeout', 'unranked-ttl', 'upstream-timeout', 'packet-cache-size', 'packet-cache-max-ttl', 'packet-cache-max-negative-ttl', 'packet-cache-min-ttl', 'rrl-rate', 'rrl-ipv4-prefix', 'rrl-ipv6-prefix', 'rrl-slip', 'rrl-table-size', 'tcp-max', 'tcp-per-client', 'tcp-idle', 'http'].map((k) => [k, { type: 'string' as const }]),
        ),
        'query-log': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  const s = (k: string) => values[k] as string | undefined;
  if (!s('data') === !s('upstream')) fail('give exactly one of --data FILE (file mode) or --upstream ADDR:PORT (proxy mode)');
  const args: DnsArgs = {
    listen: hostPort('listen', s('listen') ?? '127.0.0.1:53'),
    sorterTimeoutMs: uint('sorter-timeout', s('sorter-timeout'), 50, 60_000),
    unrankedTtl: uint('unranked-ttl', s('unranked-ttl'), 5, 86_400),
    upstreamTimeoutMs: uint('upstream-timeout', s('upstream-timeout'), 300, 60_000),
    packetCache: {
      maxEntries: uint('packet-cache-size', s('packet-cache-size'), packetCacheDefaults.maxEntries, 10_000_000),
      maxTtl: uint('packet-cache-max-ttl', s('packet-cache-max-ttl'), packetCacheDefaults.maxTtl, 86_400),
      maxNegativeTtl: uint('packet-cache-max-negative-ttl', s('packet-cache-max-negative-ttl'), packetCacheDefaults.maxNegativeTtl, 86_400),
      minTtl: uint('packet-cache-min-ttl', s('packet-cache-min-ttl'), packetCacheDefaults.minTtl, 86_400),
    },
    rrl: {
      responsesPerSecond: uint('rrl-rate', s('rrl-rate'), 0, 1_000_000),
      ipv4PrefixLen: uint('rrl-ipv4-prefix', s('rrl-ipv4-prefix'), 24, 32),
      ipv6PrefixLen: uint('rrl-ipv6-prefix', s('rrl-ipv6-prefix'), 56, 128),
      slip: uint('rrl-slip', s('rrl-slip'), 2, 100),
      maxBuckets: uint('rrl-table-size', s('rrl-table-size'), 100_000, 10_000_000),
    },
    tcp: {
      maxConnections: uint('tcp-max', s('tcp-max'), 512, 65_535),
      maxPerClient: uint('tcp-per-client', s('tcp-per-client'), 16, 65_535),
      idleMs: uint('tcp-idle', s('tcp-idle'), 10_000, 3_600_000),
    },
    queryLog: values['query-log'] === true,
  };
  for (const k of ['rrl-table-size', 'tcp-max', 'tcp-per-client', 'tcp-idle'] as const) if (s(k) === '0') fail(`--${k} must be at least 1`);
  if (args.sorterTimeoutMs === 0) fail('--sorter-timeout must be at least 1 ms');
  if (args.upstreamTimeoutMs === 0) fail('--upstream-timeout must be at least 1 ms');
  const cacheFlag = ['packet-cache-size', 'packet-cache-max-ttl', 'packet-cache-max-negative-ttl', 'packet-cache-min-ttl'].find((k) => s(k) !== undefined);
  if (cacheFlag && s('data')) fail(`--${cacheFlag} is only used in proxy mode (--upstream)`);
  if (args.packetCache.minTtl > args.packetCache.maxTtl) fail(`--packet-cache-min-ttl ${args.packetCache.minTtl} is above --packet-cache-max-ttl ${args.packetCache.maxTtl}: nothing would be kept`);
  if (s('data')) args.data = s('data');
  if (s('upstream')) args.upstream = hostPort('upstream', s('upstream')!);
  if (s('http')) args.http = hostPort('http', s('http')!);
  if (s('sorter')) {
    const at = hostPort('sorter', s('sorter')!);
    if (!s('key')) fail('--sorter needs --key FILE (the shared key of the sorter query protocol)');
    let text: string;
    try {
      text = readFileSync(s('key')!, 'utf8');
    } catch (e) {
      fail(`--key ${s('key')}: cannot read: ${(e as Error).message}`);
    }
    try {
      const [keyId, key] = parseKeySpec(text);
      args.sorter = { ...at, keyId, key };
    } catch (e) {
      fail(`--key ${s('key')}: ${(e as Error).message}`);
    }
  } else if (s('key')) fail('--key is only used with --sorter');
  return args;
}

function logLine(e: QueryLogEntry): void {
  process.stdout.write(
    JSON.stringify({ t: new Date().toISOString(), client: `${e.source.address}#${e.source.port}`, transport: e.transport, name: keyToDotted(e.qkey), qtype: e.qtype, rcode: e.rcode, ms: Number(e.ms.toFixed(3)) }) + '\n',
  );
}

export const command: Command = {
  summary: 'BGP-aware DNS front: tinydns data files or proxy, answers ordered by the sorter',
  usage,
  async run(argv) {
    let args: DnsArgs;
    try {
      args = parseDnsArgs(argv);
    } catch (e) {
      if (e instanceof DnsArgsError) {
        console.error(`${e.message}\n${usage}`);
        return 2;
      }
      throw e;
    }
    const ranker = args.sorter ? await SorterClient.open({ host: args.sorter.host, port: args.sorter.port, keyId: args.sorter.keyId, key: args.sorter.key, timeoutMs: args.sorterTimeoutMs }) : null;
    let server;
    try {
      server = await startDnsServer({
        data: args.data,
        upstream: args.upstream,
        upstreamTimeoutMs: args.upstreamTimeoutMs,
        packetCache: args.packetCache,
        listen: args.listen,
        ranker,
        ordering: { timeoutMs: args.sorterTimeoutMs, unrankedTtl: args.unrankedTtl },
        rrl: args.rrl,
        tcp: args.tcp,
        queryLog: args.queryLog ? logLine : undefined,
        onReloadResult: (r) =>
          console.error(r.ok ? `bgpdns dns: reloaded ${args.data} (${r.records} records)` : `bgpdns dns: reload failed, keeping the previous data: ${r.error.message}`),
      });
    } catch (e) {
      ranker?.close();
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') console.error(`bgpdns dns: --listen ${args.listen.host}:${args.listen.port} is already in use`);
      else if (err.code === 'EACCES') console.error(`bgpdns dns: --listen ${args.listen.host}:${args.listen.port}: permission denied (ports below 1024 need root)`);
      else if (err.code === 'ENOENT') console.error(`bgpdns dns: --data ${args.data}: no such file`);
      else console.error(`bgpdns dns: ${err.message}`);
      return 1;
    }
    const http = args.http ? await serveHttp(args.http, server.backend, server.orderer, dnsMetrics(server.front.stats, server.orderer, server.front.rrl, server.packetCache)) : null;
    console.error(
      `bgpdns dns: serving ${args.data ? `file ${args.data}` : `proxy to ${args.upstream!.host}:${args.upstream!.port}`} on ${server.address.host}:${server.address.port}` +
        (args.sorter ? `, sorter ${args.sorter.host}:${args.sorter.port} (timeout ${args.sorterTimeoutMs} ms)` : ', no sorter (random order)') +
        (http ? `, http ${http.address.host}:${http.address.port}` : ''),
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    await http?.close();
    await server.close();
    ranker?.close();
    return 0;
  },
};

/** Assembles a running DNS front: backend (file or proxy), orderer, rate limiter, front, sockets. */
import type { Ranker } from '../../sorter/api.js';
import { AddressOrderer, type OrdererOptions } from '../ordering/orderer.js';
import { DnsFront, type QueryLogEntry } from './front.js';
import { FileBackend, type FileBackendOptions } from './file-backend.js';
import { FrontStats } from './stats.js';
import { ProxyBackend } from './proxy-backend.js';
import { ResponseRateLimiter, type RrlOptions } from './rrl.js';
import { listen, type DnsListeners, type ListenAddress } from './transports.js';
import type { TcpLimits } from './tcp-server.js';
import type { Backend } from './backend.js';
import type { PacketCache, PacketCacheOptions } from './packet-cache.js';

export interface DnsServerOptions {
  /** File mode: a tinydns data file. Exactly one of data / upstream. */
  data?: string;
  /** Proxy mode: the authoritative server to forward to. */
  upstream?: ListenAddress;
  upstreamTimeoutMs?: number;
  /** Proxy mode: packet cache settings (maxEntries 0 = off; defaults in packet-cache.ts). */
  packetCache?: Partial<PacketCacheOptions>;
  listen: ListenAddress;
  ranker?: Ranker | null;
  ordering?: Partial<OrdererOptions>;
  rrl?: Partial<RrlOptions>;
  /** TCP connection limits (defaults: tcp-server.ts). */
  tcp?: Partial<TcpLimits>;
  queryLog?: (entry: QueryLogEntry) => void;
  /** File mode: how often the data file is checked for changes (ms; 0 = never). */
  pollMs?: number;
  onReloadResult?: FileBackendOptions['onReload'];
}

export interface DnsServer {
  front: DnsFront;
  backend: Backend;
  orderer: AddressOrderer;
  listeners: DnsListeners;
  address: ListenAddress;
  /** Proxy mode's packet cache; null in file mode or when off. */
  packetCache: PacketCache | null;
  close(): Promise<void>;
}

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  if (!!opts.data === !!opts.upstream) throw new Error('give exactly one of data (file mode) or upstream (proxy mode)');
  const orderer = new AddressOrderer(opts.ranker ?? null, opts.ordering);
  const stats = new FrontStats();
  const proxy = opts.upstream ? await ProxyBackend.open({ upstream: opts.upstream, orderer, stats, timeoutMs: opts.upstreamTimeoutMs, packetCache: opts.packetCache }) : null;
  const backend: Backend = proxy ?? (await FileBackend.open({ path: opts.data!, orderer, stats, pollMs: opts.pollMs, onReload: opts.onReloadResult }));
  const front = new DnsFront(backend, { stats, rrl: new ResponseRateLimiter(opts.rrl), queryLog: opts.queryLog });
  let listeners: DnsListeners;
  try {
    listeners = await listen(front, opts.listen, opts.tcp);
  } catch (e) {
    await backend.close();
    throw e;
  }
  return {
    front,
    backend,
    orderer,
    listeners,
    address: listeners.address,
    packetCache: proxy?.packetCache ?? null,
    async close() {
      await listeners.close();
      await backend.close();
    },
  };
}

/** Assembles a running DNS front: backend (file or proxy), orderer, rate limiter, front, sockets. */
import type { Ranker } from '../../sorter/api.js';
import { AddressOrderer, type OrdererOptions } from '../ordering/orderer.js';
import { DnsFront, type QueryLogEntry } from './front.js';
import { FileBackend } from './file-backend.js';
import { ProxyBackend } from './proxy-backend.js';
import { ResponseRateLimiter, type RrlOptions } from './rrl.js';
import { listen, type DnsListeners, type ListenAddress } from './transports.js';
import type { Backend } from './backend.js';

export interface DnsServerOptions {
  /** File mode: a tinydns data file. Exactly one of data / upstream. */
  data?: string;
  /** Proxy mode: the authoritative server to forward to. */
  upstream?: ListenAddress;
  upstreamTimeoutMs?: number;
  listen: ListenAddress;
  ranker?: Ranker | null;
  ordering?: Partial<OrdererOptions>;
  rrl?: Partial<RrlOptions>;
  queryLog?: (entry: QueryLogEntry) => void;
  pollMs?: number;
}

export interface DnsServer {
  front: DnsFront;
  backend: Backend;
  orderer: AddressOrderer;
  listeners: DnsListeners;
  address: ListenAddress;
  close(): Promise<void>;
}

export async function startDnsServer(opts: DnsServerOptions & { onReloadResult?: (r: { ok: true; records: number } | { ok: false; error: Error }) => void }): Promise<DnsServer> {
  if (!!opts.data === !!opts.upstream) throw new Error('give exactly one of data (file mode) or upstream (proxy mode)');
  const orderer = new AddressOrderer(opts.ranker ?? null, opts.ordering);
  // The front owns the stats object; backends share it, so create the front around a late-bound backend.
  let backend: Backend | null = null;
  const lateBackend: Backend = {
    answer: (p, q, s, t) => backend!.answer(p, q, s, t),
    get ready() {
      return backend?.ready ?? false;
    },
    close: async () => backend?.close(),
  };
  const front = new DnsFront(lateBackend, { rrl: new ResponseRateLimiter(opts.rrl), queryLog: opts.queryLog });
  if (opts.data) {
    backend = await FileBackend.open({ path: opts.data, orderer, stats: front.stats, pollMs: opts.pollMs, onReload: opts.onReloadResult });
  } else {
    backend = await ProxyBackend.open({ upstream: opts.upstream!, orderer, stats: front.stats, timeoutMs: opts.upstreamTimeoutMs });
  }
  let listeners: DnsListeners;
  try {
    listeners = await listen(front, opts.listen);
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
    async close() {
      await listeners.close();
      await backend!.close();
    },
  };
}

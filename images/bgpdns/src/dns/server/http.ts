/**
 * HTTP surface in the spirit of CoreDNS's `health` and `ready` plugins:
 * GET /health = 200 while the process runs; GET /ready = 200 once the data is
 * loaded (or the upstream configured) and, when a sorter is configured, it is
 * not marked defective — else 503 with the reason; GET /metrics = Prometheus.
 */
import http from 'node:http';
import type client from 'prom-client';
import type { Backend } from './backend.js';
import type { AddressOrderer } from '../ordering/orderer.js';
import type { ListenAddress } from './transports.js';

export interface HttpSurface {
  address: ListenAddress;
  close(): Promise<void>;
}

export function readiness(backend: Backend, orderer: AddressOrderer): { ready: boolean; reason: string } {
  if (!backend.ready) return { ready: false, reason: 'data not loaded' };
  if (orderer.enabled && orderer.isDefective) return { ready: false, reason: 'sorter marked defective' };
  return { ready: true, reason: 'OK' };
}

export async function serveHttp(at: ListenAddress, backend: Backend, orderer: AddressOrderer, registry: client.Registry): Promise<HttpSurface> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    } else if (path === '/ready') {
      const r = readiness(backend, orderer);
      res.writeHead(r.ready ? 200 : 503, { 'content-type': 'text/plain' }).end(r.reason);
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => resolve());
  });
  const addr = server.address() as { port: number };
  return {
    address: { host: at.host, port: addr.port },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * A minimal authoritative server for proxy tests: answers every query (UDP and
 * TCP) with the same fixed response body, only id and question taken from the
 * query — so the proxy's output can be compared byte for byte.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { TcpFramer } from '../../src/dns/wire/tcp-framer.js';

export interface CannedUpstream {
  address: { host: string; port: number };
  received: number;
  close(): Promise<void>;
}

export async function startCannedUpstream(respond: (query: Buffer) => Buffer | null): Promise<CannedUpstream> {
  const udp = dgram.createSocket('udp4');
  const state = { received: 0 };
  udp.on('message', (msg, rinfo) => {
    state.received++;
    const r = respond(msg);
    if (r) udp.send(r, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  const port = udp.address().port;
  const tcp = net.createServer((sock) => {
    sock.on('error', () => undefined);
    const framer = new TcpFramer((msg) => {
      state.received++;
      const r = respond(msg);
      if (r) sock.write(TcpFramer.frame(r));
    });
    sock.on('data', (d) => framer.push(d));
  });
  await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', () => r()));
  return {
    address: { host: '127.0.0.1', port },
    get received() {
      return state.received;
    },
    async close() {
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  } as CannedUpstream;
}

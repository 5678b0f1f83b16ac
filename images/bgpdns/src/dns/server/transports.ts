/**
 * Sockets around DnsFront: one UDP socket with a tight message handler, and a
 * TCP listener (tcp-server.ts: RFC 7766 framing, backpressure, connection caps).
 * Client addresses are unmapped from IPv4-mapped IPv6 before the front sees them.
 */
import dgram from 'node:dgram';
import type net from 'node:net';
import { isIPv6 } from 'node:net';
import type { DnsFront } from './front.js';
import { clientAddress } from './client-source.js';
import { createTcpServer, defaultTcpLimits, type TcpLimits } from './tcp-server.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface DnsListeners {
  udp: dgram.Socket;
  tcp: net.Server;
  /** The bound address (port resolved when 0 was asked: UDP and TCP share it). */
  address: ListenAddress;
  close(): Promise<void>;
}

export async function listen(front: DnsFront, at: ListenAddress, tcpLimits: Partial<TcpLimits> = {}): Promise<DnsListeners> {
  const udp = dgram.createSocket({ type: isIPv6(at.host) ? 'udp6' : 'udp4', recvBufferSize: 4 << 20 });
  const send = (msg: Buffer | null, port: number, address: string) => {
    if (msg) udp.send(msg, port, address);
  };
  udp.on('message', (msg, rinfo) => {
    const r = front.handle(msg, { address: clientAddress(rinfo.address), port: rinfo.port }, 'udp');
    if (r instanceof Promise) r.then((m) => send(m, rinfo.port, rinfo.address));
    else if (r) udp.send(r, rinfo.port, rinfo.address);
  });
  // Send errors (e.g. ICMP from a vanished client) must not take the server down.
  udp.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(at.port, at.host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const port = udp.address().port;

  const { server: tcp, closeAll } = createTcpServer((msg, source) => front.handle(msg, source, 'tcp'), front.stats, { ...defaultTcpLimits, ...tcpLimits });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, at.host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });

  return {
    udp,
    tcp,
    address: { host: at.host, port },
    async close() {
      closeAll();
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}

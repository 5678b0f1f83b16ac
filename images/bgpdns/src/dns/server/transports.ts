/**
 * Sockets around DnsFront: one UDP socket with a tight message handler, and a
 * TCP listener with RFC 1035 §4.2.2 / RFC 7766 two-byte length framing
 * (pipelined queries answered in order, idle connections closed).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { isIPv6 } from 'node:net';
import type { DnsFront } from './front.js';
import { TcpFramer } from '../wire/tcp-framer.js';

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

const tcpIdleMs = 10_000;
/** Connections beyond this are closed at once, so a connection flood cannot exhaust descriptors. */
const maxTcpConnections = 512;

export async function listen(front: DnsFront, at: ListenAddress): Promise<DnsListeners> {
  const udp = dgram.createSocket({ type: isIPv6(at.host) ? 'udp6' : 'udp4', recvBufferSize: 4 << 20 });
  const send = (msg: Buffer | null, port: number, address: string) => {
    if (msg) udp.send(msg, port, address);
  };
  udp.on('message', (msg, rinfo) => {
    const r = front.handle(msg, { address: rinfo.address, port: rinfo.port }, 'udp');
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

  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((sock) => {
    if (sockets.size >= maxTcpConnections) {
      sock.destroy();
      return;
    }
    sockets.add(sock);
    sock.setTimeout(tcpIdleMs, () => sock.destroy());
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let chain: Promise<void> = Promise.resolve();
    const framer = new TcpFramer((msg) => {
      chain = chain.then(async () => {
        const r = await front.handle(msg, { address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 }, 'tcp');
        if (r && !sock.destroyed) sock.write(TcpFramer.frame(r));
      });
    });
    sock.on('data', (chunk) => framer.push(chunk));
  });
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
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}

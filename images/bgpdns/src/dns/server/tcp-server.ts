/**
 * The DNS TCP listener's connection table: an overall cap and a per-client cap
 * (by client address), so neither a connection flood from one address nor one
 * from many can take the descriptors a well-behaved client needs.
 * At the overall cap a new connection takes the place of the connection that
 * has been idle longest with nothing pending (Unbound and Knot likewise prefer
 * shedding idle TCP clients to refusing new ones); if every connection is busy,
 * the new one is closed. Over the per-client cap the new one is closed at once.
 */
import net from 'node:net';
import type { FrontStats } from './stats.js';
import { DnsTcpConnection, type Answer, type TcpConnectionLimits } from './tcp-connection.js';
import { clientAddress } from './client-source.js';

export interface TcpLimits extends TcpConnectionLimits {
  maxConnections: number;
  maxPerClient: number;
}

/** RFC 7766 §6.2.3 leaves the numbers to the operator; these keep a small front safe. */
export const defaultTcpLimits: TcpLimits = {
  maxConnections: 512,
  maxPerClient: 16,
  idleMs: 10_000,
  maxPending: 32,
  writeHighWater: 64 * 1024,
};

export function createTcpServer(answer: Answer, stats: FrontStats, limits: TcpLimits): { server: net.Server; closeAll(): void } {
  const open = new Set<DnsTcpConnection>();
  const perClient = new Map<string, number>();

  const evictIdlest = (): boolean => {
    let idlest: DnsTcpConnection | undefined;
    for (const c of open) if (c.pending === 0 && (!idlest || c.lastActivity < idlest.lastActivity)) idlest = c;
    if (!idlest) return false;
    stats.tcpEvicted++;
    idlest.socket.destroy();
    forget(idlest);
    return true;
  };

  const forget = (c: DnsTcpConnection) => {
    if (!open.delete(c)) return;
    const n = (perClient.get(c.source.address) ?? 1) - 1;
    if (n > 0) perClient.set(c.source.address, n);
    else perClient.delete(c.source.address);
    stats.tcpOpen = open.size;
  };

  const server = net.createServer((sock) => {
    const address = clientAddress(sock.remoteAddress ?? '');
    if ((perClient.get(address) ?? 0) >= limits.maxPerClient) {
      stats.tcpRefusedPerClient++;
      sock.destroy();
      return;
    }
    if (open.size >= limits.maxConnections && !evictIdlest()) {
      stats.tcpRefusedFull++;
      sock.destroy();
      return;
    }
    const conn = new DnsTcpConnection(sock, { address, port: sock.remotePort ?? 0 }, answer, limits, () => stats.tcpIdleClosed++);
    open.add(conn);
    perClient.set(address, (perClient.get(address) ?? 0) + 1);
    stats.tcpOpen = open.size;
    sock.on('close', () => forget(conn));
  });
  return {
    server,
    closeAll() {
      for (const c of open) c.socket.destroy();
    },
  };
}

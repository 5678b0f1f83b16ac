/**
 * What the service kinds of the BGPDNS lab share (tinydns, bgpdns-dns, unbound):
 * a daemon bound to one lab address. Deploy runs a node's `exec:` lines only after
 * the node is ready, too late for a daemon that binds its address or connects to
 * its upstream at start, so these kinds take the address and the route from env
 * and set them up themselves (links are wired before start), then start the daemon:
 *   env: { LISTEN: 198.18.32.18/29, ROUTE: "198.18.0.0/15 via 198.18.32.17" }
 * LISTEN goes on eth1 (IFACE to change it); ROUTE is optional, in `ip route add` words.
 * Ready = a UDP socket is bound to LISTEN's address, port 53.
 */
import { isIP } from 'node:net';
import type { Lab, LabNode } from '../topology/model.js';
import type { TopologyIssue } from '../topology/errors.js';
import type { KindContext } from './kind.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';

export interface ServiceAddress {
  /** The address the daemon binds. */
  address: string;
  /** As given: address/length, assigned to the interface. */
  cidr: string;
  iface: string;
  route?: string[];
}

/** The node's service address from env (LISTEN, IFACE, ROUTE), or the issues with it. */
export function serviceAddress(node: LabNode): ServiceAddress | TopologyIssue[] {
  const v = node.env.LISTEN;
  if (v === undefined) return [{ path: 'env.LISTEN', message: 'needs the service address with its length, e.g. LISTEN: 198.18.16.18/29 (assigned to eth1 before the daemon starts)' }];
  const [address, len] = v.split('/');
  const family = isIP(address);
  const max = family === 6 ? 128 : 32;
  const issues: TopologyIssue[] = [];
  if (family === 0 || len === undefined || !/^\d+$/.test(len) || Number(len) > max) issues.push({ path: 'env.LISTEN', message: `expected ADDRESS/LENGTH, e.g. 198.18.16.18/29, got "${v}"` });
  const route = node.env.ROUTE?.trim().split(/\s+/);
  if (route && (route.length < 3 || route[1] !== 'via' || isIP(route[2]) === 0)) issues.push({ path: 'env.ROUTE', message: `expected "PREFIX via GATEWAY", e.g. "198.18.0.0/15 via 198.18.16.17", got "${node.env.ROUTE}"` });
  if (issues.length > 0) return issues;
  return { address, cidr: v, iface: node.env.IFACE ?? 'eth1', ...(route ? { route } : {}) };
}

export function listenIssues(_lab: Lab, node: LabNode): TopologyIssue[] {
  const a = serviceAddress(node);
  return Array.isArray(a) ? a : [];
}

export function requireService(node: LabNode): ServiceAddress {
  const a = serviceAddress(node);
  if (Array.isArray(a)) throw new Error(`node ${node.name}: ${a.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return a;
}

export function requireListen(node: LabNode): string {
  return requireService(node).address;
}

/** Loopback up, the service address on its interface, the route: before the daemon starts. */
export async function setUpServiceAddress(ctx: KindContext): Promise<void> {
  const svc = requireService(ctx.node);
  const v6 = isIP(svc.address) === 6;
  const steps = [
    ['ip', 'link', 'set', 'lo', 'up'],
    ['ip', 'addr', 'replace', svc.cidr, 'dev', svc.iface, ...(v6 ? ['nodad'] : [])],
    ...(svc.route ? [['ip', ...(v6 ? ['-6'] : []), 'route', 'replace', ...svc.route]] : []),
  ];
  for (const argv of steps) {
    const r = await ctx.runtime.exec(ctx.lab, ctx.node.name, argv);
    if (r.exitCode !== 0) throw new Error(`node ${ctx.node.name}: ${argv.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
  }
}

/** Resolves once a UDP socket in the node is bound to `address:port` (ss), rejects after timeoutMs. */
export async function waitUdpBound(ctx: KindContext, address: string, port: number, timeoutMs: number, logFile: string): Promise<void> {
  const local = isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
  let last = '';
  await waitUntil(() => ctx.runtime.exec(ctx.lab, ctx.node.name, ['ss', '-Hlun', 'sport', '=', `:${port}`]), (r) => {
    last = r.stdout.trim();
    return r.exitCode === 0 && last.split('\n').some((l) => l.split(/\s+/).includes(local));
  }, {
    what: `node ${ctx.node.name}: udp ${local} bound`,
    timeout: timeoutMs,
    interval: 50,
    signal: ctx.signal,
    onTimeout: () => new Error(`node ${ctx.node.name}: nothing bound to udp ${local} within ${timeoutMs} ms (sockets: ${last || 'none'}); see ${logFile}`),
  });
}

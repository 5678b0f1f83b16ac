/**
 * FRR control of one lab node: a persistent vty client per daemon (bgpd, zebra,
 * bfdd …) and typed queries over it. Clients are cached per socket path so every
 * probe, wait and fault of a run shares one connection per daemon.
 */
import { VtyClient, type VtyClientOptions } from '@bgpdns-lab/bgpdns';
import type { DeployedNode } from '../lab/handle.js';
import type { BfdPeer, BgpPath, BgpPrefixPaths, BgpSummary, BgpSummaryAf, BgpSummaryPeer } from './frr-json.js';

/** What FrrControl needs of a node: its name and where its daemons' vty sockets are. */
export type FrrNode = Pick<DeployedNode, 'name' | 'vtySocket'>;

/** What the harness asks of a daemon's vty: the socket client, or one that reaches the daemon another way. */
export type Vty = Pick<VtyClient, 'command' | 'json' | 'configure' | 'close'>;

const clients = new Map<string, Vty>();

/**
 * Sockets of nodes on another host are not this machine's to connect to: a route
 * (registered by the runtime that placed the node) returns a client that reaches the
 * daemon through that host's engine, or undefined for a socket that is local.
 */
export type VtyRoute = (socketPath: string) => Vty | undefined;
const routes: VtyRoute[] = [];

export function addVtyRoute(route: VtyRoute): void {
  routes.push(route);
}

/** Socket paths this process made its own clients for (each connects on first use), in order, each once: what a test checks no host boundary is crossed by. */
const connected: string[] = [];
export function vtySocketsConnected(): readonly string[] {
  return connected;
}

/** A client of its own (not shared) for a daemon's socket: routed when the node is on another host. */
export function newVtyClient(socketPath: string, opts?: VtyClientOptions): Vty {
  const routed = routes.reduce<Vty | undefined>((found, route) => found ?? route(socketPath), undefined);
  if (routed) return routed;
  if (!connected.includes(socketPath)) connected.push(socketPath);
  return new VtyClient(socketPath, opts);
}

/** Is the socket reached through a route (a node on another host), not on this machine's file system? */
export function vtyRouted(socketPath: string): boolean {
  return routes.some((route) => route(socketPath) !== undefined);
}

/** The shared client for a daemon's socket (created on first use). */
export function vtyClient(socketPath: string, opts?: VtyClientOptions): Vty {
  let c = clients.get(socketPath);
  if (!c) {
    c = newVtyClient(socketPath, opts);
    clients.set(socketPath, c);
  }
  return c;
}

/** Close every cached client whose socket is `dir` or lies under it (a destroyed lab's or node's directory), or all. */
export async function closeVtyClients(dir?: string): Promise<void> {
  const closing: Promise<void>[] = [];
  // With the slash: closing lab "a" must leave lab "ab" alone.
  const prefix = dir === undefined || dir.endsWith('/') ? dir : `${dir}/`;
  for (const [path, c] of clients) {
    if (dir === undefined || path === dir || path.startsWith(prefix!)) {
      clients.delete(path);
      closing.push(c.close());
    }
  }
  await Promise.all(closing);
}

export class FrrControl {
  constructor(readonly node: FrrNode) {}

  /** The vty client of one daemon of this node. */
  vty(daemon = 'bgpd'): Vty {
    return vtyClient(this.node.vtySocket(daemon));
  }

  /** Any command on a daemon (default bgpd); resolves with its text output. */
  command(command: string, daemon = 'bgpd'): Promise<string> {
    return this.vty(daemon).command(command);
  }

  json<T = unknown>(command: string, daemon = 'bgpd'): Promise<T> {
    return this.vty(daemon).json<T>(command);
  }

  /** `show bgp summary json`: every address family with configured peers. */
  bgpSummary(): Promise<BgpSummary> {
    return this.json<BgpSummary>('show bgp summary json');
  }

  /** Every peer of both address families, keyed "ipv4Unicast 198.18.1.1". */
  async bgpPeers(): Promise<Map<string, BgpSummaryPeer & { af: 'ipv4Unicast' | 'ipv6Unicast'; peer: string }>> {
    const summary = await this.bgpSummary();
    const peers = new Map<string, BgpSummaryPeer & { af: 'ipv4Unicast' | 'ipv6Unicast'; peer: string }>();
    for (const af of ['ipv4Unicast', 'ipv6Unicast'] as const) {
      const s: BgpSummaryAf | undefined = summary[af];
      for (const [peer, p] of Object.entries(s?.peers ?? {})) peers.set(`${af} ${peer}`, { ...p, af, peer });
    }
    return peers;
  }

  /** The paths this router holds for a prefix (`[]` when it has none). IPv6 when the prefix has a colon. */
  async prefixPaths(prefix: string): Promise<BgpPath[]> {
    const afi = prefix.includes(':') ? 'ipv6' : 'ipv4';
    const r = await this.json<BgpPrefixPaths>(`show bgp ${afi} unicast ${prefix} json`);
    return r.paths ?? [];
  }

  /** The best path for a prefix, or undefined when the router has no route for it. */
  async bestPath(prefix: string): Promise<BgpPath | undefined> {
    return (await this.prefixPaths(prefix)).find((p) => p.bestpath?.overall);
  }

  /** `show bfd peers json` from bfdd. */
  bfdPeers(): Promise<BfdPeer[]> {
    return this.json<BfdPeer[]>('show bfd peers json', 'bfdd');
  }

  /** Push configuration lines (`configure terminal` … `end`) to a daemon, default bgpd. */
  configure(lines: string[], daemon = 'bgpd'): Promise<void> {
    return this.vty(daemon).configure(lines);
  }
}

/** FRR control for a node: `frr(lab.node('isp1')).bestPath('198.18.16.0/20')`. */
export function frr(node: FrrNode): FrrControl {
  return new FrrControl(node);
}

/** The ASNs of a path's AS_PATH, leftmost (neighbor AS) first. */
export function asPathList(path: BgpPath): number[] {
  if (path.aspath.segments) return path.aspath.segments.flatMap((s) => s.list);
  return path.aspath.string
    .split(/\s+/)
    .filter((x) => /^\d+$/.test(x))
    .map(Number);
}

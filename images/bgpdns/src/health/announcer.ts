/**
 * Announces or withdraws the service prefix in FRR's bgpd through its vty socket:
 *   router bgp ASN / address-family ipv4 unicast / [no] network P [route-map M]
 * A third mode, "graceful", keeps announcing through a route-map (e.g. one that adds
 * the GRACEFUL_SHUTDOWN community, RFC 8326, which the routers turn into a worse
 * MED) so traffic moves away before the route is withdrawn: a drain loses nothing.
 * The agent keeps a desired mode and calls `apply` until bgpd has it, so a bgpd
 * that restarted (and lost a runtime `network` line) is corrected on the next tick.
 */
import { isIPv6 } from 'node:net';
import { VtyClient } from '../frr/vty-client.js';

export interface AnnouncerOptions {
  /** Path of bgpd's vty socket, e.g. /run/frr/bgpd.vty. */
  vtySocket: string;
  asn: number;
  /** The service prefix, e.g. 198.18.53.53/32. */
  prefix: string;
  /** Route-map applied to the `network` line in graceful mode. */
  gracefulRouteMap?: string;
}

export type AnnounceMode = 'announce' | 'graceful' | 'withdraw';

export class Announcer {
  private readonly vty: VtyClient;
  /** What bgpd was last told successfully; undefined until the first apply. */
  private applied?: AnnounceMode;

  constructor(readonly opts: AnnouncerOptions) {
    this.vty = new VtyClient(opts.vtySocket, { connectTimeoutMs: 1000, commandTimeoutMs: 2000 });
  }

  /** Whether bgpd is known to hold the desired mode. */
  isApplied(mode: AnnounceMode): boolean {
    return this.applied === mode;
  }

  /** Tell bgpd to announce, announce gracefully, or withdraw the prefix. Throws a VtyError naming the failing line. */
  async apply(mode: AnnounceMode): Promise<void> {
    const family = isIPv6(this.opts.prefix.split('/')[0]) ? 'ipv6' : 'ipv4';
    if (mode === 'graceful' && !this.opts.gracefulRouteMap) throw new Error('graceful announcement needs a drain route-map (--drain-route-map)');
    const line =
      mode === 'withdraw'
        ? `no network ${this.opts.prefix}`
        : mode === 'graceful'
          ? `network ${this.opts.prefix} route-map ${this.opts.gracefulRouteMap}`
          : `network ${this.opts.prefix}`;
    await this.vty.configure([`router bgp ${this.opts.asn}`, `address-family ${family} unicast`, line, 'exit-address-family']);
    this.applied = mode;
  }

  /** Forget what was applied (after a vty error, bgpd's state is unknown). */
  invalidate(): void {
    this.applied = undefined;
  }

  close(): Promise<void> {
    return this.vty.close();
  }
}

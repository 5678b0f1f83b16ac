/**
 * Announces or withdraws the service prefix in FRR's bgpd through its vty socket:
 *   router bgp ASN / address-family ipv4 unicast / [no] network P
 * The agent keeps a desired state and calls `apply` until bgpd has it, so a bgpd
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
}

export class Announcer {
  private readonly vty: VtyClient;
  /** What bgpd was last told successfully; undefined until the first apply. */
  private applied?: boolean;

  constructor(readonly opts: AnnouncerOptions) {
    this.vty = new VtyClient(opts.vtySocket, { connectTimeoutMs: 1000, commandTimeoutMs: 2000 });
  }

  /** Whether bgpd is known to hold the desired state. */
  isApplied(announce: boolean): boolean {
    return this.applied === announce;
  }

  /** Tell bgpd to announce (true) or withdraw (false) the prefix. Throws a VtyError naming the failing line. */
  async apply(announce: boolean): Promise<void> {
    const family = isIPv6(this.opts.prefix.split('/')[0]) ? 'ipv6' : 'ipv4';
    await this.vty.configure([
      `router bgp ${this.opts.asn}`,
      `address-family ${family} unicast`,
      `${announce ? '' : 'no '}network ${this.opts.prefix}`,
      'exit-address-family',
    ]);
    this.applied = announce;
  }

  /** Forget what was applied (after a vty error, bgpd's state is unknown). */
  invalidate(): void {
    this.applied = undefined;
  }

  close(): Promise<void> {
    return this.vty.close();
  }
}

/**
 * Announces or withdraws the service prefix in FRR's bgpd through its vty socket:
 *   router bgp ASN / address-family ipv4 unicast / [no] network P [route-map M]
 * A third mode, "graceful", keeps announcing through a route-map (e.g. one that adds
 * the GRACEFUL_SHUTDOWN community, RFC 8326, which the routers turn into a worse
 * MED) so traffic moves away before the route is withdrawn: a drain loses nothing.
 *
 * `ensure` asserts the desired mode against bgpd itself, not against our memory:
 * it asks bgpd whether it holds a locally sourced path for the prefix and re-applies
 * when that disagrees, or when the vty connection had to be re-opened since the last
 * apply (a restarted bgpd has forgotten a runtime `network` line or route-map). The
 * agent calls it on every interval, so a restarted bgpd is corrected within one.
 */
import { isIPv6 } from 'node:net';
import { VtyClient, VtyError } from '../frr/vty-client.js';

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

interface BgpPrefixJson {
  paths?: { sourced?: boolean }[];
}

export class Announcer {
  private readonly vty: VtyClient;
  /** What bgpd was last told successfully; undefined until the first apply. */
  private applied?: AnnounceMode;
  /** Set by invalidate(): why bgpd's state is unknown. */
  private unknownBecause = 'first apply';
  /** vty connections opened when it was applied. */
  private appliedOnConnection = 0;
  private readonly family: 'ipv4' | 'ipv6';

  constructor(readonly opts: AnnouncerOptions) {
    this.vty = new VtyClient(opts.vtySocket, { connectTimeoutMs: 1000, commandTimeoutMs: 2000 });
    this.family = isIPv6(opts.prefix.split('/')[0]) ? 'ipv6' : 'ipv4';
  }

  /** Whether bgpd is known to hold the desired mode. */
  isApplied(mode: AnnounceMode): boolean {
    return this.applied === mode;
  }

  /** Tell bgpd to announce, announce gracefully, or withdraw the prefix. Throws a VtyError naming the failing line. */
  async apply(mode: AnnounceMode): Promise<void> {
    if (mode === 'graceful' && !this.opts.gracefulRouteMap) throw new Error('graceful announcement needs a drain route-map (--drain-route-map)');
    const line =
      mode === 'withdraw'
        ? `no network ${this.opts.prefix}`
        : mode === 'graceful'
          ? `network ${this.opts.prefix} route-map ${this.opts.gracefulRouteMap}`
          : `network ${this.opts.prefix}`;
    try {
      await this.vty.configure([`router bgp ${this.opts.asn}`, `address-family ${this.family} unicast`, line, 'exit-address-family']);
    } catch (err) {
      // bgpd has no such `network` line (e.g. it restarted without one): withdrawn already.
      if (!(mode === 'withdraw' && err instanceof VtyError && /can't find static route/i.test(err.output ?? ''))) throw err;
    }
    this.applied = mode;
    this.appliedOnConnection = this.vty.opened;
  }

  /** Whether bgpd holds a locally sourced (`network`) path for the prefix right now. */
  async holdsLocalPath(): Promise<boolean> {
    const out = await this.vty.json<BgpPrefixJson>(`show bgp ${this.family} unicast ${this.opts.prefix} json`);
    return (out.paths ?? []).some((p) => p.sourced === true);
  }

  /**
   * Make bgpd hold `mode`, checking bgpd rather than trusting memory. Returns why it
   * had to (re-)apply, or undefined when bgpd already held it.
   */
  async ensure(mode: AnnounceMode): Promise<string | undefined> {
    const holds = await this.holdsLocalPath();
    let why: string | undefined;
    if (this.applied !== mode) why = this.applied === undefined ? this.unknownBecause : `desired ${mode}, last applied ${this.applied}`;
    else if (holds !== (mode !== 'withdraw')) why = holds ? 'bgpd holds a path that should be withdrawn' : 'bgpd lost the announcement (restarted?)';
    else if (this.vty.opened !== this.appliedOnConnection) why = 'vty connection re-opened (bgpd restarted?)';
    if (why) await this.apply(mode);
    return why;
  }

  /** Forget what was applied (after a vty error, bgpd's state is unknown). */
  invalidate(): void {
    this.applied = undefined;
    this.unknownBecause = 'bgpd state unknown after a vty error';
  }

  close(): Promise<void> {
    return this.vty.close();
  }
}

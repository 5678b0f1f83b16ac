/**
 * The peers a RIB knows, as parallel arrays indexed by a small peer id, so the
 * best-path comparison reads numbers and never follows object pointers.
 */
import { Afi } from '../bgp/types.js';
import { parseAddress } from './address.js';

export interface RibPeerConfig {
  /** The peer's address (transport), e.g. "198.18.1.1" or "2001:db8:1::1". */
  address: string;
  asn: number;
  /** FRR `neighbor X weight N`: highest weight wins first. Default 0. */
  weight?: number;
  /** Local preference given to every path from this peer (an inbound `set local-preference`). */
  localPref?: number;
  /** Free-form label for logs and statistics. */
  name?: string;
}

export const DEFAULT_LOCAL_PREF = 100;

/** "a.b.c.d" → unsigned 32-bit number (BGP identifier), 0 when absent or malformed. */
export function routerIdNumber(text: string | undefined): number {
  if (!text) return 0;
  const parsed = parseAddress(text);
  return parsed && parsed.afi === Afi.IPv4 ? parsed.words[0] : 0;
}

export class PeerTable {
  private configs: (RibPeerConfig | undefined)[] = [];
  asn: number[] = [];
  weight: number[] = [];
  /** -1 when the peer's own LOCAL_PREF (iBGP) or the default applies. */
  localPrefOverride: number[] = [];
  ebgp: boolean[] = [];
  routerId: number[] = [];
  established: boolean[] = [];
  /** Sort key reproducing FRR's sockunion_cmp: family first (AF_INET before AF_INET6), then address bytes. */
  addressKey: string[] = [];
  private established_count = 0;

  constructor(readonly localAsn: number) {}

  /** A new peer id for `config`, or `reuse` (an id none of whose paths is left) set up afresh. */
  add(config: RibPeerConfig, reuse?: number): number {
    const parsed = parseAddress(config.address);
    if (!parsed) throw new Error(`peer address "${config.address}" is not an IPv4 or IPv6 address`);
    const id = reuse ?? this.configs.length;
    if (id > 0xffff) throw new Error('too many peers (at most 65536)');
    if (reuse !== undefined && this.established[id]) this.established_count--;
    const family = parsed.afi === Afi.IPv4 ? '02' : '0a';
    this.configs[id] = config;
    this.asn[id] = config.asn;
    this.weight[id] = config.weight ?? 0;
    this.localPrefOverride[id] = config.localPref ?? -1;
    this.ebgp[id] = config.asn !== this.localAsn;
    this.routerId[id] = 0;
    this.established[id] = false;
    this.addressKey[id] = family + Array.from(parsed.words, (w) => w.toString(16).padStart(8, '0')).join('');
    return id;
  }

  get count(): number {
    return this.configs.length;
  }

  get establishedCount(): number {
    return this.established_count;
  }

  config(id: number): RibPeerConfig {
    const c = this.configs[id];
    if (!c) throw new Error(`unknown peer id ${id}`);
    return c;
  }

  setEstablished(id: number, up: boolean, routerId?: string): void {
    if (this.established[id] !== up) this.established_count += up ? 1 : -1;
    this.established[id] = up;
    if (routerId !== undefined) this.routerId[id] = routerIdNumber(routerId);
  }
}

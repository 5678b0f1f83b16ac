/** The client the ranking is for: the query source, or a valid EDNS client subnet. */
import { ipv4ToNumber } from '../zone/zone.js';
import type { ClientSubnet } from '../wire/ecs.js';
import { EcsFamily } from '../wire/ecs.js';
import ipaddr from 'ipaddr.js';

export interface ClientAddress {
  /** Text for the ranker. */
  readonly text: string;
  /** Prefix length when it is a subnet (ECS), else the full length. */
  prefixLen: number;
  /** Set when the request carried a subnet (sent to the ranker as clientPrefixLen). */
  isSubnet: boolean;
  v4: number | null;
  v6: Buffer | null;
}

export function clientFromSource(address: string): ClientAddress {
  const v4 = ipv4ToNumber(address);
  if (v4 !== null) return { text: address, prefixLen: 32, isSubnet: false, v4, v6: null };
  let v6: Buffer | null = null;
  try {
    const parsed = ipaddr.parse(address);
    if (parsed.kind() === 'ipv6') {
      const p6 = parsed as ipaddr.IPv6;
      if (p6.isIPv4MappedAddress()) {
        const text = p6.toIPv4Address().toString();
        return { text, prefixLen: 32, isSubnet: false, v4: ipv4ToNumber(text), v6: null };
      }
      v6 = Buffer.from(p6.toByteArray());
    }
  } catch {
    v6 = null;
  }
  return { text: address, prefixLen: 128, isSubnet: false, v4: null, v6 };
}

/** The subnet's text is read only when the sorter is asked; the cache lookup needs just the bits. */
class SubnetClient implements ClientAddress {
  readonly isSubnet = true;
  readonly prefixLen: number;
  readonly v4: number | null = null;
  readonly v6: Buffer | null = null;

  constructor(private readonly ecs: ClientSubnet) {
    this.prefixLen = ecs.sourcePrefix;
    const a = ecs.address;
    if (ecs.family === EcsFamily.IPv4) this.v4 = (((a[0] ?? 0) << 24) | ((a[1] ?? 0) << 16) | ((a[2] ?? 0) << 8) | (a[3] ?? 0)) >>> 0;
    else {
      this.v6 = Buffer.alloc(16);
      a.copy(this.v6);
    }
  }

  get text(): string {
    return this.ecs.text;
  }
}

export function clientFromSubnet(ecs: ClientSubnet): ClientAddress {
  return new SubnetClient(ecs);
}

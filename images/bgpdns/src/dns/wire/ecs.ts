/**
 * EDNS Client Subnet option (RFC 7871 §6): validation of a query's option and
 * the echoed option of the response (§7.2.1: same family, source prefix and
 * address, our SCOPE PREFIX-LENGTH).
 */
import { EdnsOption } from './types.js';

/** ECS address families. RFC 7871 §6 (IANA Address Family Numbers). */
export const enum EcsFamily {
  IPv4 = 1,
  IPv6 = 2,
}

export interface ClientSubnet {
  family: EcsFamily;
  sourcePrefix: number;
  scopePrefix: number;
  /** The address bytes as sent: ceil(sourcePrefix / 8) of them (a view into the query). */
  address: Buffer;
  /** The full address (zero-filled) as text, for the ranker. */
  readonly text: string;
}

/** The text is only needed when the sorter is asked (a cache miss), so it is computed on demand. */
class ParsedSubnet implements ClientSubnet {
  private cachedText: string | null = null;
  constructor(
    readonly family: EcsFamily,
    readonly sourcePrefix: number,
    readonly scopePrefix: number,
    readonly address: Buffer,
  ) {}

  get text(): string {
    if (this.cachedText === null) {
      const full = Buffer.alloc(this.family === EcsFamily.IPv4 ? 4 : 16);
      this.address.copy(full);
      this.cachedText = bytesToAddress(full);
    }
    return this.cachedText;
  }
}

/** Returns the subnet or the reason for FORMERR. */
export function validateClientSubnet(data: Buffer): ClientSubnet | string {
  if (data.length < 4) return 'client subnet option shorter than 4 bytes';
  const family = data.readUInt16BE(0);
  const sourcePrefix = data[2];
  const scopePrefix = data[3];
  const maxBits = family === EcsFamily.IPv4 ? 32 : family === EcsFamily.IPv6 ? 128 : 0;
  if (!maxBits) return `client subnet family ${family} is neither 1 (IPv4) nor 2 (IPv6)`;
  if (sourcePrefix > maxBits) return `client subnet source prefix /${sourcePrefix} is longer than ${maxBits} bits`;
  if (scopePrefix !== 0) return 'client subnet scope prefix must be 0 in queries';
  const address = data.subarray(4);
  const want = Math.ceil(sourcePrefix / 8);
  if (address.length !== want) return `client subnet address has ${address.length} bytes, /${sourcePrefix} needs ${want}`;
  if (sourcePrefix % 8 !== 0 && want > 0) {
    const hostMask = 0xff >> sourcePrefix % 8;
    if (address[want - 1] & hostMask) return `client subnet address has bits set beyond /${sourcePrefix}`;
  }
  return new ParsedSubnet(family, sourcePrefix, scopePrefix, address);
}

export function bytesToAddress(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
  // RFC 5952 §4.2.3: compress the longest run of zero groups (first if tied, length ≥ 2).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** The option to echo in a response, SCOPE PREFIX-LENGTH set. */
export function encodeClientSubnetOption(ecs: ClientSubnet, scopePrefix: number): Buffer {
  const out = Buffer.alloc(clientSubnetOptionLength(ecs));
  writeClientSubnetOption(out, 0, ecs, scopePrefix);
  return out;
}

export function clientSubnetOptionLength(ecs: ClientSubnet): number {
  return 8 + ecs.address.length;
}

/** Writes the echoed option at `at`; returns the offset after it. */
export function writeClientSubnetOption(out: Buffer, at: number, ecs: ClientSubnet, scopePrefix: number): number {
  out.writeUInt16BE(EdnsOption.ClientSubnet, at);
  out.writeUInt16BE(4 + ecs.address.length, at + 2);
  out.writeUInt16BE(ecs.family, at + 4);
  out[at + 6] = ecs.sourcePrefix;
  out[at + 7] = scopePrefix;
  ecs.address.copy(out, at + 8);
  return at + 8 + ecs.address.length;
}

/**
 * A compiled tinydns data file: records by owner key and the client-location
 * table. Immutable once built; reload builds a new Zone and swaps it in.
 */
import type { DataFile, RdataPart } from '../tinydns-data/records.js';

export interface ZoneRecord {
  type: number;
  ttl: number;
  timestamp?: number;
  location?: string;
  rdata: RdataPart[];
}

/** Location table key: prefix length in octets × 2^32 + the masked address (exact in a double). */
function locationKey(octets: number, masked: number): number {
  return octets * 0x1_0000_0000 + masked;
}

const octetMasks = [0, 0xff000000, 0xffff0000, 0xffffff00, 0xffffffff];

export class Zone {
  private constructor(
    readonly byKey: Map<string, ZoneRecord[]>,
    private readonly locations: Map<number, string>,
    /** Any record with a timestamp: answers then depend on the clock and are not cached. */
    readonly hasTimestamps: boolean,
    readonly recordCount: number,
  ) {}

  static fromData(data: DataFile): Zone {
    const byKey = new Map<string, ZoneRecord[]>();
    let hasTimestamps = false;
    for (const r of data.records) {
      const key = r.owner.toString('latin1');
      const rec: ZoneRecord = { type: r.type, ttl: r.ttl, rdata: r.rdata };
      if (r.timestamp !== undefined) {
        rec.timestamp = r.timestamp;
        hasTimestamps = true;
      }
      if (r.location !== undefined) rec.location = r.location;
      const list = byKey.get(key);
      if (list) list.push(rec);
      else byKey.set(key, [rec]);
    }
    const locations = new Map<number, string>();
    for (const l of data.locations) {
      let addr = 0;
      for (let i = 0; i < l.prefix.length; i++) addr += l.prefix[i] * 2 ** (24 - 8 * i);
      const key = locationKey(l.prefix.length, addr);
      // tinydns keeps the first line for a prefix (cdb returns the first insert).
      if (!locations.has(key)) locations.set(key, l.code);
    }
    return new Zone(byKey, locations, hasTimestamps, data.records.length);
  }

  get hasLocations(): boolean {
    return this.locations.size > 0;
  }

  /** tinydns's client location: the longest `%` prefix (whole octets) holding the IPv4 client; '' if none. */
  locationOf(ipv4: number | null): string {
    if (this.locations.size === 0) return '';
    if (ipv4 === null) return this.locations.get(locationKey(0, 0)) ?? '';
    for (let octets = 4; octets >= 0; octets--) {
      const code = this.locations.get(locationKey(octets, (ipv4 & octetMasks[octets]) >>> 0));
      if (code !== undefined) return code;
    }
    return '';
  }
}

/** Dotted IPv4 text → 32-bit number, or null for anything else (IPv6 clients have no tinydns location). */
export function ipv4ToNumber(address: string): number | null {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || ++dots > 3) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      octet = octet * 10 + (c - 0x30);
      if (++digits > 3 || octet > 255) return null;
    } else return null;
  }
  if (dots !== 3 || digits === 0) return null;
  return value * 256 + octet;
}

/**
 * MRT TABLE_DUMP_V2 (RFC 6396 §4.3) reading and writing for the injector.
 * Pure record codec plus a streaming reader that groups RIB entries by their
 * path attributes, so that the injector can pack many prefixes per UPDATE.
 */
import { Afi, type PathAttributes } from '../bgp/types.js';
import { decodeAttributes, writeAttributes } from '../bgp/attributes.js';
import { AttrFlag, AttrType } from '../bgp/attribute-types.js';
import { ByteWriter, readU16, readU32 } from '../bgp/writer.js';
import { parseIpv4, parseIpv6 } from '../bgp/addresses.js';
import { GroupBuilder, type Table } from './table.js';

/** MRT types. RFC 6396 §4. */
export const enum MrtType {
  TableDumpV2 = 13,
}

/** TABLE_DUMP_V2 subtypes. RFC 6396 §4.3, RFC 8050 (ADD-PATH variants, skipped). */
export const enum TableDumpV2Subtype {
  PeerIndexTable = 1,
  RibIpv4Unicast = 2,
  RibIpv4Multicast = 3,
  RibIpv6Unicast = 4,
  RibIpv6Multicast = 5,
  RibGeneric = 6,
}

export const MRT_HEADER_LENGTH = 12;

export interface MrtPeer {
  bgpId: string;
  address: Uint8Array;
  asn: number;
}

/** Where the reader found trouble, with the record number for the error message. */
export class MrtError extends Error {
  constructor(source: string, record: number, reason: string) {
    super(`${source}: MRT record ${record}: ${reason}`);
    this.name = 'MrtError';
  }
}

export interface MrtReadOptions {
  /** Which peer's entries to take (index in the PEER_INDEX_TABLE); default: the first entry of each prefix. */
  peerIndex?: number;
  /** For error messages: the file name. */
  source?: string;
}

export interface MrtStats {
  records: number;
  ribEntries: number;
  skippedRecords: number;
  peers: MrtPeer[];
}

/**
 * Accumulates MRT bytes (in chunks of any size) into a Table.
 * Only TABLE_DUMP_V2 unicast RIB records are used; other records are counted and skipped.
 */
export class MrtTableReader {
  private pending: Uint8Array = new Uint8Array(0);
  private readonly groups = new GroupBuilder();
  readonly stats: MrtStats = { records: 0, ribEntries: 0, skippedRecords: 0, peers: [] };
  private readonly source: string;

  constructor(private readonly options: MrtReadOptions = {}) {
    this.source = options.source ?? 'MRT input';
  }

  push(chunk: Uint8Array): void {
    let buf = chunk;
    if (this.pending.length) {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending);
      buf.set(chunk, this.pending.length);
    }
    let at = 0;
    while (buf.length - at >= MRT_HEADER_LENGTH) {
      const length = readU32(buf, at + 8);
      if (buf.length - at - MRT_HEADER_LENGTH < length) break;
      this.record(buf, at, length);
      at += MRT_HEADER_LENGTH + length;
    }
    this.pending = buf.slice(at);
  }

  finish(): Table {
    if (this.pending.length) {
      throw new MrtError(this.source, this.stats.records + 1, `truncated: ${this.pending.length} octets left after the last whole record`);
    }
    if (this.stats.ribEntries === 0) throw new MrtError(this.source, this.stats.records, 'no TABLE_DUMP_V2 unicast RIB entries found');
    return this.groups.finish();
  }

  private record(buf: Uint8Array, at: number, length: number): void {
    this.stats.records++;
    const type = readU16(buf, at + 4);
    const subtype = readU16(buf, at + 6);
    const body = at + MRT_HEADER_LENGTH;
    const end = body + length;
    if (type !== MrtType.TableDumpV2) {
      this.stats.skippedRecords++;
      return;
    }
    try {
      if (subtype === TableDumpV2Subtype.PeerIndexTable) this.peerIndexTable(buf, body, end);
      else if (subtype === TableDumpV2Subtype.RibIpv4Unicast) this.rib(buf, body, end, Afi.IPv4);
      else if (subtype === TableDumpV2Subtype.RibIpv6Unicast) this.rib(buf, body, end, Afi.IPv6);
      else this.stats.skippedRecords++;
    } catch (err) {
      if (err instanceof MrtError) throw err;
      throw new MrtError(this.source, this.stats.records, (err as Error).message);
    }
  }

  private fail(reason: string): never {
    throw new MrtError(this.source, this.stats.records, reason);
  }

  private peerIndexTable(buf: Uint8Array, at: number, end: number): void {
    // Collector BGP ID (4), view name length (2) + name, peer count (2), peer entries. RFC 6396 §4.3.1.
    const viewLen = readU16(buf, at + 4);
    at += 6 + viewLen;
    const count = readU16(buf, at);
    at += 2;
    for (let i = 0; i < count; i++) {
      if (at + 5 > end) this.fail('peer entry runs past the record');
      const peerType = buf[at];
      const ipLen = peerType & 1 ? 16 : 4;
      const asLen = peerType & 2 ? 4 : 2;
      const bgpId = `${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}.${buf[at + 4]}`;
      at += 5;
      if (at + ipLen + asLen > end) this.fail('peer entry runs past the record');
      const address = buf.slice(at, at + ipLen);
      at += ipLen;
      const asn = asLen === 4 ? readU32(buf, at) : readU16(buf, at);
      at += asLen;
      this.stats.peers.push({ bgpId, address, asn });
    }
  }

  private rib(buf: Uint8Array, at: number, end: number, afi: Afi): void {
    // Sequence (4), prefix length (1), prefix, entry count (2), entries. RFC 6396 §4.3.2.
    const len = buf[at + 4];
    if (len > (afi === Afi.IPv4 ? 32 : 128)) this.fail(`prefix length ${len}`);
    const prefixBytes = (len + 7) >> 3;
    const nlri = buf.slice(at + 4, at + 5 + prefixBytes);
    at += 5 + prefixBytes;
    const count = readU16(buf, at);
    at += 2;
    const wanted = this.options.peerIndex;
    for (let i = 0; i < count; i++) {
      if (at + 8 > end) this.fail('RIB entry runs past the record');
      const peer = readU16(buf, at);
      const attrLen = readU16(buf, at + 6);
      const attrStart = at + 8;
      const attrEnd = attrStart + attrLen;
      if (attrEnd > end) this.fail('RIB entry attributes run past the record');
      at = attrEnd;
      if (wanted === undefined ? i !== 0 : peer !== wanted) continue;
      const kept = withoutNextHops(buf, attrStart, attrEnd);
      const key = `${afi}:${Buffer.from(kept.buffer, kept.byteOffset, kept.length).toString('latin1')}`;
      this.groups.add(key, afi, () => this.attributes(kept), nlri);
      this.stats.ribEntries++;
    }
  }

  private attributes(bytes: Uint8Array): PathAttributes {
    // TABLE_DUMP_V2 always carries 4-octet AS_PATHs (RFC 6396 §4.3.4).
    const d = decodeAttributes(bytes, 0, bytes.length, { fourOctetAs: true });
    if (d.treatAsWithdraw) this.fail(`malformed attributes: ${d.issues.map((i) => i.reason).join('; ')}`);
    return d.attrs;
  }
}

/** Copies the attributes minus NEXT_HOP and MP_REACH_NLRI (the injector sets its own next hop). */
function withoutNextHops(buf: Uint8Array, start: number, end: number): Uint8Array {
  const w = new ByteWriter(end - start);
  let at = start;
  while (at < end) {
    if (at + 3 > end) throw new Error('attribute header runs past the entry');
    const flags = buf[at];
    const type = buf[at + 1];
    const hdr = flags & AttrFlag.ExtendedLength ? 4 : 3;
    const len = hdr === 4 ? readU16(buf, at + 2) : buf[at + 2];
    const next = at + hdr + len;
    if (next > end) throw new Error(`attribute ${type} runs past the entry`);
    if (type !== AttrType.NextHop && type !== AttrType.MpReachNlri) w.bytes(buf.subarray(at, next));
    at = next;
  }
  return w.finish();
}

// ---- writing (test files, `bgpdns inject --write-mrt`) ----

function mrtRecord(subtype: number, body: Uint8Array, timestamp: number): Uint8Array {
  const w = new ByteWriter(MRT_HEADER_LENGTH + body.length);
  w.u32(timestamp).u16(MrtType.TableDumpV2).u16(subtype).u32(body.length).bytes(body);
  return w.finish();
}

export interface MrtWriteOptions {
  /** The one peer the dump says the routes came from. */
  peer: { bgpId: string; address: string; asn: number };
  collectorId: string;
  timestamp: number;
}

/**
 * Encodes a table as TABLE_DUMP_V2 records: a PEER_INDEX_TABLE with one peer,
 * then one RIB record per prefix with one entry. Yields record batches.
 */
export function* writeMrtTable(table: Table, o: MrtWriteOptions): Generator<Uint8Array> {
  const peerIp = o.peer.address.includes(':') ? parseIpv6(o.peer.address) : parseIpv4(o.peer.address);
  const collector = parseIpv4(o.collectorId);
  const peerId = parseIpv4(o.peer.bgpId);
  if (!peerIp || !collector || !peerId) throw new Error('MRT writer: peer address, peer BGP ID and collector ID must be IP addresses');
  const pit = new ByteWriter(64);
  pit.bytes(collector).u16(0).u16(1).u8((peerIp.length === 16 ? 1 : 0) | 2).bytes(peerId).bytes(peerIp).u32(o.peer.asn);
  yield mrtRecord(TableDumpV2Subtype.PeerIndexTable, pit.finish(), o.timestamp);
  let sequence = 0;
  const nh6 = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]);
  for (const g of table.groups) {
    const attrs = new ByteWriter(64);
    const withPeer: PathAttributes = { ...g.attrs, asPath: [{ type: 2, asns: [o.peer.asn] }, ...g.attrs.asPath] };
    if (g.afi === Afi.IPv4) withPeer.nextHop = o.peer.address.includes(':') ? '198.18.0.1' : o.peer.address;
    else delete withPeer.nextHop;
    writeAttributes(attrs, withPeer, { fourOctetAs: true });
    if (g.afi === Afi.IPv6) {
      // Abbreviated MP_REACH_NLRI: next hop length and next hop only. RFC 6396 §4.3.4.
      attrs.u8(AttrFlag.Optional).u8(AttrType.MpReachNlri).u8(17).u8(16).bytes(peerIp.length === 16 ? peerIp : nh6);
    }
    const attrBytes = attrs.finish();
    const out: Uint8Array[] = [];
    let at = 0;
    while (at < g.nlri.length) {
      const size = 1 + ((g.nlri[at] + 7) >> 3);
      const body = new ByteWriter(16 + size + attrBytes.length);
      body.u32(sequence++).bytes(g.nlri.subarray(at, at + size)).u16(1).u16(0).u32(o.timestamp).u16(attrBytes.length).bytes(attrBytes);
      out.push(mrtRecord(g.afi === Afi.IPv4 ? TableDumpV2Subtype.RibIpv4Unicast : TableDumpV2Subtype.RibIpv6Unicast, body.finish(), o.timestamp));
      at += size;
    }
    yield Buffer.concat(out);
  }
}

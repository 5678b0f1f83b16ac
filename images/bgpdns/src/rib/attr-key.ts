/**
 * The intern key of a path-attribute set as bytes: every field in a fixed order
 * behind a presence bitmap, numbers as big-endian 32-bit words, addresses as
 * their text in ASCII. Two sets are equal exactly when their keys are (the
 * encoding is canonical), and the key decodes back to the set. A full table's
 * keys live in one byte arena (key-arena.ts) instead of ~200,000 heap strings:
 * measured on a 1.2 M-prefix DFZ-shaped table, the text keys and their Map were
 * 31 of the sorter's 61 MB of heap, and every one of them was work for the GC.
 */
import { AsPathSegmentType, type AsPathSegment, type Origin, type PathAttributes } from '../bgp/types.js';
import type { ByteWriter } from '../bgp/writer.js';

// Presence bits (first two octets after the origin).
const MED = 1;
const LOCAL_PREF = 2;
const ATOMIC = 4;
const AGGREGATOR = 8;
const COMMUNITIES = 16;
const EXTENDED = 32;
const LARGE = 64;
const ORIGINATOR = 128;
const CLUSTER = 256;
const UNKNOWN = 512;
const NEXT_HOP = 1024;
const LINK_LOCAL = 2048;
/** Origin octet when the set has none. */
const NO_ORIGIN = 0xff;

/** An address or other short ASCII text, length-prefixed. */
function text(w: ByteWriter, s: string): void {
  if (s.length > 0xff) throw new Error(`attribute text of ${s.length} characters cannot be interned`);
  w.u8(s.length);
  for (let i = 0; i < s.length; i++) w.u8(s.charCodeAt(i));
}

function bytes(w: ByteWriter, v: Uint8Array): void {
  w.u16(v.length).bytes(v);
}

/** Appends the key of `a` to `w` (a writer reused with pos = 0 allocates nothing once large enough). */
export function writeAttributeKey(a: PathAttributes, w: ByteWriter): void {
  let present = 0;
  if (a.med !== undefined) present |= MED;
  if (a.localPref !== undefined) present |= LOCAL_PREF;
  if (a.atomicAggregate) present |= ATOMIC;
  if (a.aggregator) present |= AGGREGATOR;
  if (a.communities?.length) present |= COMMUNITIES;
  if (a.extendedCommunities?.length) present |= EXTENDED;
  if (a.largeCommunities?.length) present |= LARGE;
  if (a.originatorId !== undefined) present |= ORIGINATOR;
  if (a.clusterList?.length) present |= CLUSTER;
  if (a.unknown?.length) present |= UNKNOWN;
  if (a.nextHop !== undefined) present |= NEXT_HOP;
  if (a.nextHopLinkLocal !== undefined) present |= LINK_LOCAL;
  w.u8(a.origin ?? NO_ORIGIN);
  w.u16(present);
  w.u16(a.asPath.length);
  for (const seg of a.asPath) {
    w.u8(seg.type);
    w.u16(seg.asns.length);
    for (const asn of seg.asns) w.u32(asn);
  }
  if (present & NEXT_HOP) text(w, a.nextHop!);
  if (present & LINK_LOCAL) text(w, a.nextHopLinkLocal!);
  if (present & MED) w.u32(a.med!);
  if (present & LOCAL_PREF) w.u32(a.localPref!);
  if (present & AGGREGATOR) {
    w.u32(a.aggregator!.asn);
    text(w, a.aggregator!.address);
  }
  if (present & COMMUNITIES) {
    w.u16(a.communities!.length);
    for (const c of a.communities!) w.u32(c);
  }
  if (present & EXTENDED) {
    w.u16(a.extendedCommunities!.length);
    for (const x of a.extendedCommunities!) bytes(w, x);
  }
  if (present & LARGE) {
    w.u16(a.largeCommunities!.length);
    for (const c of a.largeCommunities!) {
      w.u32(c.global);
      w.u32(c.local1);
      w.u32(c.local2);
    }
  }
  if (present & ORIGINATOR) text(w, a.originatorId!);
  if (present & CLUSTER) {
    w.u16(a.clusterList!.length);
    for (const id of a.clusterList!) text(w, id);
  }
  if (present & UNKNOWN) {
    w.u16(a.unknown!.length);
    for (const u of a.unknown!) {
      w.u8(u.flags);
      w.u8(u.type);
      bytes(w, u.value);
    }
  }
}

/** Reads a key written by writeAttributeKey back into an attribute set. */
export function readAttributeKey(buf: Uint8Array, start: number, end: number): PathAttributes {
  let at = start;
  const need = (n: number): void => {
    if (at + n > end) throw new Error(`attribute key truncated at octet ${at - start} of ${end - start}`);
  };
  const u8 = (): number => {
    need(1);
    return buf[at++];
  };
  const u16 = (): number => {
    need(2);
    const v = (buf[at] << 8) | buf[at + 1];
    at += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
    at += 4;
    return v;
  };
  const readText = (): string => {
    const n = u8();
    need(n);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(buf[at + i]);
    at += n;
    return s;
  };
  const readBytes = (): Uint8Array => {
    const n = u16();
    need(n);
    const v = buf.slice(at, at + n);
    at += n;
    return v;
  };
  const list = <T>(read: () => T): T[] => Array.from({ length: u16() }, read);
  const a: PathAttributes = { asPath: [] };
  const origin = u8();
  if (origin !== NO_ORIGIN) a.origin = origin as Origin;
  const present = u16();
  a.asPath = list((): AsPathSegment => {
    const type = u8() as AsPathSegmentType;
    return { type, asns: list(u32) };
  });
  if (present & NEXT_HOP) a.nextHop = readText();
  if (present & LINK_LOCAL) a.nextHopLinkLocal = readText();
  if (present & MED) a.med = u32();
  if (present & LOCAL_PREF) a.localPref = u32();
  if (present & ATOMIC) a.atomicAggregate = true;
  if (present & AGGREGATOR) {
    const asn = u32();
    a.aggregator = { asn, address: readText() };
  }
  if (present & COMMUNITIES) a.communities = list(u32);
  if (present & EXTENDED) a.extendedCommunities = list(readBytes);
  if (present & LARGE) a.largeCommunities = list(() => ({ global: u32(), local1: u32(), local2: u32() }));
  if (present & ORIGINATOR) a.originatorId = readText();
  if (present & CLUSTER) a.clusterList = list(readText);
  if (present & UNKNOWN) a.unknown = list(() => ({ flags: u8(), type: u8(), value: readBytes() }));
  if (at !== end) throw new Error(`attribute key has ${end - at} octets left over`);
  return a;
}

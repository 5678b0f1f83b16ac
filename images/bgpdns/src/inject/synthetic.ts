/**
 * A seeded synthetic routing table with realistic shapes, drawn ONLY from the
 * lab ranges: IPv4 198.18.0.0/15 and IPv6 2001:db8::/32, ASNs from the
 * documentation/private ranges.
 *
 * Prefix lengths follow a real table's distribution (IPv4 mostly /24, then
 * /22, /23, /20, /21 …; IPv6 mostly /48, then /44, /32, /40 …) as far as the
 * lab range has room: a /15 holds only 512 /24s and 2001:db8::/32 only one /32
 * and 65,536 /48s. Whatever does not fit at a length moves to the next longer
 * length, so large tables become more specific (a 200,000-prefix IPv4 table is
 * mostly /29–/32). The /15 holds 2^18 − 1 = 262,143 distinct prefixes in all
 * (lengths 15..32): that is the largest IPv4 table this generator can make.
 * IPv6 has room for billions.
 *
 * AS paths: one path per origin AS, ~11 prefixes per origin on average with a
 * heavy head; path length (including the injector's own AS, prepended when
 * sending) has mean ≈ 4.3. Path ASNs come only from 4200100000–4200999999
 * (origins from 4200100000 up, transits 4200900000–4200901999), so lab
 * routers numbered outside that block never see their own AS in a synthetic
 * path (which would make them drop the route as a loop).
 */
import { Afi, AsPathSegmentType, Origin, type PathAttributes } from '../bgp/types.js';
import type { RouteGroup, Table } from './table.js';

export const IPV4_LAB_PREFIX = { bytes: Uint8Array.of(198, 18, 0, 0), len: 15 } as const;
export const IPV6_LAB_PREFIX = { bytes: Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), len: 32 } as const;
/** Distinct prefixes of length 15..32 inside 198.18.0.0/15. */
export const MAX_IPV4_PREFIXES = 2 ** 18 - 1;
/** Kept well below the /32's capacity so generation stays fast. */
export const MAX_IPV6_PREFIXES = 5_000_000;

/** Share of each prefix length in a real IPv4 table (rounded, public table statistics). */
const IPV4_LENGTHS: [number, number][] = [
  [15, 0.0005], [16, 0.015], [17, 0.01], [18, 0.015], [19, 0.03], [20, 0.05],
  [21, 0.05], [22, 0.12], [23, 0.1], [24, 0.6],
];
/** Share of each prefix length in a real IPv6 table (rounded). */
const IPV6_LENGTHS: [number, number][] = [
  [32, 0.09], [36, 0.03], [40, 0.07], [44, 0.1], [45, 0.02], [46, 0.03], [47, 0.03], [48, 0.57], [56, 0.04], [64, 0.02],
];
/** Total AS path length (our AS included) → share; mean ≈ 4.3. */
const PATH_LENGTHS: [number, number][] = [[1, 0.01], [2, 0.07], [3, 0.22], [4, 0.3], [5, 0.21], [6, 0.11], [7, 0.05], [8, 0.02], [9, 0.01]];

export interface SyntheticOptions {
  ipv4: number;
  ipv6: number;
  seed?: number;
  /** Average prefixes per origin AS (default 11). */
  prefixesPerOrigin?: number;
}

/** mulberry32: small, fast, seedable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick(dist: [number, number][], u: number): number {
  const total = dist.reduce((n, [, w]) => n + w, 0);
  let acc = 0;
  for (const [v, w] of dist) {
    acc += w / total;
    if (u < acc) return v;
  }
  return dist[dist.length - 1][0];
}

/**
 * How many prefixes of each length to draw: the real shares, each capped by the
 * room inside the base prefix; the excess moves to longer lengths, then (if the
 * longest lengths are full) back to shorter ones.
 */
export function lengthCounts(total: number, dist: [number, number][], baseLen: number, maxLen: number): Map<number, number> {
  const weightSum = dist.reduce((n, [, w]) => n + w, 0);
  const want = new Map<number, number>();
  let assigned = 0;
  for (const [len, w] of dist) {
    const n = Math.floor((total * w) / weightSum);
    want.set(len, n);
    assigned += n;
  }
  const main = dist.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  want.set(main, want.get(main)! + total - assigned);
  const capacity = (len: number): number => Math.min(2 ** (len - baseLen), 2 ** 32);
  const counts = new Map<number, number>();
  let carry = 0;
  for (let len = baseLen; len <= maxLen; len++) {
    const need = (want.get(len) ?? 0) + carry;
    const take = Math.min(need, capacity(len));
    if (take > 0) counts.set(len, take);
    carry = need - take;
  }
  for (let len = maxLen; len >= baseLen && carry > 0; len--) {
    const room = capacity(len) - (counts.get(len) ?? 0);
    const take = Math.min(room, carry);
    if (take > 0) counts.set(len, (counts.get(len) ?? 0) + take);
    carry -= take;
  }
  if (carry > 0) throw new Error(`${total} prefixes do not fit in a /${baseLen} (lengths up to /${maxLen})`);
  return counts;
}

/** k distinct integers from [0, n), n ≤ 2^32. */
function distinct(k: number, n: number, rnd: () => number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  if (k > n / 2) {
    // Selection sampling (Knuth, Algorithm S): one pass, exactly k picks.
    const out: number[] = [];
    for (let i = 0; i < n && out.length < k; i++) if ((n - i) * rnd() < k - out.length) out.push(i);
    return out;
  }
  const seen = new Set<number>();
  while (seen.size < k) seen.add(Math.floor(rnd() * n));
  return [...seen];
}

/** Writes `index` into bits [baseLen, len) of a copy of base and encodes it as NLRI at `at`. */
function writeNlri(out: Uint8Array, at: number, base: Uint8Array, baseLen: number, len: number, index: number): number {
  const n = (len + 7) >> 3;
  out[at] = len;
  out.set(base.subarray(0, n), at + 1);
  const width = len - baseLen;
  for (let i = 0; i < width; i++) {
    if ((index >>> (width - 1 - i)) & 1) {
      const bit = baseLen + i;
      out[at + 1 + (bit >> 3)] |= 0x80 >> (bit & 7);
    }
  }
  return at + 1 + n;
}

/** Reserved for synthetic paths; see the header. */
export const SYNTHETIC_ASN_BLOCK = { first: 4200100000, last: 4200999999 } as const;
const TRANSIT_ASNS = Array.from({ length: 2000 }, (_, i) => 4200900000 + i);

function originAsn(i: number): number {
  return SYNTHETIC_ASN_BLOCK.first + i;
}

function makePath(i: number, rnd: () => number): PathAttributes {
  const total = pick(PATH_LENGTHS, rnd());
  const asns: number[] = [];
  for (let h = 0; h < total - 2; h++) {
    let asn: number;
    do asn = TRANSIT_ASNS[Math.floor(rnd() * TRANSIT_ASNS.length)];
    while (asns.includes(asn));
    asns.push(asn);
  }
  if (total >= 2) asns.push(originAsn(i));
  const attrs: PathAttributes = {
    origin: rnd() < 0.9 ? Origin.Igp : Origin.Incomplete,
    asPath: asns.length ? [{ type: AsPathSegmentType.AsSequence, asns }] : [],
  };
  if (rnd() < 0.2) attrs.med = Math.floor(rnd() * 1000);
  // Communities tag with a 2-octet documentation/private AS (they play no part in loop detection).
  const communityAs = 64496 + Math.floor(rnd() * 1039);
  if (rnd() < 0.4) {
    const n = 1 + Math.floor(rnd() * 3);
    attrs.communities = Array.from({ length: n }, () => communityAs * 65536 + Math.floor(rnd() * 1000));
  }
  return attrs;
}

/**
 * Groups `total` prefixes by origin: each gets an origin drawn with a heavy head
 * (a few origins hold many prefixes, most hold a handful), then the NLRI are laid
 * out origin by origin (counting sort) so a group's NLRI is one subarray.
 * `lenOf(i)` is prefix i's length, `write(i, out, at)` encodes it as NLRI and
 * returns the offset after it.
 */
export function groupByOrigin(
  afi: Afi, total: number, lenOf: (i: number) => number, write: (i: number, out: Uint8Array, at: number) => number,
  origins: PathAttributes[], rnd: () => number,
): RouteGroup[] {
  const originOf = new Int32Array(total);
  const perOrigin = new Int32Array(origins.length);
  const bytesPerOrigin = new Float64Array(origins.length);
  for (let p = 0; p < total; p++) {
    const u = rnd();
    const o = Math.floor(origins.length * u * u);
    originOf[p] = o;
    perOrigin[o]++;
    bytesPerOrigin[o] += 1 + ((lenOf(p) + 7) >> 3);
  }
  const starts = new Float64Array(origins.length);
  let totalBytes = 0;
  for (let o = 0; o < origins.length; o++) {
    starts[o] = totalBytes;
    totalBytes += bytesPerOrigin[o];
  }
  const nlri = new Uint8Array(totalBytes);
  const cursor = Float64Array.from(starts);
  for (let i = 0; i < total; i++) {
    const o = originOf[i];
    cursor[o] = write(i, nlri, cursor[o]);
  }
  const groups: RouteGroup[] = [];
  for (let o = 0; o < origins.length; o++) {
    if (perOrigin[o] === 0) continue;
    groups.push({ afi, attrs: origins[o], nlri: nlri.subarray(starts[o], starts[o] + bytesPerOrigin[o]), count: perOrigin[o] });
  }
  return groups;
}

function familyGroups(
  afi: Afi, total: number, dist: [number, number][], base: { bytes: Uint8Array; len: number },
  origins: PathAttributes[], rnd: () => number,
): RouteGroup[] {
  if (total === 0) return [];
  const maxLen = afi === Afi.IPv4 ? 32 : 64;
  const counts = lengthCounts(total, dist, base.len, maxLen);
  // Draw (length, index) pairs, then an origin for each.
  const lens = new Uint8Array(total);
  const idx = new Float64Array(total);
  let p = 0;
  for (const [len, k] of counts) {
    for (const index of distinct(k, Math.min(2 ** (len - base.len), 2 ** 32), rnd)) {
      lens[p] = len;
      idx[p] = index;
      p++;
    }
  }
  return groupByOrigin(afi, total, (i) => lens[i], (i, out, at) => writeNlri(out, at, base.bytes, base.len, lens[i], idx[i]), origins, rnd);
}

/** One AS path per origin, for `total` prefixes at about `perOrigin` prefixes each. */
export function originPaths(total: number, perOrigin: number, rnd: () => number): PathAttributes[] {
  // Origins stay below the transit ASNs inside the reserved block.
  const originCount = Math.min(800_000, Math.max(1, Math.ceil(total / perOrigin)));
  return Array.from({ length: originCount }, (_, i) => makePath(i, rnd));
}

export function syntheticTable(options: SyntheticOptions): Table {
  const { ipv4, ipv6 } = options;
  if (!Number.isInteger(ipv4) || ipv4 < 0 || ipv4 > MAX_IPV4_PREFIXES) {
    throw new Error(`synthetic table: ipv4 must be 0..${MAX_IPV4_PREFIXES} (all distinct prefixes inside the lab range 198.18.0.0/15), got ${ipv4}`);
  }
  if (!Number.isInteger(ipv6) || ipv6 < 0 || ipv6 > MAX_IPV6_PREFIXES) {
    throw new Error(`synthetic table: ipv6 must be 0..${MAX_IPV6_PREFIXES}, got ${ipv6}`);
  }
  const rnd = seededRandom(options.seed ?? 1);
  const origins = originPaths(ipv4 + ipv6, options.prefixesPerOrigin ?? 11, rnd);
  const groups = [
    ...familyGroups(Afi.IPv4, ipv4, IPV4_LENGTHS, IPV4_LAB_PREFIX, origins, rnd),
    ...familyGroups(Afi.IPv6, ipv6, IPV6_LENGTHS, IPV6_LAB_PREFIX, origins, rnd),
  ];
  return { groups, ipv4, ipv6 };
}

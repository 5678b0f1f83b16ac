/**
 * A seeded synthetic table shaped like today's default-free zone (DFZ):
 * IPv4 and IPv6 prefixes spread over the whole unicast space, not packed into
 * the lab ranges. It exists to measure memory and time on a real-shaped table
 * (a RIB whose cost depends on how far prefixes spread shows it only here).
 *
 * ADDRESS RULE: these prefixes are BGP table data only. Send them to speakers
 * that install nothing into a kernel FIB (the sorter, `bgpd -Z`, BIRD without a
 * kernel protocol) and never use one as a packet's destination. The injector
 * prints a warning naming how many prefixes lie outside the lab ranges.
 * Excluded: private/special-purpose IPv4 blocks (RFC 6890) and the lab ranges
 * themselves (198.18.0.0/15, 2001:db8::/32), so table data never overlaps an
 * address that carries lab traffic.
 *
 * Prefix-length mix (shares rounded):
 *  - IPv4: /24 about 60 %, then /22, /23, /21, /20, /19, /16 …, nothing longer
 *    than /24 (filtered in the DFZ) — the histogram of RIPE RIS tables in
 *    S. Strowes, "Visibility of IPv4 and IPv6 Prefix Lengths in 2019", RIPE Labs,
 *    https://labs.ripe.net/Members/stephen_strowes/visibility-of-prefix-lengths-in-ipv4-and-ipv6
 *  - IPv6: /48 leads, then /32, /44, /40 … (same source); shares tuned so the
 *    mean prefix length is ≈ 43.1, as G. Huston's AS131072 IPv6 table report
 *    gives "Average prefix length 42.9" (bgp.potaroo.net/v6/as2.0, Nov 2024).
 * Placement: uniform over the allowed space (IPv6 inside the RIR /12 blocks of
 * 2000::/3, weighted roughly by their share of the table), which spreads
 * prefixes over as many distinct address regions as a real table touches.
 * AS paths: as synthetic.ts (≈ 11 prefixes per path, mean length ≈ 4.3).
 */
import { Afi, type PathAttributes } from '../bgp/types.js';
import { groupByOrigin, originPaths, pick, seededRandom } from './synthetic.js';
import type { Table } from './table.js';

export const MAX_DFZ_IPV4 = 2_000_000;
export const MAX_DFZ_IPV6 = 1_000_000;

const IPV4_LENGTHS: [number, number][] = [
  [8, 0.0001], [11, 0.0005], [12, 0.001], [13, 0.0015], [14, 0.003], [15, 0.004], [16, 0.013], [17, 0.008], [18, 0.014],
  [19, 0.025], [20, 0.045], [21, 0.05], [22, 0.115], [23, 0.095], [24, 0.6],
];
const IPV6_LENGTHS: [number, number][] = [
  [29, 0.03], [32, 0.18], [36, 0.04], [40, 0.09], [44, 0.12], [45, 0.02], [46, 0.03], [47, 0.03], [48, 0.42], [56, 0.03], [64, 0.01],
];
/** Top 16 bits of IPv6 prefixes: 2001::/16 and the RIR /12s, with their rough share of the table. */
const IPV6_BLOCKS: [number, number][] = [[0x2001, 0.08], [0x2400, 0.25], [0x2600, 0.27], [0x2800, 0.1], [0x2a00, 0.28], [0x2c00, 0.02]];

/** IPv4 blocks no DFZ prefix may overlap: RFC 6890 special purpose, multicast/reserved, and the lab range. */
const IPV4_EXCLUDED: [number, number][] = [
  [0x00000000, 8], [0x0a000000, 8], [0x64400000, 10], [0x7f000000, 8], [0xa9fe0000, 16], [0xac100000, 12],
  [0xc0000000, 24], [0xc0000200, 24], [0xc0a80000, 16], [0xc6120000, 15], [0xc6336400, 24], [0xcb007100, 24], [0xe0000000, 3],
];

function overlapsExcluded(addr: number, len: number): boolean {
  for (const [base, blen] of IPV4_EXCLUDED) {
    const l = Math.min(len, blen);
    const mask = l === 0 ? 0 : (~0 << (32 - l)) >>> 0;
    if (((addr & mask) >>> 0) === ((base & mask) >>> 0)) return true;
  }
  return false;
}

const maskOf = (len: number): number => (len <= 0 ? 0 : len >= 32 ? 0xffffffff : (~0 << (32 - len)) >>> 0);

function ipv4Prefixes(total: number, rnd: () => number): { words: Uint32Array; lens: Uint8Array } {
  const words = new Uint32Array(total);
  const lens = new Uint8Array(total);
  const seen = new Set<number>();
  for (let n = 0; n < total;) {
    const len = pick(IPV4_LENGTHS, rnd());
    const addr = (Math.floor(rnd() * 2 ** 32) & maskOf(len)) >>> 0;
    if (overlapsExcluded(addr, len)) continue;
    const key = addr * 64 + len;
    if (seen.has(key)) continue;
    seen.add(key);
    words[n] = addr;
    lens[n] = len;
    n++;
  }
  return { words, lens };
}

function ipv6Prefixes(total: number, rnd: () => number): { words: Uint32Array; lens: Uint8Array } {
  const words = new Uint32Array(total * 2);
  const lens = new Uint8Array(total);
  const seen = new Set<string>();
  for (let n = 0; n < total;) {
    const len = pick(IPV6_LENGTHS, rnd());
    const top = pick(IPV6_BLOCKS, rnd());
    // 2001::/16 is used as is (below it: 2001:0::/32 Teredo and 2001:db8::/32 are skipped); the /12s get 4 random bits.
    const hi16 = top === 0x2001 ? top : top | Math.floor(rnd() * 16);
    const w0 = ((hi16 << 16) | Math.floor(rnd() * 0x10000)) >>> 0;
    if (top === 0x2001 && ((w0 & 0xffff) === 0 || (w0 & 0xffff) === 0x0db8)) continue;
    const w1 = Math.floor(rnd() * 2 ** 32) >>> 0;
    const m0 = maskOf(len);
    const m1 = maskOf(len - 32);
    const a = (w0 & m0) >>> 0;
    const b = (w1 & m1) >>> 0;
    const key = `${a}:${b}/${len}`;
    if (seen.has(key)) continue;
    seen.add(key);
    words[2 * n] = a;
    words[2 * n + 1] = b;
    lens[n] = len;
    n++;
  }
  return { words, lens };
}

/** NLRI of a prefix given as big-endian 32-bit words. */
function writeWords(out: Uint8Array, at: number, words: Uint32Array, first: number, len: number): number {
  const n = (len + 7) >> 3;
  out[at] = len;
  for (let i = 0; i < n; i++) out[at + 1 + i] = (words[first + (i >> 2)] >>> (24 - 8 * (i & 3))) & 0xff;
  return at + 1 + n;
}

export interface DfzOptions {
  ipv4: number;
  ipv6: number;
  seed?: number;
  prefixesPerOrigin?: number;
}

export function dfzTable(options: DfzOptions): Table {
  const { ipv4, ipv6 } = options;
  if (!Number.isInteger(ipv4) || ipv4 < 0 || ipv4 > MAX_DFZ_IPV4) throw new Error(`DFZ-shaped table: ipv4 must be 0..${MAX_DFZ_IPV4}, got ${ipv4}`);
  if (!Number.isInteger(ipv6) || ipv6 < 0 || ipv6 > MAX_DFZ_IPV6) throw new Error(`DFZ-shaped table: ipv6 must be 0..${MAX_DFZ_IPV6}, got ${ipv6}`);
  const rnd = seededRandom(options.seed ?? 1);
  const origins: PathAttributes[] = originPaths(ipv4 + ipv6, options.prefixesPerOrigin ?? 11, rnd);
  const v4 = ipv4Prefixes(ipv4, rnd);
  const v6 = ipv6Prefixes(ipv6, rnd);
  const groups = [
    ...(ipv4 ? groupByOrigin(Afi.IPv4, ipv4, (i) => v4.lens[i], (i, out, at) => writeWords(out, at, v4.words, i, v4.lens[i]), origins, rnd) : []),
    ...(ipv6 ? groupByOrigin(Afi.IPv6, ipv6, (i) => v6.lens[i], (i, out, at) => writeWords(out, at, v6.words, 2 * i, v6.lens[i]), origins, rnd) : []),
  ];
  return { groups, ipv4, ipv6 };
}

/**
 * The zone and the query files of `bench dns` (files starting with "_" are helpers,
 * not benchmarks). One zone serves both workloads: NAMES names with one A record
 * per upstream (198.19.201–203.x, the prefixes each upstream of the bench's sorter
 * RIB originates), written as tinydns data and as an RFC 1035 zone file with the
 * same records and TTLs.
 *
 * - cached: 1,000 of those names, every query with one ECS /24 (dnsperf -E adds it);
 * - realistic: every name, Zipf-popular (s = 1), each query with its own ECS subnet
 *   from a pool of /24s and /56s. dnsperf 2.10 sends one fixed EDNS option for all
 *   queries (-E), so these queries are pre-built wire messages in its binary input
 *   format (-B: each message preceded by its two-byte length, as on a TCP stream).
 *   The lab rules keep client addresses inside 198.18.0.0/15 (512 /24s) and
 *   2001:db8::/32 (2^24 /56s), so the /56s carry the distinct-subnet count.
 */
import { writeFileSync } from 'node:fs';
import { Afi, AsPathSegmentType, Origin, type PathAttributes } from '@bgpdns-lab/bgpdns/bgp';
import { seededRandom, type RouteGroup } from '@bgpdns-lab/bgpdns/sorter';

export const ZONE = 'lab.example';
export const CACHED_NAMES = 1000;
/** The cached workload's client subnet: EDNS option 8, family 1, /24, scope 0, 198.18.64 (dnsperf -E code:hex). */
export const CACHED_ECS_HEX = '00011800c61240';
const UPSTREAM_V4 = [201, 202, 203];
const NAME_TTL = 86400;

const hostOf = (i: number) => (i % 250) + 1;

/** tinydns data: SOA/NS/glue from one "." line, then "+" lines (TTL 86400, tinydns's default). */
export function tinydnsData(names: number): string {
  const lines = [`.${ZONE}:198.18.0.1:a`];
  for (let i = 0; i < names; i++) for (const u of UPSTREAM_V4) lines.push(`+www${i}.${ZONE}:198.19.${u}.${hostOf(i)}`);
  return lines.join('\n') + '\n';
}

/** The same records as tinydnsData's, as a zone file (tinydns-data's SOA timers and TTLs). */
export function zoneFile(names: number): string {
  const out = [
    `$ORIGIN ${ZONE}.`,
    `@ 2560 IN SOA a.ns.${ZONE}. hostmaster.${ZONE}. 1 16384 2048 1048576 2560`,
    `@ 259200 IN NS a.ns.${ZONE}.`,
    `a.ns 259200 IN A 198.18.0.1`,
  ];
  for (let i = 0; i < names; i++) for (const u of UPSTREAM_V4) out.push(`www${i} ${NAME_TTL} IN A 198.19.${u}.${hostOf(i)}`);
  return out.join('\n') + '\n';
}

/** dnsperf text input for the cached workload: the first CACHED_NAMES names, spread. */
export function cachedQueries(): string {
  return Array.from({ length: CACHED_NAMES * 4 }, (_, i) => `www${(i * 7919) % CACHED_NAMES}.${ZONE} A`).join('\n') + '\n';
}

export interface RealisticSpec {
  names: number;
  queries: number;
  /** Distinct client /56s inside 2001:db8::/32. */
  v6Clients: number;
  /** Share of queries from IPv4 clients (/24s inside 198.18.0.0/15). */
  v4Share: number;
  seed: number;
}

export interface RealisticFile {
  queries: number;
  distinctNames: number;
  distinctV4Subnets: number;
  distinctV6Subnets: number;
}

/** Zipf(s = 1) sampler over ranks 0..n-1 by inverse CDF. */
function zipf(n: number, rnd: () => number): () => number {
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let k = 0; k < n; k++) cdf[k] = acc += 1 / (k + 1);
  return () => {
    const u = rnd() * acc;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** One query for `name` A with EDNS (1232 bytes) and an ECS option, ID 0 (dnsperf sets its own). */
function wireQuery(out: Buffer, at: number, labels: Buffer, ecsFamily: 1 | 2, prefixLen: number, addr: Uint8Array): number {
  const addrBytes = (prefixLen + 7) >> 3;
  const start = at + 2;
  let p = start;
  p = out.writeUInt16BE(0, p);
  p = out.writeUInt16BE(0, p); // flags: no RD, as a resolver asks an authoritative server
  p = out.writeUInt16BE(1, p);
  p = out.writeUInt16BE(0, p);
  p = out.writeUInt16BE(0, p);
  p = out.writeUInt16BE(1, p);
  p += labels.copy(out, p);
  p = out.writeUInt16BE(1, p); // A
  p = out.writeUInt16BE(1, p); // IN
  out[p++] = 0; // OPT owner: root
  p = out.writeUInt16BE(41, p);
  p = out.writeUInt16BE(1232, p);
  p = out.writeUInt32BE(0, p);
  p = out.writeUInt16BE(8 + addrBytes, p);
  p = out.writeUInt16BE(8, p); // option code: client subnet (RFC 7871)
  p = out.writeUInt16BE(4 + addrBytes, p);
  p = out.writeUInt16BE(ecsFamily, p);
  out[p++] = prefixLen;
  out[p++] = 0;
  for (let i = 0; i < addrBytes; i++) out[p++] = addr[i];
  out.writeUInt16BE(p - start, at);
  return p;
}

function labelsOf(name: string): Buffer {
  const parts = name.split('.');
  const b = Buffer.alloc(name.length + 2);
  let p = 0;
  for (const l of parts) {
    b[p++] = l.length;
    p += b.write(l, p, 'latin1');
  }
  b[p++] = 0;
  return b.subarray(0, p);
}

/**
 * dnsperf binary input: `queries` A queries for the first `names` names of the zone, each
 * from the next of `subnets` (IPv4 ECS, round-robin), so every subnet asks about as often
 * and every (subnet, name) pair comes back every subnets × names queries.
 */
export function writeSubnetQueries(file: string, subnets: { prefixLen: number; addr: Uint8Array }[], names: number, queries: number): void {
  const labels = Array.from({ length: names }, (_, i) => labelsOf(`www${i}.${ZONE}`));
  const out = Buffer.alloc(queries * 80);
  let at = 0;
  for (let q = 0; q < queries; q++) {
    const s = subnets[q % subnets.length];
    // The name advances once per round of subnets, so every pair occurs.
    at = wireQuery(out, at, labels[Math.floor(q / subnets.length) % names], 1, s.prefixLen, s.addr);
  }
  writeFileSync(file, out.subarray(0, at));
}

/** Writes the realistic workload's dnsperf binary input file. */
export function writeRealisticQueries(file: string, spec: RealisticSpec): RealisticFile {
  const rnd = seededRandom(spec.seed);
  const rank = zipf(spec.names, rnd);
  // Popularity rank → name: a fixed shuffle, so popular names are spread over the zone.
  const nameOfRank = Int32Array.from({ length: spec.names }, (_, i) => i);
  for (let i = spec.names - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [nameOfRank[i], nameOfRank[j]] = [nameOfRank[j], nameOfRank[i]];
  }
  const labels = Array.from({ length: spec.names }, (_, i) => labelsOf(`www${i}.${ZONE}`));
  // Client /56s: 2001:db8:XXXX:YY00::/56, distinct by construction (index → bits 32..55).
  const v6Pool = Array.from({ length: spec.v6Clients }, (_, i) => {
    const k = Math.floor((i * 2654435761) % 2 ** 24);
    return Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, (k >> 16) & 0xff, (k >> 8) & 0xff, k & 0xff);
  });
  const out = Buffer.alloc(spec.queries * 80);
  let at = 0;
  const names = new Set<number>();
  const v4 = new Set<number>();
  const v6 = new Set<number>();
  for (let q = 0; q < spec.queries; q++) {
    const name = nameOfRank[rank()];
    names.add(name);
    if (rnd() < spec.v4Share) {
      const slash24 = Math.floor(rnd() * 512); // 198.18.0.0/15 holds 512 /24s
      v4.add(slash24);
      at = wireQuery(out, at, labels[name], 1, 24, Uint8Array.of(198, 18 + (slash24 >> 8), slash24 & 0xff));
    } else {
      const c = Math.floor(rnd() * v6Pool.length);
      v6.add(c);
      at = wireQuery(out, at, labels[name], 2, 56, v6Pool[c]);
    }
  }
  writeFileSync(file, out.subarray(0, at));
  return { queries: spec.queries, distinctNames: names.size, distinctV4Subnets: v4.size, distinctV6Subnets: v6.size };
}

/** IPv6 routes inside 2001:db8::/32 besides the /32 itself: /48 leads, as in the DFZ's IPv6 mix. */
const CLIENT_V6_LENGTHS: [number, number][] = [[36, 0.03], [40, 0.1], [44, 0.15], [46, 0.05], [48, 0.67]];
const CLIENT_V6_ROUTES = 20_000;
/** Origin ASes of the client routes (private-use ASNs, RFC 6996), behind one transit AS each. */
const CLIENT_ORIGINS = 64;

/**
 * Routes to the workloads' clients, shaped like the DFZ's edge but inside the lab ranges
 * (the DFZ-shaped table leaves those ranges out): both /16s of 198.18.0.0/15 and every /24
 * in them (the DFZ's most common IPv4 length, none longer), 2001:db8::/32 and
 * CLIENT_V6_ROUTES /36–/48s inside it. So a client's answer holds for its /24 or for the
 * block around its /56 that no longer route splits, as it would on a real table, and the
 * cached workload's one subnet is a decision-cache hit. Seeded and deterministic.
 */
export function clientRoutes(seed = 16): RouteGroup[] {
  const rnd = seededRandom(seed);
  const parts = Array.from({ length: CLIENT_ORIGINS }, () => ({ [Afi.IPv4]: [] as Uint8Array[], [Afi.IPv6]: [] as Uint8Array[] }));
  const add = (afi: Afi.IPv4 | Afi.IPv6, nlri: Uint8Array) => parts[Math.floor(rnd() * CLIENT_ORIGINS)][afi].push(nlri);
  for (const second of [18, 19]) {
    add(Afi.IPv4, Uint8Array.of(16, 198, second));
    // 198.19.201–203.0/24 hold the zone's server addresses, originated by the upstreams themselves.
    for (let third = 0; third < 256; third++) if (!(second === 19 && third >= 201 && third <= 203)) add(Afi.IPv4, Uint8Array.of(24, 198, second, third));
  }
  const v6 = new Map<string, Uint8Array>([['0/32', Uint8Array.of(32, 0x20, 0x01, 0x0d, 0xb8)]]);
  while (v6.size < CLIENT_V6_ROUTES + 1) {
    let u = rnd();
    const len = CLIENT_V6_LENGTHS.find(([, share]) => (u -= share) < 0)?.[0] ?? 48;
    // Bits 32..47 of the prefix, cut to its length.
    const bits = Math.floor(rnd() * 0x10000) & (0xffff << (48 - len)) & 0xffff;
    // 2001:db8:c903::/48 is the zone's IPv6 server prefix, originated by an upstream.
    if (bits === 0xc903 && len === 48) continue;
    v6.set(`${bits}/${len}`, Uint8Array.of(len, 0x20, 0x01, 0x0d, 0xb8, bits >> 8, bits & 0xff).subarray(0, 1 + ((len + 7) >> 3)));
  }
  for (const nlri of v6.values()) add(Afi.IPv6, nlri);
  const groups: RouteGroup[] = [];
  parts.forEach((p, i) => {
    // A private-use origin AS behind one of eight transit ASes (all inside the lab's ASN range).
    const attrs: PathAttributes = { origin: Origin.Igp, asPath: [{ type: AsPathSegmentType.AsSequence, asns: [64600 + (i % 8), 65000 + i] }] };
    for (const afi of [Afi.IPv4, Afi.IPv6] as const) {
      if (p[afi].length) groups.push({ afi, attrs, nlri: Buffer.concat(p[afi]), count: p[afi].length });
    }
  });
  return groups;
}

/**
 * In-process ranked lookups for `bench sorter`: a RIB with three upstreams each
 * holding the synthetic table (paths of different lengths), then Sorter.rankNow for
 * clients spread over the table. Runs alone too, for profiling:
 *   node --import tsx --cpu-prof bench/sorter-lookups.ts [--dfz]
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { visitPrefixes, Afi, AsPathSegmentType, type PathAttributes } from '@bgpdns-lab/bgpdns/bgp';
import { syntheticTable, seededRandom, dfzTable, Rib, Sorter, type RouteGroup } from '@bgpdns-lab/bgpdns/sorter';
import { formatIPv4, formatIPv6 } from '@bgpdns-lab/bgpdns';

/**
 * Three upstreams each holding the table (paths of different lengths), delivered one
 * full table after the other as sessions deliver them; the RIB, sorter and clients the
 * lookups run on (exported for profiling parts of rankNow). `extra` route groups (e.g.
 * routes to a bench's clients) are delivered with the table, their paths varied alike.
 */
export function lookupSetup(table: { ipv4: number; ipv6: number }, shape: 'lab' | 'dfz' = 'lab', extra: RouteGroup[] = []) {
  const base = shape === 'dfz' ? dfzTable({ ...table, seed: 1 }) : syntheticTable({ ...table, seed: 1 });
  const t = { ...base, groups: [...base.groups, ...extra] };
  const rib = new Rib({ localAsn: 64500 });
  const upstreams = [64501, 64502, 4200000001];
  const peers = upstreams.map((asn, i) => {
    const id = rib.addPeer({ address: `198.18.10.${i + 1}`, asn });
    rib.peerUp(id, `198.18.255.${i + 1}`);
    return id;
  });
  const withPath = (attrs: PathAttributes, asn: number, extra: number): PathAttributes => ({
    ...attrs,
    asPath: [{ type: AsPathSegmentType.AsSequence, asns: [asn, ...Array(extra).fill(asn), ...attrs.asPath.flatMap((s) => s.asns)] }],
    nextHop: '198.18.10.1',
  });
  const started = performance.now();
  peers.forEach((peer, pi) => {
    t.groups.forEach((g, gi) => {
      const attrs = withPath(g.attrs, upstreams[pi], (gi + pi) % 3);
      rib.applyUpdate(peer, { attrs, forEachAnnounced: (visit) => visitPrefixes(g.nlri, 0, g.nlri.length, g.afi, visit), forEachWithdrawn: () => undefined });
    });
  });
  // Each upstream originates the prefix our server's address for it lives in.
  const own = ['198.19.201.0/24', '198.19.202.0/24', '2001:db8:c903::/48'];
  peers.forEach((peer, i) => {
    const [addr, len] = own[i].split('/');
    const bytes = addr.includes(':') ? Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0xc9, 0x03) : Uint8Array.of(198, 19, 201 + i);
    rib.update(peer, { asPath: [{ type: AsPathSegmentType.AsSequence, asns: [upstreams[i]] }], nextHop: '198.18.10.1' }, [{ afi: addr.includes(':') ? Afi.IPv6 : Afi.IPv4, bytes, len: Number(len) }]);
  });
  // What the daemon does once the table has arrived (sorter/daemon.ts compactWhenQuiet).
  const compactMs = rib.compactIfWorthwhile();
  const ribBuildS = (performance.now() - started) / 1000;
  const sorter = new Sorter(rib);
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const clients = shape === 'dfz'
    ? dfzClients(base, 65536)
    : Array.from({ length: 65536 }, (_, i) =>
      i % 5 === 4 ? formatIPv6([0x20010db8, rnd() & 0x0000ffff, rnd(), rnd()]) : formatIPv4((0xc6120000 | (rnd() & 0x1ffff)) >>> 0),
    );
  const candidates = ['198.19.201.10', '198.19.202.10', '2001:db8:c903::10'];
  return { rib, sorter, clients, candidates, ribBuildS, compactMs, peers, upstreams };
}

/**
 * Clients of a DFZ-shaped table: a random address inside a random prefix of the table
 * (IPv4 and IPv6 in the table's proportion), so every lookup meets a route, as a real
 * resolver's clients do.
 */
function dfzClients(t: ReturnType<typeof dfzTable>, n: number): string[] {
  const rnd = seededRandom(7);
  const prefixes: { afi: Afi; bytes: Uint8Array; len: number }[] = [];
  for (const g of t.groups) visitPrefixes(g.nlri, 0, g.nlri.length, g.afi, (afi, buf, offset, len) => prefixes.push({ afi, bytes: buf.slice(offset, offset + ((len + 7) >> 3)), len }));
  return Array.from({ length: n }, () => {
    const p = prefixes[Math.floor(rnd() * prefixes.length)];
    const words = p.afi === Afi.IPv4 ? [0] : [0, 0, 0, 0];
    for (let i = 0; i < words.length * 32; i++) {
      const bit = i < p.len ? (p.bytes[i >> 3] >> (7 - (i & 7))) & 1 : rnd() < 0.5 ? 1 : 0;
      words[i >> 5] = (words[i >> 5] | (bit << (31 - (i & 31)))) >>> 0;
    }
    return p.afi === Afi.IPv4 ? formatIPv4(words[0]) : formatIPv6(words);
  });
}

/** Ranked lookups per second in process over lookupSetup's RIB. */
export function inProcessLookups(table: { ipv4: number; ipv6: number }, lookups: number, shape: 'lab' | 'dfz' = 'lab') {
  const { rib, sorter, clients, candidates, ribBuildS, compactMs } = lookupSetup(table, shape);
  const statuses: Record<string, number> = {};
  for (let i = 0; i < 65536; i++) {
    const s = sorter.rankNow({ client: clients[i], candidates }).status;
    statuses[s] = (statuses[s] ?? 0) + 1;
  }
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < lookups; i++) sorter.rankNow({ client: clients[i & 65535], candidates });
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  return { lookupsPerS: Math.round(lookups / seconds), lookupsPerCpuS: Math.round(lookups / cpu), ribBuildS, compactMs: Math.round(compactMs ?? 0), paths: rib.v4.paths + rib.v6.paths, statuses };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dfz = process.argv.includes('--dfz');
  const r = dfz ? inProcessLookups({ ipv4: 1_000_000, ipv6: 200_000 }, 3_000_000, 'dfz') : inProcessLookups({ ipv4: 262_143, ipv6: 200_000 }, 3_000_000);
  console.log(JSON.stringify(r));
}

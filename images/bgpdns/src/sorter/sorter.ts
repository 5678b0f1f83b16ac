/**
 * The BGPDNS ranking itself (seed slides 17–21, 35), in process:
 *
 * 1. Each candidate address belongs to an upstream (identified by its AS):
 *    from configured candidate prefixes, else from the prefixes that upstream
 *    originates itself (AS_PATH = exactly the neighbour's AS, slide 19's
 *    `show ip bgp regexp ^AS$`).
 * 2. For the client address (or EDNS client subnet): longest match in the
 *    Loc-RIB → best path → its upstream (the leftmost AS, slide 19); that
 *    upstream's candidates get the top preference.
 * 3. Beyond 2002: every other upstream is ranked by its own path to the
 *    client, i.e. the best of its paths at the longest prefix covering the
 *    client in its Adj-RIB-In (longer prefix first, then the attribute rules
 *    of best-path selection: weight, local-pref, AS-path length, origin, MED,
 *    eBGP/iBGP). Arbitrary tie-breakers (age, router id, address) are not
 *    used here, so equally good upstreams get equal preference and the
 *    caller spreads load by ordering equals randomly.
 * 4. No route to the client, no session up, or no mapped candidate → no
 *    preference, stated in the status.
 */
import { Afi } from '../bgp/types.js';
import { formatPrefix, parseAddressInto, parsePrefix } from '../rib/address.js';
import { NO_ASN } from '../rib/attr-store.js';
import { compareAttributes, newPathWins } from '../rib/best-path.js';
import { PrefixTrie } from '../rib/prefix-trie.js';
import type { Rib } from '../rib/rib.js';
import type { RouteTable } from '../rib/route-table.js';
import type { RankAnswer, Ranker, RankRequest } from './api.js';

/** Preference of the best upstream's candidates; the next levels count down from here. */
export const TOP_PREFERENCE = 1000;
/** Candidates of an upstream that has no path to the client. */
export const NO_PATH_PREFERENCE = 1;
/** Candidates that belong to no known upstream, and every candidate when there is no ranking. */
export const NO_PREFERENCE = 0;

export interface UpstreamCandidates {
  /** The upstream's AS (the leftmost AS of paths through it). */
  asn: number;
  /** Prefixes the upstream assigned to us: candidates inside them belong to it. */
  prefixes: string[];
}

const UNMAPPED = -1;
const CACHE_LIMIT = 65536;

interface OtherUpstream {
  asn: number;
  /** Length of the prefix its path covers the client with, -1 when it has none. */
  len: number;
  peer: number;
  attr: number;
}

export class Sorter implements Ranker {
  private readonly configured = { v4: new PrefixTrie(1, 16), v6: new PrefixTrie(4, 16) };
  private readonly configuredAsn: number[] = [];
  private mappingCache = new Map<string, number>();
  private cacheOriginVersion = -1;
  private readonly client = new Uint32Array(4);
  private readonly cand = new Uint32Array(4);
  private readonly matchBuf = new Int32Array(129);
  private readonly candidateMatchBuf = new Int32Array(129);
  /** Answers per neighbour AS of the client's best path (the 2002 "DNSsort cache table"). */
  readonly hits = new Map<number, number>();

  constructor(
    readonly rib: Rib,
    upstreams: UpstreamCandidates[] = [],
  ) {
    upstreams.forEach((u, i) => {
      for (const text of u.prefixes) {
        const p = parsePrefix(text);
        const trie = p.afi === Afi.IPv4 ? this.configured.v4 : this.configured.v6;
        const node = trie.insert(p.words, p.len);
        trie.setValue(node, i);
      }
      this.configuredAsn.push(u.asn);
    });
  }

  async rank(req: RankRequest): Promise<RankAnswer> {
    return this.rankNow(req);
  }

  /** The upstream (AS) a path leads to: the eBGP neighbour, or for iBGP the leftmost AS. */
  private upstreamOfSlot(table: RouteTable, slot: number): number {
    const peer = table.slotPeer[slot];
    const peers = this.rib.peers;
    if (peers.ebgp[peer]) return peers.asn[peer];
    const left = this.rib.attrs.leftAs[table.slotAttr[slot]];
    return left !== NO_ASN ? left : peers.asn[peer];
  }

  /** Upstream AS a candidate address belongs to, or UNMAPPED. Cached until self-originated routes change. */
  upstreamOf(candidate: string): number {
    if (this.cacheOriginVersion !== this.rib.originVersion || this.mappingCache.size > CACHE_LIMIT) {
      this.mappingCache.clear();
      this.cacheOriginVersion = this.rib.originVersion;
    }
    const cached = this.mappingCache.get(candidate);
    if (cached !== undefined) return cached;
    const asn = this.resolveUpstream(candidate);
    this.mappingCache.set(candidate, asn);
    return asn;
  }

  private resolveUpstream(candidate: string): number {
    const words = this.cand;
    const afi = parseAddressInto(candidate, words);
    if (afi === undefined) return UNMAPPED;
    const full = afi === Afi.IPv4 ? 32 : 128;
    const configured = afi === Afi.IPv4 ? this.configured.v4 : this.configured.v6;
    const fixed = configured.longest(words, full);
    if (fixed >= 0) return this.configuredAsn[configured.value(fixed)];
    // Longest self-originated prefix covering the candidate; prefer the best path's upstream there.
    const table = this.rib.table(afi);
    const count = table.trie.matches(words, full, this.candidateMatchBuf);
    const { attrs, peers } = this.rib;
    for (let k = count - 1; k >= 0; k--) {
      const node = this.candidateMatchBuf[k];
      const best = table.best(node);
      let found = UNMAPPED;
      for (let s = table.head(node); s >= 0; s = table.slotNext[s]) {
        const peer = table.slotPeer[s];
        if (attrs.soleAs[table.slotAttr[s]] !== peers.asn[peer]) continue;
        if (s === best || found === UNMAPPED) found = peers.asn[peer];
      }
      if (found !== UNMAPPED) return found;
    }
    return UNMAPPED;
  }

  rankNow(req: RankRequest): RankAnswer {
    const n = req.candidates.length;
    const preferences = new Array<number>(n).fill(NO_PREFERENCE);
    const generation = this.rib.generation;
    if (this.rib.peers.establishedCount === 0) return { status: 'no-sessions', preferences, generation };
    const afi = parseAddressInto(req.client, this.client);
    if (afi === undefined) return { status: 'no-route', preferences, generation };
    const full = afi === Afi.IPv4 ? 32 : 128;
    const maxLen = req.clientPrefixLen === undefined ? full : Math.min(full, req.clientPrefixLen);
    const table = this.rib.table(afi);
    const matches = this.matchBuf;
    const count = table.trie.matches(this.client, maxLen, matches);
    if (count === 0) return { status: 'no-route', preferences, generation };
    const node = matches[count - 1];
    const bestSlot = table.best(node);
    const bestUpstream = this.upstreamOfSlot(table, bestSlot);
    const leftAs = this.rib.attrs.leftAs[table.slotAttr[bestSlot]];
    const neighborAs = leftAs !== NO_ASN ? leftAs : bestUpstream;
    const trie = table.trie;
    const key = this.cand;
    trie.keyOf(node, key);
    const matchedPrefix = formatPrefix(afi, key, trie.prefixLength(node));
    this.hits.set(neighborAs, (this.hits.get(neighborAs) ?? 0) + 1);

    const owners = new Array<number>(n);
    let mapped = 0;
    let others: number[] | undefined;
    for (let i = 0; i < n; i++) {
      const asn = this.upstreamOf(req.candidates[i]);
      owners[i] = asn;
      if (asn === UNMAPPED) continue;
      mapped++;
      if (asn === bestUpstream) preferences[i] = TOP_PREFERENCE;
      else if (others === undefined) others = [asn];
      else if (!others.includes(asn)) others.push(asn);
    }
    if (mapped === 0) return { status: 'unmapped', preferences, matchedPrefix, neighborAs, generation };
    if (others !== undefined) {
      const level = this.rankOthers(table, count, others);
      for (let i = 0; i < n; i++) {
        const asn = owners[i];
        if (asn !== UNMAPPED && asn !== bestUpstream) preferences[i] = level.get(asn)!;
      }
    }
    return { status: 'ranked', preferences, matchedPrefix, neighborAs, generation };
  }

  /** Preference per other upstream: ordered by their own path to the client, equals sharing a level. */
  private rankOthers(table: RouteTable, count: number, asns: number[]): Map<number, number> {
    const entries: OtherUpstream[] = asns.map((asn) => this.ownPath(table, count, asn));
    const ctx = this.rib;
    const order = (a: OtherUpstream, b: OtherUpstream): number => {
      if (a.len !== b.len) return b.len - a.len;
      if (a.len < 0) return 0;
      return compareAttributes(ctx, a.peer, a.attr, b.peer, b.attr);
    };
    entries.sort(order);
    const level = new Map<number, number>();
    let pref = TOP_PREFERENCE - 1;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.len < 0) {
        level.set(e.asn, NO_PATH_PREFERENCE);
        continue;
      }
      if (i > 0 && order(entries[i - 1], e) !== 0) pref--;
      level.set(e.asn, Math.max(pref, NO_PATH_PREFERENCE + 1));
    }
    return level;
  }

  /** An upstream's best path at the longest prefix where it has one (its Adj-RIB-In view of the client). */
  private ownPath(table: RouteTable, count: number, asn: number): OtherUpstream {
    for (let k = count - 1; k >= 0; k--) {
      const node = this.matchBuf[k];
      const best = table.best(node);
      let chosen = -1;
      for (let s = table.head(node); s >= 0; s = table.slotNext[s]) {
        if (this.upstreamOfSlot(table, s) !== asn) continue;
        if (
          chosen < 0 ||
          newPathWins(this.rib, table.slotPeer[s], table.slotAttr[s], s === best, table.slotPeer[chosen], table.slotAttr[chosen], chosen === best)
        ) {
          chosen = s;
        }
      }
      if (chosen >= 0) return { asn, len: table.trie.prefixLength(node), peer: table.slotPeer[chosen], attr: table.slotAttr[chosen] };
    }
    return { asn, len: -1, peer: -1, attr: -1 };
  }
}

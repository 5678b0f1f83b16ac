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
import { covers } from '../rib/origin-log.js';
import { AddressMap, MISSING } from './address-map.js';
import { WireQuery, type NumericMatch, type WireAnswer } from './wire-query.js';
import { MAX_CHANGES, MAX_RANKED_UPSTREAMS } from './protocol-types.js';
import { compareAttributes, newPathWins } from '../rib/best-path.js';
import { PrefixTrie } from '../rib/prefix-trie.js';
import type { Rib } from '../rib/rib.js';
import type { RouteTable } from '../rib/route-table.js';
import type { ChangedPrefix, RankAnswer, Ranker, RankRequest, RibChanges } from './api.js';

/** The families as plain constants: reading the enum through its module binding costs on hot paths. */
const AFI_IPV4: Afi = 1;

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


export class Sorter implements Ranker {
  private readonly configured = { v4: new PrefixTrie(1, 16), v6: new PrefixTrie(4, 16) };
  private readonly configuredAsn: number[] = [];
  /** Candidate address (as words) → upstream AS; see upstreamOfWords. */
  private readonly mappingCache = new AddressMap(CACHE_LIMIT);
  /** rankNow's request as numbers (parsed once from its text). */
  private readonly textQuery = new WireQuery();
  /** The matched prefix's words for a rankWire answer (read before the next ranking). */
  private readonly matchedWords = new Uint32Array(4);
  private readonly textWords = new Uint32Array(4);
  private cacheOriginVersion = -1;
  private readonly client = new Uint32Array(4);
  private readonly cand = new Uint32Array(4);
  private readonly candidateMatchBuf = new Int32Array(129);
  // Scratch for one ranking (rankNow is synchronous, so one set serves every call).
  private owners = new Float64Array(32);
  /** The distinct other upstreams (ASNs) among a request's candidates: others[0..otherCount). */
  private others = new Float64Array(8);
  private otherCount = 0;
  private texts4: string[] = [];
  private texts6: string[] = [];
  private textGeneration = -1;
  private otherLen = new Int32Array(8);
  private otherPeer = new Int32Array(8);
  private otherAttr = new Int32Array(8);
  private otherPref = new Int32Array(8);
  private order = new Int32Array(8);
  /** Paths at the client's longest prefix (gatherPaths): slot and upstream AS. */
  private pathSlot = new Int32Array(8);
  private pathUpstream = new Float64Array(8);
  private pathCount = 0;
  /** Answers per neighbour AS of the client's best path (the 2002 "DNSsort cache table"). */
  readonly hits = new Map<number, number>();

  constructor(
    readonly rib: Rib,
    upstreams: UpstreamCandidates[] = [],
  ) {
    upstreams.forEach((u, i) => {
      for (const text of u.prefixes) {
        const p = parsePrefix(text);
        const trie = p.afi === AFI_IPV4 ? this.configured.v4 : this.configured.v6;
        const node = trie.insert(p.words, p.len);
        trie.setValue(node, i);
      }
      this.configuredAsn.push(u.asn);
    });
  }

  async rank(req: RankRequest): Promise<RankAnswer> {
    return this.rankNow(req);
  }

  async changesSince(generation: number): Promise<RibChanges> {
    return this.changesSinceNow(generation);
  }

  /**
   * The prefixes whose best path changed after `generation` (the query protocol's changes
   * answer), one page of at most MAX_CHANGES: a reader further behind gets the oldest ones,
   * `more`, and the generation they reach, and asks again from there.
   */
  changesSinceNow(generation: number): RibChanges {
    const current = this.rib.generation;
    const list = this.rib.bestChangesSince(generation, MAX_CHANGES);
    if (list === undefined) return { generation: current, changed: 'all' };
    const changed = list.map((c): ChangedPrefix => ({ family: c.afi === AFI_IPV4 ? 4 : 6, len: c.len, words: c.words }));
    // One entry per generation step: the page reaches generation + its length.
    const reached = generation + list.length;
    return reached < current ? { generation: reached, changed, more: true } : { generation: current, changed };
  }

  /** The upstream (AS) a path leads to: the eBGP neighbour, or for iBGP the leftmost AS. */
  private upstreamOfSlot(table: RouteTable, slot: number): number {
    const peer = table.slotPeer(slot);
    const peers = this.rib.peers;
    if (peers.ebgp[peer]) return peers.asn[peer];
    const left = this.rib.attrs.leftAs[table.slotAttr(slot)];
    return left !== NO_ASN ? left : peers.asn[peer];
  }

  /** Upstream AS a candidate address (text) belongs to, or UNMAPPED. */
  upstreamOf(candidate: string): number {
    const afi = this.parseInto(candidate, this.textWords, 0);
    return afi === 0 ? UNMAPPED : this.upstreamOfWords(afi, this.textWords, 0);
  }

  /**
   * A candidate's text → words at out[at..at+4), remembered per text: in-process callers
   * repeat a zone's few candidate addresses (bench/sorter-lookups.ts, lab table, load 2-4:
   * 606-741 k rankings/s when candidates were looked up by text, 356-489 k parsing them per
   * ranking, 590-609 k with this memo).
   */
  private candidateInto(text: string, out: Uint32Array, at: number): Afi | 0 {
    let known = this.candidateWords.get(text);
    if (known === undefined) {
      if (this.candidateWords.size >= CACHE_LIMIT) this.candidateWords.clear();
      const words = new Uint32Array(4);
      known = { afi: this.parseInto(text, words, 0), words };
      this.candidateWords.set(text, known);
    }
    out.set(known.words, at);
    return known.afi;
  }

  private readonly candidateWords = new Map<string, { afi: Afi | 0; words: Uint32Array }>();

  /** Address text → words at out[at..at+4) (the words past an IPv4 address zero, as on the wire); 0 when not an address. */
  private parseInto(text: string, out: Uint32Array, at: number): Afi | 0 {
    const words = this.cand;
    words.fill(0);
    const afi = parseAddressInto(text, words);
    if (afi === undefined) return 0;
    out.set(words, at);
    return afi;
  }

  /**
   * Upstream AS of the candidate at words[at..at+4), or UNMAPPED. Cached by the
   * address's words; a change of a self-originated prefix drops only the
   * candidates that prefix covers (the mapping reads nothing else from the RIB).
   */
  upstreamOfWords(afi: Afi, words: Uint32Array, at: number): number {
    if (this.cacheOriginVersion !== this.rib.originVersion) this.dropChangedMappings();
    const cached = this.mappingCache.get(afi, words, at);
    if (cached !== MISSING) return cached;
    const asn = this.resolveUpstream(afi, words, at);
    this.mappingCache.set(afi, words, at, asn);
    return asn;
  }

  /** Candidates whose mapping the self-originated changes since the cache's version may have moved. */
  private dropChangedMappings(): void {
    const changes = this.rib.originChangesSince(this.cacheOriginVersion);
    this.cacheOriginVersion = this.rib.originVersion;
    // Many changes at once (a peer's table coming or going): a fresh cache is cheaper than the checks.
    if (changes === undefined || changes.length > 64) {
      this.mappingCache.clear();
      return;
    }
    this.mappingCache.retain((afi, words, at) => !changes.some((c) => covers(c, afi, words.subarray(at, at + 4))));
  }

  /** Whether a candidate's mapping is cached (tests: what a change dropped). */
  isMappingCached(candidate: string): boolean {
    if (this.cacheOriginVersion !== this.rib.originVersion) this.dropChangedMappings();
    const afi = this.parseInto(candidate, this.textWords, 0);
    return afi !== 0 && this.mappingCache.get(afi, this.textWords, 0) !== MISSING;
  }

  private resolveUpstream(afi: Afi, address: Uint32Array, at: number): number {
    const words = this.cand;
    for (let i = 0; i < 4; i++) words[i] = address[at + i];
    const full = afi === AFI_IPV4 ? 32 : 128;
    const configured = afi === AFI_IPV4 ? this.configured.v4 : this.configured.v6;
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
      for (let s = table.head(node); s >= 0; s = table.slotNext(s)) {
        const peer = table.slotPeer(s);
        if (attrs.soleAs[table.slotAttr(s)] !== peers.asn[peer]) continue;
        if (s === best || found === UNMAPPED) found = peers.asn[peer];
      }
      if (found !== UNMAPPED) return found;
    }
    return UNMAPPED;
  }

  /** Ranks a request given as text (in-process callers, tests): parsed once into numbers, then as rankWire. */
  rankNow(req: RankRequest): RankAnswer {
    const q = this.textQuery;
    const n = req.candidates.length;
    q.reserve(n);
    q.count = n;
    for (let i = 0; i < n; i++) q.candAfi[i] = this.candidateInto(req.candidates[i], q.candWords, 4 * i);
    q.wantUpstreams = req.upstreams === true;
    const afi = parseAddressInto(req.client, this.client);
    return this.rank4(afi, req.clientPrefixLen, q, false);
  }

  /** The query service's path: request and matched prefix as numbers, no address text either way. */
  rankWire(q: WireQuery): WireAnswer {
    this.client.set(q.client);
    return this.rank4(q.clientAfi, q.clientPrefixLen, q, true);
  }

  /** Ranks q's candidates for the client in this.client (afi undefined: not an address). */
  private rank4(afi: Afi | undefined, clientPrefixLen: number | undefined, q: WireQuery, numeric: boolean): WireAnswer {
    const n = q.count;
    // Pushed one by one: a packed array of small integers (Array(n).fill makes a holey one).
    const preferences: number[] = [];
    for (let i = 0; i < n; i++) preferences.push(NO_PREFERENCE);
    const generation = this.rib.generation;
    if (this.rib.peers.establishedCount === 0) return { status: 'no-sessions', preferences, generation };
    if (afi === undefined) return { status: 'no-route', preferences, generation };
    const full = afi === AFI_IPV4 ? 32 : 128;
    const maxLen = clientPrefixLen === undefined ? full : Math.min(full, clientPrefixLen);
    const table = afi === AFI_IPV4 ? this.rib.v4 : this.rib.v6;
    const node = table.trie.longest(this.client, maxLen);
    if (node < 0) return { status: 'no-route', preferences, generation };
    const scopeLength = this.scopeLength(table, node, maxLen, full);
    const bestSlot = table.best(node);
    const bestUpstream = this.upstreamOfSlot(table, bestSlot);
    const leftAs = this.rib.attrs.leftAs[table.slotAttr(bestSlot)];
    const neighborAs = leftAs !== NO_ASN ? leftAs : bestUpstream;
    // The wire path encodes the prefix from its words; text only for in-process callers.
    let matched: { matchedPrefix: string } | NumericMatch;
    if (numeric) {
      table.trie.keyOf(node, this.matchedWords);
      matched = { matchedAfi: afi, matchedLen: table.trie.prefixLength(node), matchedWords: this.matchedWords };
    } else {
      matched = { matchedPrefix: this.prefixText(afi, table, node) };
    }
    this.hits.set(neighborAs, (this.hits.get(neighborAs) ?? 0) + 1);

    // Owners of the candidates, and the distinct other upstreams among them.
    const owners = this.owners.length >= n ? this.owners : (this.owners = new Float64Array(n));
    if (this.others.length < n) this.others = new Float64Array(n);
    const others = this.others;
    let otherCount = 0;
    let mapped = 0;
    for (let i = 0; i < n; i++) {
      const candAfi = q.candAfi[i];
      const asn = candAfi === 0 ? UNMAPPED : this.upstreamOfWords(candAfi as Afi, q.candWords, 4 * i);
      owners[i] = asn;
      if (asn === UNMAPPED) continue;
      mapped++;
      if (asn === bestUpstream) {
        preferences[i] = TOP_PREFERENCE;
        continue;
      }
      let known = false;
      for (let k = 0; k < otherCount; k++) if (others[k] === asn) known = true;
      if (!known) others[otherCount++] = asn;
    }
    this.otherCount = otherCount;
    // Copied now: withUpstreamRanking reuses the scratch arrays.
    const candidateUpstreams = q.wantUpstreams ? Array.from(owners.subarray(0, n), (a) => (a === UNMAPPED ? 0 : a)) : undefined;
    if (mapped === 0) {
      const answer: WireAnswer = { status: 'unmapped', preferences, ...matched, scopeLength, neighborAs, generation };
      return candidateUpstreams ? this.withUpstreamRanking(answer, candidateUpstreams, table, node, bestUpstream) : answer;
    }
    if (otherCount > 0) {
      this.gatherPaths(table, node);
      this.rankOthers(table, node);
      for (let i = 0; i < n; i++) {
        const asn = owners[i];
        if (asn === UNMAPPED || asn === bestUpstream) continue;
        for (let k = 0; k < otherCount; k++) {
          if (others[k] === asn) {
            preferences[i] = this.otherPref[k];
            break;
          }
        }
      }
    }
    const answer: WireAnswer = { status: 'ranked', preferences, ...matched, scopeLength, neighborAs, generation };
    return candidateUpstreams ? this.withUpstreamRanking(answer, candidateUpstreams, table, node, bestUpstream) : answer;
  }

  /**
   * The answer plus each candidate's upstream and the ranking of every upstream a
   * candidate can belong to (the ASNs of the eBGP peers and of the configured
   * upstreams), on the preference scale of §4.3, for this client's scope: with it a
   * client orders any other candidate set for the same scope itself, as long as it
   * knows the candidates' upstreams (docs/bgpdns-protocol.md §4.5). More upstreams
   * than MAX_RANKED_UPSTREAMS: the answer goes without (the client asks per RRset).
   */
  private withUpstreamRanking(answer: WireAnswer, owners: number[], table: RouteTable, node: number, bestUpstream: number): WireAnswer {
    const universe = new Set<number>(this.configuredAsn);
    const peers = this.rib.peers;
    for (let p = 0; p < peers.count; p++) if (peers.ebgp[p]) universe.add(peers.asn[p]);
    universe.delete(bestUpstream);
    if (universe.size + 1 > MAX_RANKED_UPSTREAMS) return answer;
    const ranking = [{ asn: bestUpstream, preference: TOP_PREFERENCE }];
    if (universe.size > 0) {
      if (this.others.length < universe.size) this.others = new Float64Array(universe.size);
      let k = 0;
      for (const asn of universe) this.others[k++] = asn;
      this.otherCount = k;
      this.gatherPaths(table, node);
      this.rankOthers(table, node);
      for (let i = 0; i < k; i++) ranking.push({ asn: this.others[i], preference: this.otherPref[i] });
    }
    return { ...answer, owners, upstreamRanking: ranking };
  }

  /**
   * Length of the shortest prefix around the client inside which every address
   * has the same longest match (`node`), so the same answer: the matched prefix
   * minus every more-specific beneath it. Host bits beyond a subnet client's
   * length are cleared first (they are not part of the question). When a
   * longer prefix covers the subnet's own address, no prefix around it is
   * uniform: the full length says "this address only".
   */
  private scopeLength(table: RouteTable, node: number, maxLen: number, full: number): number {
    const key = this.client;
    for (let w = 0; w < full >>> 5; w++) {
      const keep = maxLen - w * 32;
      if (keep <= 0) key[w] = 0;
      else if (keep < 32) key[w] = (key[w] & (~0 << (32 - keep))) >>> 0;
    }
    const len = table.trie.uniformLength(node, key);
    return len < 0 ? full : len;
  }

  /**
   * Text of a matched prefix, cached per trie node. A node id is only reused
   * after its prefix lost its last path, which changed a best path and so the
   * generation: dropping the cache on a new generation keeps it exact.
   */
  private prefixText(afi: Afi, table: RouteTable, node: number): string {
    if (this.textGeneration !== this.rib.generation) {
      this.texts4.length = 0;
      this.texts6.length = 0;
      this.textGeneration = this.rib.generation;
    }
    const texts = afi === AFI_IPV4 ? this.texts4 : this.texts6;
    let text = texts[node];
    if (text === undefined) {
      table.trie.keyOf(node, this.cand);
      text = formatPrefix(afi, this.cand, table.trie.prefixLength(node));
      texts[node] = text;
    }
    return text;
  }

  /** Orders two other upstreams (filled by rankOthers): longer covering prefix first, then the attribute rules. */
  private compareOthers(a: number, b: number): number {
    const la = this.otherLen[a];
    const lb = this.otherLen[b];
    if (la !== lb) return lb - la;
    if (la < 0) return 0;
    return compareAttributes(this.rib, this.otherPeer[a], this.otherAttr[a], this.otherPeer[b], this.otherAttr[b]);
  }

  /**
   * Preference per other upstream (this.otherPref, parallel to this.others[0..otherCount)):
   * ordered by their own path to the client, equals sharing a level. A handful
   * of upstreams at most, so a plain insertion sort over indices.
   */
  private rankOthers(table: RouteTable, longest: number): void {
    const m = this.otherCount;
    if (this.otherLen.length < m) {
      this.otherLen = new Int32Array(m * 2);
      this.otherPeer = new Int32Array(m * 2);
      this.otherAttr = new Int32Array(m * 2);
      this.otherPref = new Int32Array(m * 2);
      this.order = new Int32Array(m * 2);
    }
    for (let i = 0; i < m; i++) {
      this.ownPath(table, longest, i);
      this.order[i] = i;
    }
    const order = this.order;
    for (let i = 1; i < m; i++) {
      const x = order[i];
      let j = i - 1;
      while (j >= 0 && this.compareOthers(order[j], x) > 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = x;
    }
    let pref = TOP_PREFERENCE - 1;
    for (let i = 0; i < m; i++) {
      const e = order[i];
      if (this.otherLen[e] < 0) {
        this.otherPref[e] = NO_PATH_PREFERENCE;
        continue;
      }
      if (i > 0 && this.compareOthers(order[i - 1], e) !== 0) pref--;
      this.otherPref[e] = Math.max(pref, NO_PATH_PREFERENCE + 1);
    }
  }

  /**
   * Other upstream `i`'s best path at the longest prefix where it has one (its
   * Adj-RIB-In view of the client). The longest node's paths were gathered once
   * by gatherPaths; shorter covering prefixes are only visited when the
   * upstream has no path there.
   */
  private ownPath(table: RouteTable, longest: number, i: number): void {
    const asn = this.others[i];
    const best = table.best(longest);
    let chosen = -1;
    for (let k = 0; k < this.pathCount; k++) {
      if (this.pathUpstream[k] !== asn) continue;
      const s = this.pathSlot[k];
      if (
        chosen < 0 ||
        newPathWins(this.rib, table.slotPeer(s), table.slotAttr(s), s === best, table.slotPeer(chosen), table.slotAttr(chosen), chosen === best)
      ) {
        chosen = s;
      }
    }
    let node = longest;
    while (chosen < 0) {
      node = table.trie.coveringParent(node);
      if (node < 0) {
        this.otherLen[i] = -1;
        return;
      }
      const nodeBest = table.best(node);
      for (let s = table.head(node); s >= 0; s = table.slotNext(s)) {
        if (this.upstreamOfSlot(table, s) !== asn) continue;
        if (
          chosen < 0 ||
          newPathWins(this.rib, table.slotPeer(s), table.slotAttr(s), s === nodeBest, table.slotPeer(chosen), table.slotAttr(chosen), chosen === nodeBest)
        ) {
          chosen = s;
        }
      }
    }
    this.otherLen[i] = table.trie.prefixLength(node);
    this.otherPeer[i] = table.slotPeer(chosen);
    this.otherAttr[i] = table.slotAttr(chosen);
  }

  /** The paths at the client's longest prefix and the upstream of each, into pathSlot/pathUpstream. */
  private gatherPaths(table: RouteTable, node: number): void {
    let m = 0;
    for (let s = table.head(node); s >= 0; s = table.slotNext(s)) {
      if (m === this.pathSlot.length) {
        const slots = new Int32Array(m * 2);
        slots.set(this.pathSlot);
        this.pathSlot = slots;
        const ups = new Float64Array(m * 2);
        ups.set(this.pathUpstream);
        this.pathUpstream = ups;
      }
      this.pathSlot[m] = s;
      this.pathUpstream[m] = this.upstreamOfSlot(table, s);
      m++;
    }
    this.pathCount = m;
  }
}

/**
 * The sorter's RIB: Adj-RIB-In per peer and the Loc-RIB for IPv4 and IPv6
 * unicast, fed by the BGP sessions (update/withdraw/peer down) and read by the
 * sorter (longest match, best path, each upstream's own path).
 *
 * `generation` increases whenever any best path changes, and also when a
 * neighbour's self-originated prefixes change (they decide which upstream a
 * candidate address belongs to), so a cached answer keyed on it is never stale.
 */
import { Afi, type PathAttributes, type Prefix } from '../bgp/types.js';
import { bytesToWords, formatPrefix, prefixToWords, wordsOf } from './address.js';
import { AttrStore } from './attr-store.js';
import { PeerTable, type RibPeerConfig } from './peers.js';
import { RouteTable, type TableChange } from './route-table.js';
import { StalePaths } from './stale-paths.js';
import { OriginLog, type OriginChange } from './origin-log.js';
import { BestChangeLog, type BestChange } from './best-change-log.js';

/** The families as plain constants: reading the enum through its module binding costs on hot paths. */
const AFI_IPV4: Afi = 1;
/** Slots a flush sweeps between clock checks: a removal costs ~4 µs on a DFZ table (cache misses), so ~2 ms. */
const FLUSH_SLOTS_PER_CHECK = 512;

/** (family, buffer, offset of the prefix octets, prefix length), as bgp/nlri.ts visits NLRI. */
export type NlriVisitor = (afi: Afi, buf: Uint8Array, offset: number, len: number) => void;

/** What applyUpdate needs from a decoded UPDATE (bgp/update.ts DecodedUpdate has this shape). */
export interface UpdateLike {
  readonly attrs: PathAttributes;
  forEachAnnounced(visit: NlriVisitor): void;
  forEachWithdrawn(visit: NlriVisitor): void;
}

export interface RibOptions {
  /** Our AS: decides eBGP vs iBGP per peer and drops paths that contain it (loop). */
  localAsn: number;
  /** FRR `bgp bestpath compare-routerid` (default off: the older external path stays). */
  compareRouterId?: boolean;
}

/** A best path as plain data (status pages, differential tests). */
export interface BestRoute {
  prefix: string;
  peer: number;
  peerAddress: string;
  peerAsn: number;
  attrs: PathAttributes;
}

export class Rib {
  readonly attrs = new AttrStore();
  readonly peers: PeerTable;
  readonly v4: RouteTable;
  readonly v6: RouteTable;
  readonly compareRouterId: boolean;
  /** Increments on every best-path change (and origin change, see above). */
  generation = 0;
  /** Increments when a path whose AS_PATH is exactly its neighbour's AS appears, changes or goes. */
  originVersion = 0;
  /** The prefix behind each originVersion step (recent ones), so caches drop only what it covers. */
  private readonly originLog = new OriginLog();
  /** The prefix behind each generation step (recent ones), so answer caches drop only what it overlaps. */
  private readonly bestLog = new BestChangeLog();
  /** Paths held per peer (both families), for statistics. */
  readonly prefixCount: number[] = [];
  /** Paths held per peer and family, for max-prefix (FRR counts per family). */
  readonly prefixCountV4: number[] = [];
  readonly prefixCountV6: number[] = [];
  /** Paths kept across a peer's graceful restart (markStale / sweepStale). */
  readonly stale = new StalePaths();
  private readonly change: TableChange = { bestChanged: false, pathsChanged: false, originGone: false };
  /** The prefix being applied, as trie key words. */
  private readonly key = new Uint32Array(4);

  constructor(readonly options: RibOptions) {
    this.peers = new PeerTable(options.localAsn);
    this.compareRouterId = options.compareRouterId ?? false;
    const ctx = { attrs: this.attrs, peers: this.peers, compareRouterId: options.compareRouterId };
    this.v4 = new RouteTable(1, ctx);
    this.v6 = new RouteTable(4, ctx);
  }

  table(afi: Afi): RouteTable {
    return afi === AFI_IPV4 ? this.v4 : this.v6;
  }

  addPeer(config: RibPeerConfig): number {
    const id = this.peers.add(config);
    this.prefixCount.push(0);
    this.prefixCountV4.push(0);
    this.prefixCountV6.push(0);
    return id;
  }

  /** Session Established: the peer's BGP identifier enters the router-id tie-breaker. */
  peerUp(peer: number, routerId: string): void {
    this.peers.setEstablished(peer, true, routerId);
  }

  /**
   * Session gone, for a daemon that must not stall: the peer's paths leave in slices
   * (flushStep, called until it returns true) instead of all at once, as BIRD and FRR
   * flush a peer over several rounds of their event loops. Until its slice comes a
   * path stays where it was, as in those daemons. The old id takes no new paths;
   * the returned id (a fresh one, or a fully flushed one reused) serves the peer's
   * next session.
   */
  retirePeer(peer: number): number {
    const config = this.peers.config(peer);
    this.peers.setEstablished(peer, false);
    // Stale paths of a graceful restart that did not come back go with the rest.
    this.stale.end(peer, Afi.IPv4);
    this.stale.end(peer, Afi.IPv6);
    this.flushes.push({ peer, table: 0, cursor: 0 });
    const reuse = this.flushedIds.pop();
    const id = this.peers.add(config, reuse);
    if (reuse === undefined) {
      this.prefixCount.push(0);
      this.prefixCountV4.push(0);
      this.prefixCountV6.push(0);
    }
    return id;
  }

  /** Paths of retired peers not yet flushed. */
  get pathsToFlush(): number {
    let n = 0;
    for (const f of this.flushes) n += this.prefixCount[f.peer];
    return n;
  }

  /**
   * Flushes retired peers' paths until `deadline` (performance.now() ms), a few
   * thousand slots between clock checks. Returns true when nothing is left to flush.
   */
  flushStep(deadline: number): boolean {
    // Slot positions move when a compaction ends: the compaction goes first (backgroundStep).
    if (this.compactionStarted !== undefined) return false;
    const tables = [this.v4, this.v6];
    while (this.flushes.length > 0) {
      const f = this.flushes[0];
      const table = tables[f.table];
      const afi = f.table === 0 ? AFI_IPV4 : (2 as Afi);
      let removed = 0;
      f.cursor = table.clearPeerSlice(f.peer, f.cursor, FLUSH_SLOTS_PER_CHECK, (node, bestChanged, originGone, len) => {
        removed++;
        if (!bestChanged && !originGone) return;
        // A pruned node keeps its key words (trie release clears links and length only).
        table.trie.keyOf(node, this.key);
        if (bestChanged) this.bestChanged(afi, len);
        if (originGone) this.originChanged(afi, len);
      });
      if (removed > 0) this.count(f.peer, afi, -removed);
      if (f.cursor < 0) {
        f.cursor = 0;
        if (++f.table === 2) {
          this.flushes.shift();
          this.flushedIds.push(f.peer);
        }
      }
      if (performance.now() >= deadline) return this.flushes.length === 0;
    }
    return true;
  }

  /** Retired peers being flushed, oldest first: which family and slot each has reached. */
  private readonly flushes: { peer: number; table: number; cursor: number }[] = [];
  /** Retired ids with no path left, for reuse. */
  private readonly flushedIds: number[] = [];

  /** Session gone: every path of the peer leaves both families. Returns the number removed. */
  peerDown(peer: number): number {
    this.peers.setEstablished(peer, false);
    this.stale.end(peer, Afi.IPv4);
    this.stale.end(peer, Afi.IPv6);
    let removed = 0;
    const before = this.generation;
    for (const table of [this.v4, this.v6]) {
      removed += table.clearPeer(peer, (_node, bestChanged) => {
        if (bestChanged) this.generation++;
      });
    }
    // All at once, prefixes unnamed: a reader behind this drops everything.
    if (this.generation !== before) this.bestLog.reset(this.generation);
    if (removed > 0) this.originChanged(undefined, 0);
    this.prefixCount[peer] = 0;
    this.prefixCountV4[peer] = 0;
    this.prefixCountV6[peer] = 0;
    return removed;
  }

  /**
   * Graceful Restart (RFC 4724 §4.2): the peer's session went down but its paths of
   * this family are kept, marked stale. They stay in best-path selection (the peer
   * still counts as up for ranking) until refreshed or swept. Returns how many.
   */
  markStale(peer: number, afi: Afi): number {
    const table = this.table(afi);
    const nodes = this.stale.begin(peer, afi);
    table.trie.forEach((node) => {
      for (let s = table.head(node); s >= 0; s = table.slotNext(s)) {
        if (table.slotPeer(s) === peer) {
          nodes.add(node);
          return;
        }
      }
    });
    return nodes.size;
  }

  /** Removes the peer's paths of this family that are still stale (End-of-RIB, or a GR timer ran out). Returns how many. */
  sweepStale(peer: number, afi: Afi): number {
    const nodes = this.stale.end(peer, afi);
    if (!nodes) return 0;
    const trie = this.table(afi).trie;
    for (const node of nodes) {
      trie.keyOf(node, this.key);
      this.withdrawKey(peer, afi, trie.prefixLength(node));
    }
    return nodes.size;
  }

  /** The peer announced or withdrew (key, len) while some of its paths are stale. */
  private refreshed(peer: number, afi: Afi, len: number): void {
    if (this.stale.has(peer, afi)) this.stale.refreshed(peer, afi, this.table(afi).trie.find(this.key, len));
  }

  private containsLocalAs(attrs: PathAttributes): boolean {
    const local = this.options.localAsn;
    for (const seg of attrs.asPath) if (seg.asns.includes(local)) return true;
    return false;
  }

  private isSelfOriginated(peer: number, attrs: PathAttributes): boolean {
    const p = attrs.asPath;
    const asn = this.peers.asn[peer];
    return p.length === 1 && p[0].asns.length > 0 && p[0].asns.every((a) => a === asn);
  }

  /** One originVersion step for the prefix in `this.key` (afi undefined: for everything). */
  private originChanged(afi: Afi | undefined, len: number): void {
    // Which upstream a candidate belongs to moved: any client's answer may differ, so a
    // reader of the best-change log behind this generation drops everything.
    this.bestLog.reset(this.generation);
    this.originVersion++;
    this.originLog.add(this.originVersion, afi, this.key, afi === undefined ? 0 : afi === AFI_IPV4 ? 1 : 4, len);
  }

  /** One generation step for the prefix in `this.key`. */
  private bestChanged(afi: Afi, len: number): void {
    this.bestLog.add(++this.generation, afi, this.key, len);
  }

  /** The best-path changes after `generation` (at most `limit`, the oldest first), or undefined when they cannot all be named. */
  bestChangesSince(generation: number, limit?: number): BestChange[] | undefined {
    return this.bestLog.since(generation, this.generation, limit);
  }

  /** The self-originated prefixes changed after `version`; undefined when they cannot all be named (drop everything). */
  originChangesSince(version: number): OriginChange[] | undefined {
    return this.originLog.since(version, this.originVersion);
  }

  private count(peer: number, afi: Afi, delta: number): void {
    this.prefixCount[peer] += delta;
    if (afi === AFI_IPV4) this.prefixCountV4[peer] += delta;
    else this.prefixCountV6[peer] += delta;
  }

  /** One prefix (already in `this.key`) from `peer` with `attrs`. */
  private announceKey(peer: number, attrs: PathAttributes, selfOriginated: boolean, afi: Afi, len: number): void {
    const table = afi === AFI_IPV4 ? this.v4 : this.v6;
    const change = this.change;
    const before = table.paths;
    table.announce(peer, this.attrs.acquire(attrs), this.key, len, change);
    if (this.stale.active > 0) this.refreshed(peer, afi, len);
    if (table.paths !== before) this.count(peer, afi, 1);
    if (change.bestChanged) this.bestChanged(afi, len);
    // The mapping of candidates to upstreams reads self-originated paths only: other churn leaves it be.
    if (change.pathsChanged && (selfOriginated || change.originGone)) this.originChanged(afi, len);
  }

  private withdrawKey(peer: number, afi: Afi, len: number): void {
    const table = afi === AFI_IPV4 ? this.v4 : this.v6;
    const change = this.change;
    if (this.stale.active > 0) this.refreshed(peer, afi, len);
    table.withdraw(peer, this.key, len, change);
    if (change.pathsChanged) {
      this.count(peer, afi, -1);
      if (change.originGone) this.originChanged(afi, len);
    }
    if (change.bestChanged) this.bestChanged(afi, len);
  }

  /**
   * Paths from `peer` for these prefixes with these attributes (implicitly
   * withdrawing the peer's previous paths for them). Paths whose AS_PATH holds
   * our own AS are loops (RFC 4271 §9.1.2) and are treated as withdrawals.
   */
  update(peer: number, attrs: PathAttributes, nlri: readonly Prefix[]): void {
    if (nlri.length === 0) return;
    if (this.containsLocalAs(attrs)) {
      this.withdraw(peer, nlri);
      return;
    }
    const sole = this.isSelfOriginated(peer, attrs);
    for (let i = 0; i < nlri.length; i++) {
      const p = nlri[i];
      prefixToWords(p, this.key);
      this.announceKey(peer, attrs, sole, p.afi, p.len);
    }
  }

  withdraw(peer: number, nlri: readonly Prefix[]): void {
    for (let i = 0; i < nlri.length; i++) {
      const p = nlri[i];
      prefixToWords(p, this.key);
      this.withdrawKey(peer, p.afi, p.len);
    }
  }

  /**
   * Applies one decoded UPDATE without building a Prefix object per NLRI:
   * withdrawals first, then announcements (a prefix in both is announced).
   * Anything shaped like bgp/DecodedUpdate fits.
   */
  applyUpdate(peer: number, update: UpdateLike): void {
    const u = this.updating;
    u.peer = peer;
    update.forEachWithdrawn(this.visitWithdrawn);
    const attrs = update.attrs;
    u.attrs = attrs;
    u.loop = this.containsLocalAs(attrs);
    u.sole = this.isSelfOriginated(peer, attrs);
    update.forEachAnnounced(this.visitAnnounced);
  }

  // The UPDATE being applied, read by two visitors made once (not two closures per UPDATE).
  private readonly updating: { peer: number; attrs: PathAttributes; loop: boolean; sole: boolean } = { peer: 0, attrs: { asPath: [] }, loop: false, sole: false };

  private readonly visitWithdrawn = (afi: Afi, buf: Uint8Array, offset: number, len: number): void => {
    bytesToWords(buf, offset, len, this.key);
    this.withdrawKey(this.updating.peer, afi, len);
  };

  private readonly visitAnnounced = (afi: Afi, buf: Uint8Array, offset: number, len: number): void => {
    const u = this.updating;
    bytesToWords(buf, offset, len, this.key);
    if (u.loop) this.withdrawKey(u.peer, afi, len);
    else this.announceKey(u.peer, u.attrs, u.sole, afi, len);
  };

  /**
   * Compacts a family's path slots (RouteTable.compact) once the slots handed out since
   * its last compaction reach a quarter of its paths (at least 10,000): after a full
   * table or heavy churn, not after every small update. Meant for when no table is
   * arriving — the daemon checks once a second and skips while UPDATEs pour in. Returns
   * the milliseconds spent, or undefined when nothing was worth compacting.
   */
  compactIfWorthwhile(): number | undefined {
    if (!this.startCompactionIfWorthwhile()) return undefined;
    while (!this.backgroundStep(Infinity));
    return this.lastCompactionMs;
  }

  private worthCompacting(table: RouteTable): boolean {
    return table.churnSinceCompact >= Math.max(10_000, table.paths / 4);
  }

  /**
   * Starts compacting the families worth it (as compactIfWorthwhile decides), to be
   * carried out in slices by backgroundStep. Returns whether one was started.
   */
  startCompactionIfWorthwhile(): boolean {
    // A flush walks slots by position: re-laying them under it would skip paths.
    if (this.flushes.length > 0 || this.compactionStarted !== undefined) return false;
    let started = false;
    for (const table of [this.v4, this.v6]) {
      if (!this.worthCompacting(table)) continue;
      table.startCompaction();
      started = true;
    }
    if (started) {
      this.compactionStarted = performance.now();
      this.compactionLongestSliceMs = 0;
    }
    return started;
  }

  /**
   * Background work of the RIB, until `deadline` (performance.now() ms): a compaction
   * in progress first, then the flushes of retired peers. Returns true when idle.
   */
  backgroundStep(deadline: number): boolean {
    if (this.compactionStarted !== undefined) {
      const t0 = performance.now();
      const done = this.v4.compactStep(deadline) && this.v6.compactStep(deadline);
      this.compactionLongestSliceMs = Math.max(this.compactionLongestSliceMs, performance.now() - t0);
      if (!done) return false;
      this.compactions++;
      this.lastCompactionMs = performance.now() - this.compactionStarted;
      this.lastCompactionSliceMs = this.compactionLongestSliceMs;
      this.compactionStarted = undefined;
      this.trimming = true;
      if (performance.now() >= deadline) return false;
    }
    if (this.trimming) {
      // The pages a compaction freed go back in steps (releasing them costs time per megabyte).
      while (!(this.v4.trimStep() && this.v6.trimStep())) if (performance.now() >= deadline) return false;
      this.trimming = false;
    }
    return this.flushStep(deadline);
  }

  private compactionStarted?: number;
  /** A compaction ended and its freed slot pages are not all given back yet. */
  private trimming = false;
  private compactionLongestSliceMs = 0;
  /** Compactions completed; the last one's duration from start to end, and its longest slice. */
  compactions = 0;
  lastCompactionMs = 0;
  lastCompactionSliceMs = 0;

  /** Work a table's arrival left for the background: a compaction running or the pages it freed still held. */
  get settling(): boolean {
    return this.compactionStarted !== undefined || this.trimming;
  }

  prefixText(afi: Afi, node: number): string {
    const t = this.table(afi).trie;
    const words = new Uint32Array(4);
    t.keyOf(node, words);
    return formatPrefix(afi, words, t.prefixLength(node));
  }

  /** The best path for exactly this prefix, or undefined. */
  bestFor(afi: Afi, prefixWords: Uint32Array, len: number): BestRoute | undefined {
    const table = this.table(afi);
    const node = table.trie.find(prefixWords.subarray(0, wordsOf(afi)), len);
    if (node < 0 || table.best(node) < 0) return undefined;
    return this.describe(afi, node, table.best(node));
  }

  describe(afi: Afi, node: number, slot: number): BestRoute {
    const table = this.table(afi);
    const peer = table.slotPeer(slot);
    return {
      prefix: this.prefixText(afi, node),
      peer,
      peerAddress: this.peers.config(peer).address,
      peerAsn: this.peers.asn[peer],
      attrs: this.attrs.attributes(table.slotAttr(slot)),
    };
  }

  /** Every best path of a family, in trie order. */
  *bestRoutes(afi: Afi): Generator<BestRoute> {
    const table = this.table(afi);
    const nodes: number[] = [];
    table.trie.forEach((n) => nodes.push(n));
    for (const n of nodes) {
      const slot = table.best(n);
      if (slot >= 0) yield this.describe(afi, n, slot);
    }
  }

  /** The RIB's state in typed arrays: both families' tries and path slots, and the attribute sets. */
  bytesUsed(): number {
    return this.v4.bytesUsed() + this.v6.bytesUsed() + this.attrs.bytesUsed();
  }
}

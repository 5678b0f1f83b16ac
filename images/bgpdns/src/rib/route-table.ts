/**
 * One address family of the RIB: a prefix trie whose nodes point at a list of
 * paths (one per peer: together the Adj-RIBs-In) and at the selected best path
 * (the Loc-RIB). Paths live in typed-array slots (peer, attribute id, next
 * slot, owning node); a node's list is newest-first, as FRR keeps it, because
 * the order matters to the deterministic-MED grouping and the incumbent rule.
 */
import { AttrStore } from './attr-store.js';
import { newPathWins, sameNeighbourAs, type BestPathContext } from './best-path.js';
import { PrefixTrie } from './prefix-trie.js';
import { growable, resizeInPlace, shrinkStep } from './growable.js';

const NONE = -1;
// Fields of a path slot record.
const PEER = 0;
const ATTR = 1;
const NEXT = 2;
const NODE = 3;
const SLOT = 4;

export interface TableChange {
  /** True when the prefix's best path changed (another path, or new attributes on the same one). */
  bestChanged: boolean;
  /** True when the set of paths changed at all. */
  pathsChanged: boolean;
  /**
   * True when a path replaced or removed here was self-originated by its peer (AS_PATH
   * only the neighbour's AS): the sorter's candidate-to-upstream mapping reads those.
   */
  originGone?: boolean;
}

export class RouteTable {
  /** Per node: VALUE = first path slot, AUX = best path slot (NONE when the node has no path), in one record. */
  readonly trie: PrefixTrie;
  /**
   * Path slots, SLOT int32s each: peer, attribute id, next slot of the node's
   * list, owning trie node (NONE for a free slot). One record per path keeps a
   * walk over a prefix's paths at one cache line per path. Grows in place
   * (growable.ts); after a compaction it may be longer than slotCapacity until
   * trimStep has given the rest back.
   */
  private readonly slots = growable(Int32Array, 1024 * SLOT);
  private slotCapacity = 1024;
  private slotsUsed = 0;
  private freeSlot = NONE;
  /**
   * Slot ids are absolute: id = base + index into `slots`. A compaction copies every
   * list past the live slots, then drops the old part by raising `base`, so no stored
   * id has to be rewritten (compactStep).
   */
  private base = 0;
  /** A compaction in progress: next trie node id to visit, and the index where relocated slots begin. */
  private compaction?: { cursor: number; start: number };
  /** Slots handed out since the last compact(): how scattered the prefixes' path lists have become. */
  private allocsSinceCompact = 0;
  private pathCount = 0;
  private prefixCount = 0;
  /** Scratch for best-path selection over a node's paths. */
  private group = new Int32Array(64);
  private checked = new Uint8Array(64);
  private dmedSelected = new Uint8Array(64);

  constructor(
    words: 1 | 4,
    private readonly ctx: BestPathContext & { attrs: AttrStore },
  ) {
    this.trie = new PrefixTrie(words, undefined, { indexed: true });
  }

  /** Number of paths over all peers (the Adj-RIBs-In together). */
  get paths(): number {
    return this.pathCount;
  }

  /** Number of prefixes with at least one path. */
  get prefixes(): number {
    return this.prefixCount;
  }

  slotPeer(slot: number): number {
    return this.slots[this.ix(slot) + PEER];
  }

  slotAttr(slot: number): number {
    return this.slots[this.ix(slot) + ATTR];
  }

  slotNext(slot: number): number {
    return this.slots[this.ix(slot) + NEXT];
  }

  best(node: number): number {
    return this.trie.aux(node);
  }

  /** First path slot of a node (then follow slotNext), NONE when none. */
  head(node: number): number {
    return this.trie.value(node);
  }

  bytesUsed(): number {
    return (
      this.trie.bytesUsed() +
      this.slots.byteLength
    );
  }

  /** Index of a slot id's record in `slots`. */
  private ix(id: number): number {
    return (id - this.base) * SLOT;
  }

  private growSlots(): void {
    this.slotCapacity *= 2;
    resizeInPlace(this.slots, this.slotCapacity * SLOT);
  }

  private allocSlot(): number {
    this.allocsSinceCompact++;
    // While compacting, new slots go past the relocated ones (the old part is dropped at the end).
    if (this.freeSlot !== NONE && this.compaction === undefined) {
      const s = this.freeSlot;
      this.freeSlot = this.slots[this.ix(s) + NEXT];
      return s;
    }
    if (this.slotsUsed === this.slotCapacity) this.growSlots();
    return this.base + this.slotsUsed++;
  }

  /**
   * Adds or replaces the path from `peer` for (key, len); takes over one
   * reference to `attr` (released again when nothing changed).
   */
  announce(peer: number, attr: number, key: Uint32Array, len: number, change: TableChange): void {
    const node = this.trie.insert(key, len);
    for (let s = this.trie.value(node); s !== NONE; s = this.slots[this.ix(s) + NEXT]) {
      if (this.slots[this.ix(s) + PEER] !== peer) continue;
      const old = this.slots[this.ix(s) + ATTR];
      if (old === attr) {
        this.ctx.attrs.release(attr);
        change.bestChanged = false;
        change.pathsChanged = false;
        change.originGone = false;
        return;
      }
      this.slots[this.ix(s) + ATTR] = attr;
      change.originGone = this.ctx.attrs.soleAs[old] === this.ctx.peers.asn[peer];
      this.ctx.attrs.release(old);
      change.pathsChanged = true;
      const wasBest = this.trie.aux(node) === s;
      change.bestChanged = this.reselect(node) || wasBest;
      return;
    }
    const s = this.allocSlot();
    if (this.trie.value(node) === NONE) this.prefixCount++;
    this.slots[this.ix(s) + PEER] = peer;
    this.slots[this.ix(s) + ATTR] = attr;
    this.slots[this.ix(s) + NODE] = node;
    this.slots[this.ix(s) + NEXT] = this.trie.value(node);
    this.trie.setValue(node, s);
    this.pathCount++;
    change.pathsChanged = true;
    change.originGone = false;
    change.bestChanged = this.reselect(node);
  }

  /** Removes the path from `peer` for (key, len) if there is one. */
  withdraw(peer: number, key: Uint32Array, len: number, change: TableChange): void {
    const node = this.trie.find(key, len);
    change.bestChanged = false;
    change.pathsChanged = false;
    change.originGone = false;
    if (node === NONE) return;
    this.removePath(node, peer, change);
  }

  private removePath(node: number, peer: number, change: TableChange): void {
    let prev = NONE;
    for (let s = this.trie.value(node); s !== NONE; prev = s, s = this.slots[this.ix(s) + NEXT]) {
      if (this.slots[this.ix(s) + PEER] !== peer) continue;
      const next = this.slots[this.ix(s) + NEXT];
      if (prev === NONE) this.trie.setValue(node, next);
      else this.slots[this.ix(prev) + NEXT] = next;
      const attr = this.slots[this.ix(s) + ATTR];
      change.originGone = this.ctx.attrs.soleAs[attr] === this.ctx.peers.asn[peer];
      this.ctx.attrs.release(attr);
      this.slots[this.ix(s) + NODE] = NONE;
      if (this.compaction === undefined) {
        this.slots[this.ix(s) + NEXT] = this.freeSlot;
        this.freeSlot = s;
      }
      this.pathCount--;
      change.pathsChanged = true;
      const wasBest = this.trie.aux(node) === s;
      if (wasBest) this.trie.setAux(node, NONE);
      if (this.trie.value(node) === NONE) {
        this.prefixCount--;
        change.bestChanged = true;
        this.trie.prune(node);
      } else {
        change.bestChanged = this.reselect(node) || wasBest;
      }
      return;
    }
  }

  /**
   * Removes every path of a peer (session down). Calls `each` per removed path
   * with whether the best changed. Returns how many paths were removed.
   */
  clearPeer(peer: number, each?: (node: number, bestChanged: boolean) => void): number {
    let removed = 0;
    const change: TableChange = { bestChanged: false, pathsChanged: false };
    for (let s = 0; s < this.slotsUsed; s++) {
      const node = this.slots[s * SLOT + NODE];
      if (node === NONE || this.slots[s * SLOT + PEER] !== peer) continue;
      this.removePath(node, peer, change);
      removed++;
      each?.(node, change.bestChanged);
    }
    return removed;
  }

  /**
   * Removes the peer's paths held in slots [from, from + count) (a slice of a flush
   * spread over time); calls `each` per removed path. Returns the next slot to look
   * at, or -1 when the whole table has been swept. Slots handed out meanwhile to
   * other peers are skipped; the flushed peer's id gets no new paths (Rib.retirePeer).
   */
  clearPeerSlice(peer: number, from: number, count: number, each: (node: number, bestChanged: boolean, originGone: boolean, len: number) => void): number {
    const change: TableChange = { bestChanged: false, pathsChanged: false };
    const end = Math.min(this.slotsUsed, from + count);
    for (let s = from; s < end; s++) {
      const node = this.slots[s * SLOT + NODE];
      if (node === NONE || this.slots[s * SLOT + PEER] !== peer) continue;
      // Read before the removal: a node pruned with its last path loses its length.
      const len = this.trie.prefixLength(node);
      this.removePath(node, peer, change);
      each(node, change.bestChanged, change.originGone === true, len);
    }
    return end >= this.slotsUsed ? -1 : end;
  }

  /** Slots handed out since the last compaction (the RIB's compaction policy reads it). */
  get churnSinceCompact(): number {
    return this.allocsSinceCompact;
  }

  /**
   * Re-lays the path slots so each prefix's paths sit next to each other. Paths are
   * appended as sessions deliver them, so after full tables from several upstreams a
   * prefix's paths lie megabytes apart: a sorter query reads all of them, each a cache
   * and TLB miss. After this they share one or two cache lines.
   *
   * Done in slices (startCompaction, then compactStep until it returns true) so that a
   * full table never stalls the daemon: each visited trie node's list is copied past
   * the slots in use, as one run, and the node points at the copy at once, so readers
   * and writers see a consistent table between slices (new paths meanwhile go past
   * the copies too). When every node has been visited the old part holds no live slot;
   * it is dropped with one copy of the live part and `base` is raised, so slot ids
   * held by the trie and the lists stay valid without being rewritten.
   */
  startCompaction(): void {
    if (this.compaction !== undefined) return;
    // Room for every path once more: the copies must not make the array grow mid-way.
    const need = this.slotsUsed + Math.ceil(this.pathCount * 1.25) + 1024;
    if (need > this.slotCapacity) {
      resizeInPlace(this.slots, need * SLOT);
      this.slotCapacity = need;
    }
    this.freeSlot = NONE;
    this.compaction = { cursor: 0, start: this.slotsUsed };
  }

  get compacting(): boolean {
    return this.compaction !== undefined;
  }

  /**
   * Copies lists until `deadline` (performance.now() ms) or `maxNodes` trie nodes were
   * visited; returns true when the compaction is complete (or none was running).
   */
  compactStep(deadline: number, maxNodes = Infinity): boolean {
    const c = this.compaction;
    if (c === undefined) return true;
    const trie = this.trie;
    let visited = 0;
    while (c.cursor < trie.nodesAllocated) {
      if (visited >= maxNodes || ((visited & 255) === 255 && performance.now() >= deadline)) return false;
      const node = c.cursor++;
      visited++;
      const head = trie.value(node);
      // Free trie nodes and glue nodes have no value; so have ids beyond the trie's live ones.
      if (head < 0) continue;
      this.relocate(node, head);
    }
    this.finishCompaction(c.start);
    return true;
  }

  /** Copies a node's list past the slots in use, as one run, and points the node at it. */
  private relocate(node: number, head: number): void {
    const best = this.trie.aux(node);
    if (this.slotsUsed + 64 > this.slotCapacity) this.growSlots();
    const first = this.base + this.slotsUsed;
    for (let s = head; s !== NONE;) {
      const from = this.ix(s);
      if (this.slotsUsed === this.slotCapacity) this.growSlots();
      const id = this.base + this.slotsUsed++;
      const to = this.ix(id);
      const slots = this.slots;
      const next = slots[from + NEXT];
      slots[to + PEER] = slots[from + PEER];
      slots[to + ATTR] = slots[from + ATTR];
      slots[to + NODE] = node;
      slots[to + NEXT] = next === NONE ? NONE : id + 1;
      slots[from + NODE] = NONE;
      if (s === best) this.trie.setAux(node, id);
      s = next;
    }
    // The node keeps a value (only its slot id changes): nothing else in the trie moves.
    this.trie.setValue(node, first);
  }

  /**
   * Every live slot is at or past `start`: move that part to the front (one memmove
   * within the same pages, nothing allocated); the pages past it are given back by
   * trimStep, a few megabytes per slice.
   */
  private finishCompaction(start: number): void {
    const live = this.slotsUsed - start;
    const capacity = Math.max(1024, Math.ceil(live * 1.25));
    this.slots.copyWithin(0, start * SLOT, this.slotsUsed * SLOT);
    this.slotCapacity = capacity;
    this.slotsUsed = live;
    this.base += start;
    this.freeSlot = NONE;
    this.compaction = undefined;
    this.allocsSinceCompact = 0;
    // Ids only grow; long before int32 runs out, rewrite them once from 0 (rare: after ~1,000 full-table compactions).
    if (this.base > 2 ** 30) this.rebaseToZero();
  }

  private rebaseToZero(): void {
    const base = this.base;
    const slots = this.slots;
    for (let i = 0; i < this.slotsUsed; i++) {
      if (slots[i * SLOT + NODE] === NONE) continue;
      if (slots[i * SLOT + NEXT] !== NONE) slots[i * SLOT + NEXT] -= base;
    }
    this.trie.forEach((node) => {
      this.trie.setValue(node, this.trie.value(node) - base);
      if (this.trie.aux(node) !== NONE) this.trie.setAux(node, this.trie.aux(node) - base);
    });
    this.base = 0;
  }

  /** Gives back one step of the slot pages a compaction freed; true when none is left. */
  trimStep(): boolean {
    return shrinkStep(this.slots, this.slotCapacity * SLOT);
  }

  /** The whole compaction at once (tests, in-process benches). */
  compact(): void {
    this.startCompaction();
    this.compactStep(Infinity);
  }

  /** FRR bgp_best_selection with deterministic-med (FRR's default). Returns whether the best slot changed. */
  private reselect(node: number): boolean {
    const old = this.trie.aux(node);
    const head = this.trie.value(node);
    let chosen = head;
    if (head !== NONE && this.slots[this.ix(head) + NEXT] !== NONE) chosen = this.selectAmong(head, old);
    this.trie.setAux(node, chosen);
    return chosen !== old;
  }

  private selectAmong(head: number, old: number): number {
    let n = 0;
    for (let s = head; s !== NONE; s = this.slots[this.ix(s) + NEXT]) {
      if (n === this.group.length) {
        const bigger = new Int32Array(n * 2);
        bigger.set(this.group);
        this.group = bigger;
        this.checked = new Uint8Array(n * 2);
        this.dmedSelected = new Uint8Array(n * 2);
      }
      this.group[n++] = s;
    }
    const { group, checked, dmedSelected, slots, ctx, base } = this;
    checked.fill(0, 0, n);
    dmedSelected.fill(0, 0, n);
    // Pass 1: in each neighbour-AS group keep the best (MED is comparable inside a group).
    for (let i = 0; i < n; i++) {
      if (checked[i]) continue;
      let sel = i;
      for (let j = i + 1; j < n; j++) {
        if (checked[j]) continue;
        if (!sameNeighbourAs(ctx.attrs, slots[(group[i] - base) * SLOT + ATTR], slots[(group[j] - base) * SLOT + ATTR])) continue;
        const a = group[j];
        const b = group[sel];
        if (newPathWins(ctx, slots[(a - base) * SLOT + PEER], slots[(a - base) * SLOT + ATTR], a === old, slots[(b - base) * SLOT + PEER], slots[(b - base) * SLOT + ATTR], b === old)) {
          dmedSelected[sel] = 0;
          sel = j;
        }
        checked[j] = 1;
      }
      checked[sel] = 1;
      dmedSelected[sel] = 1;
    }
    // Pass 2: the group winners against each other, in list order.
    let best = NONE;
    for (let i = 0; i < n; i++) {
      if (!dmedSelected[i]) continue;
      const a = group[i];
      if (best === NONE || newPathWins(ctx, slots[(a - base) * SLOT + PEER], slots[(a - base) * SLOT + ATTR], a === old, slots[(best - base) * SLOT + PEER], slots[(best - base) * SLOT + ATTR], best === old)) {
        best = a;
      }
    }
    return best;
  }
}

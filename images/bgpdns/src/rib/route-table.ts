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

const NONE = -1;

export interface TableChange {
  /** True when the prefix's best path changed (another path, or new attributes on the same one). */
  bestChanged: boolean;
  /** True when the set of paths changed at all. */
  pathsChanged: boolean;
}

export class RouteTable {
  readonly trie: PrefixTrie;
  /** Best path slot per trie node, NONE when the node has no path. */
  private bestSlot: Int32Array;
  slotPeer = new Uint16Array(1024);
  slotAttr = new Int32Array(1024);
  slotNext = new Int32Array(1024);
  /** Owning trie node, NONE for a free slot. */
  slotNode = new Int32Array(1024).fill(NONE);
  private slotsUsed = 0;
  private freeSlot = NONE;
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
    this.trie = new PrefixTrie(words);
    this.bestSlot = new Int32Array(this.trie.nodeCapacity).fill(NONE);
    this.trie.onGrow = (capacity) => {
      const grown = new Int32Array(capacity).fill(NONE);
      grown.set(this.bestSlot);
      this.bestSlot = grown;
    };
  }

  /** Number of paths over all peers (the Adj-RIBs-In together). */
  get paths(): number {
    return this.pathCount;
  }

  /** Number of prefixes with at least one path. */
  get prefixes(): number {
    return this.prefixCount;
  }

  best(node: number): number {
    return this.bestSlot[node];
  }

  /** First path slot of a node (then follow slotNext), NONE when none. */
  head(node: number): number {
    return this.trie.value(node);
  }

  bytesUsed(): number {
    return (
      this.trie.bytesUsed() +
      this.bestSlot.byteLength +
      this.slotPeer.byteLength +
      this.slotAttr.byteLength +
      this.slotNext.byteLength +
      this.slotNode.byteLength
    );
  }

  private growSlots(): void {
    const cap = this.slotPeer.length * 2;
    const peer = new Uint16Array(cap);
    peer.set(this.slotPeer);
    const attr = new Int32Array(cap);
    attr.set(this.slotAttr);
    const next = new Int32Array(cap);
    next.set(this.slotNext);
    const node = new Int32Array(cap).fill(NONE);
    node.set(this.slotNode);
    this.slotPeer = peer;
    this.slotAttr = attr;
    this.slotNext = next;
    this.slotNode = node;
  }

  private allocSlot(): number {
    if (this.freeSlot !== NONE) {
      const s = this.freeSlot;
      this.freeSlot = this.slotNext[s];
      return s;
    }
    if (this.slotsUsed === this.slotPeer.length) this.growSlots();
    return this.slotsUsed++;
  }

  /**
   * Adds or replaces the path from `peer` for (key, len); takes over one
   * reference to `attr` (released again when nothing changed).
   */
  announce(peer: number, attr: number, key: Uint32Array, len: number, change: TableChange): void {
    const node = this.trie.insert(key, len);
    for (let s = this.trie.value(node); s !== NONE; s = this.slotNext[s]) {
      if (this.slotPeer[s] !== peer) continue;
      const old = this.slotAttr[s];
      if (old === attr) {
        this.ctx.attrs.release(attr);
        change.bestChanged = false;
        change.pathsChanged = false;
        return;
      }
      this.slotAttr[s] = attr;
      this.ctx.attrs.release(old);
      change.pathsChanged = true;
      const wasBest = this.bestSlot[node] === s;
      change.bestChanged = this.reselect(node) || wasBest;
      return;
    }
    const s = this.allocSlot();
    if (this.trie.value(node) === NONE) this.prefixCount++;
    this.slotPeer[s] = peer;
    this.slotAttr[s] = attr;
    this.slotNode[s] = node;
    this.slotNext[s] = this.trie.value(node);
    this.trie.setValue(node, s);
    this.pathCount++;
    change.pathsChanged = true;
    change.bestChanged = this.reselect(node);
  }

  /** Removes the path from `peer` for (key, len) if there is one. */
  withdraw(peer: number, key: Uint32Array, len: number, change: TableChange): void {
    const node = this.trie.find(key, len);
    change.bestChanged = false;
    change.pathsChanged = false;
    if (node === NONE) return;
    this.removePath(node, peer, change);
  }

  private removePath(node: number, peer: number, change: TableChange): void {
    let prev = NONE;
    for (let s = this.trie.value(node); s !== NONE; prev = s, s = this.slotNext[s]) {
      if (this.slotPeer[s] !== peer) continue;
      const next = this.slotNext[s];
      if (prev === NONE) this.trie.setValue(node, next);
      else this.slotNext[prev] = next;
      this.ctx.attrs.release(this.slotAttr[s]);
      this.slotNode[s] = NONE;
      this.slotNext[s] = this.freeSlot;
      this.freeSlot = s;
      this.pathCount--;
      change.pathsChanged = true;
      const wasBest = this.bestSlot[node] === s;
      if (wasBest) this.bestSlot[node] = NONE;
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
      const node = this.slotNode[s];
      if (node === NONE || this.slotPeer[s] !== peer) continue;
      this.removePath(node, peer, change);
      removed++;
      each?.(node, change.bestChanged);
    }
    return removed;
  }

  /** FRR bgp_best_selection with deterministic-med (FRR's default). Returns whether the best slot changed. */
  private reselect(node: number): boolean {
    const old = this.bestSlot[node];
    const head = this.trie.value(node);
    let chosen = head;
    if (head !== NONE && this.slotNext[head] !== NONE) chosen = this.selectAmong(head, old);
    this.bestSlot[node] = chosen;
    return chosen !== old;
  }

  private selectAmong(head: number, old: number): number {
    let n = 0;
    for (let s = head; s !== NONE; s = this.slotNext[s]) {
      if (n === this.group.length) {
        const bigger = new Int32Array(n * 2);
        bigger.set(this.group);
        this.group = bigger;
        this.checked = new Uint8Array(n * 2);
        this.dmedSelected = new Uint8Array(n * 2);
      }
      this.group[n++] = s;
    }
    const { group, checked, dmedSelected, slotPeer, slotAttr, ctx } = this;
    checked.fill(0, 0, n);
    dmedSelected.fill(0, 0, n);
    // Pass 1: in each neighbour-AS group keep the best (MED is comparable inside a group).
    for (let i = 0; i < n; i++) {
      if (checked[i]) continue;
      let sel = i;
      for (let j = i + 1; j < n; j++) {
        if (checked[j]) continue;
        if (!sameNeighbourAs(ctx.attrs, slotAttr[group[i]], slotAttr[group[j]])) continue;
        const a = group[j];
        const b = group[sel];
        if (newPathWins(ctx, slotPeer[a], slotAttr[a], a === old, slotPeer[b], slotAttr[b], b === old)) {
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
      if (best === NONE || newPathWins(ctx, slotPeer[a], slotAttr[a], a === old, slotPeer[best], slotAttr[best], best === old)) {
        best = a;
      }
    }
    return best;
  }
}

/**
 * A multibit (stride) index beside a PrefixTrie, for the sorter's per-query
 * longest match. A Patricia walk over a large table touches one node per
 * branching bit — 18 dependent loads for a client inside a fully populated
 * /15 — and on a table bigger than the caches each one is a miss. Here the
 * key is cut at fixed boundaries (IPv4 16/24/32, IPv6 16/24/32/40/48), so a
 * lookup reads at most one slot per level.
 *
 * Each level is a pool of chunks of 2^stride slots; a slot is two int32s:
 *  - LPM: the trie node of the longest prefix with a value whose length falls
 *    in this level's range (previous boundary, boundary] and covers the slot
 *    (a prefix is expanded over every slot it covers: controlled prefix
 *    expansion), or -1;
 *  - NEXT: the chunk of the next level under this slot, or -1; in the last
 *    level, the number of prefixes longer than the last boundary under the
 *    slot ("deep" prefixes, which the index does not hold: a lookup that meets
 *    one falls back to the trie walk).
 * Updates are incremental: a prefix is expanded into its slots when its trie
 * node gets a value, and when it loses it its slots go back to the nearest
 * covering prefix in the same level range (its nearest ancestor with a value,
 * which the trie knows through parent links). Chunks are reference counted
 * (prefixes stored in them + child chunks) and recycled when empty.
 */

const LPM = 0;
const NEXT = 1;

/** What the index needs from the trie it accelerates. */
export interface IndexedTrie {
  prefixLength(node: number): number;
  keyWord(node: number, w: number): number;
  /** Nearest ancestor of node with a value, or -1. */
  coveringParent(node: number): number;
}

export const IPV4_BOUNDARIES = [16, 24, 32] as const;
export const IPV6_BOUNDARIES = [16, 24, 32, 40, 48] as const;

export class StrideIndex {
  /** Boundary (prefix length) at the end of each level. */
  private readonly ends: Int32Array;
  /** First bit of each level. */
  private readonly starts: Int32Array;
  private readonly slotsPer: Int32Array;
  /** Chunks per level, 2 int32s per slot. */
  private readonly pools: Int32Array[];
  /** Per chunk: prefixes stored + child chunks; for a free chunk, the next free chunk. */
  private readonly refs: Int32Array[];
  private readonly used: Int32Array;
  private readonly freeHead: Int32Array;
  private readonly last: number;
  private readonly maxLen: number;
  /** Chunk and slot visited per level by the last update walk. */
  private readonly pathChunk: Int32Array;
  private readonly pathSlot: Int32Array;

  constructor(
    private readonly trie: IndexedTrie,
    boundaries: readonly number[],
  ) {
    const n = boundaries.length;
    this.last = n - 1;
    this.maxLen = boundaries[n - 1];
    this.ends = Int32Array.from(boundaries);
    this.starts = Int32Array.from(boundaries, (_, i) => (i === 0 ? 0 : boundaries[i - 1]));
    this.slotsPer = Int32Array.from(boundaries, (b, i) => 1 << (b - this.starts[i]));
    for (let i = 0; i < n; i++) {
      // A level's bits must come from one 32-bit word of the key.
      if (this.starts[i] >>> 5 !== (this.ends[i] - 1) >>> 5) throw new Error(`stride index level ${i} crosses a word boundary`);
    }
    this.pools = [];
    this.refs = [];
    for (let i = 0; i < n; i++) {
      const chunks = i === 0 ? 1 : 4;
      this.pools.push(new Int32Array(chunks * this.slotsPer[i] * 2));
      this.refs.push(new Int32Array(chunks));
    }
    this.used = new Int32Array(n);
    this.used[0] = 1;
    this.freeHead = new Int32Array(n).fill(-1);
    this.pathChunk = new Int32Array(n);
    this.pathSlot = new Int32Array(n);
    this.clearChunk(0, 0);
  }

  bytesUsed(): number {
    let total = 0;
    for (let i = 0; i < this.pools.length; i++) total += this.pools[i].byteLength + this.refs[i].byteLength;
    return total;
  }

  /** Slot index of `key` within a level-`level` chunk. */
  private slotOf(level: number, word: number): number {
    const end = this.ends[level];
    const shift = 32 - (end - ((this.starts[level] >>> 5) << 5));
    return shift >= 32 ? 0 : (word >>> shift) & (this.slotsPer[level] - 1);
  }

  private clearChunk(level: number, chunk: number): void {
    const per = this.slotsPer[level] * 2;
    const pool = this.pools[level];
    const base = chunk * per;
    for (let i = 0; i < per; i += 2) {
      pool[base + i + LPM] = -1;
      pool[base + i + NEXT] = level === this.last ? 0 : -1;
    }
    this.refs[level][chunk] = 0;
  }

  private allocChunk(level: number): number {
    let chunk = this.freeHead[level];
    if (chunk >= 0) {
      this.freeHead[level] = this.refs[level][chunk];
    } else {
      chunk = this.used[level]++;
      if (chunk * this.slotsPer[level] * 2 >= this.pools[level].length) {
        const pool = new Int32Array(this.pools[level].length * 2);
        pool.set(this.pools[level]);
        this.pools[level] = pool;
        const refs = new Int32Array(this.refs[level].length * 2);
        refs.set(this.refs[level]);
        this.refs[level] = refs;
      }
    }
    this.clearChunk(level, chunk);
    return chunk;
  }

  /** Level holding prefixes of length `len` (the last level for deep ones). */
  private levelOf(len: number): number {
    for (let i = 0; i <= this.last; i++) if (len <= this.ends[i]) return i;
    return this.last;
  }

  /**
   * Walks from the root to the chunk of `level` along node's key, creating
   * chunks when `create`; fills pathChunk/pathSlot. Returns false when a chunk
   * is missing and not created.
   */
  private descend(node: number, level: number, create: boolean): boolean {
    let chunk = 0;
    for (let i = 0; i < level; i++) {
      const slot = this.slotOf(i, this.trie.keyWord(node, this.starts[i] >>> 5));
      this.pathChunk[i] = chunk;
      this.pathSlot[i] = slot;
      const at = (chunk * this.slotsPer[i] + slot) * 2 + NEXT;
      let next = this.pools[i][at];
      if (next < 0) {
        if (!create) return false;
        next = this.allocChunk(i + 1);
        // allocChunk may have replaced level i+1's arrays, never level i's.
        this.pools[i][at] = next;
        this.refs[i][chunk]++;
      }
      chunk = next;
    }
    this.pathChunk[level] = chunk;
    return true;
  }

  /** Node has just got a value: expand its prefix into the slots it covers. */
  add(node: number): void {
    const len = this.trie.prefixLength(node);
    const level = this.levelOf(len);
    this.descend(node, level, true);
    const chunk = this.pathChunk[level];
    const pool = this.pools[level];
    const word = this.trie.keyWord(node, this.starts[level] >>> 5);
    const chunkBase = chunk * this.slotsPer[level];
    this.refs[level][chunk]++;
    if (len > this.maxLen) {
      pool[(chunkBase + this.slotOf(level, word)) * 2 + NEXT]++;
      return;
    }
    const first = this.slotOf(level, word);
    const count = 1 << (this.ends[level] - len);
    for (let s = first; s < first + count; s++) {
      const at = (chunkBase + s) * 2 + LPM;
      const cur = pool[at];
      if (cur < 0 || this.trie.prefixLength(cur) < len) pool[at] = node;
    }
  }

  /** Node is about to lose its value (its ancestors in the trie are intact). */
  remove(node: number): void {
    const len = this.trie.prefixLength(node);
    const level = this.levelOf(len);
    if (!this.descend(node, level, false)) return;
    const chunk = this.pathChunk[level];
    const pool = this.pools[level];
    const word = this.trie.keyWord(node, this.starts[level] >>> 5);
    const chunkBase = chunk * this.slotsPer[level];
    if (len > this.maxLen) {
      pool[(chunkBase + this.slotOf(level, word)) * 2 + NEXT]--;
    } else {
      let refill = this.trie.coveringParent(node);
      if (refill >= 0 && level > 0 && this.trie.prefixLength(refill) <= this.starts[level]) refill = -1;
      const first = this.slotOf(level, word);
      const count = 1 << (this.ends[level] - len);
      for (let s = first; s < first + count; s++) {
        const at = (chunkBase + s) * 2 + LPM;
        if (pool[at] === node) pool[at] = refill;
      }
    }
    this.release(level, chunk);
  }

  /** Drops one reference to a chunk, recycling it (and unlinking it from its parent) when none is left. */
  private release(level: number, chunk: number): void {
    for (let i = level; i > 0; i--) {
      if (--this.refs[i][chunk] > 0) return;
      this.refs[i][chunk] = this.freeHead[i];
      this.freeHead[i] = chunk;
      const parent = this.pathChunk[i - 1];
      this.pools[i - 1][(parent * this.slotsPer[i - 1] + this.pathSlot[i - 1]) * 2 + NEXT] = -1;
      chunk = parent;
    }
  }

  /**
   * Trie node of the longest prefix with a value covering the full-length
   * `key`, or -1; -2 when a deep prefix (longer than the last boundary) may
   * cover it and the caller must walk the trie.
   */
  longest(key: ArrayLike<number>): number {
    let best = -1;
    let chunk = 0;
    const last = this.last;
    for (let i = 0; ; i++) {
      const end = this.ends[i];
      const start = this.starts[i];
      const wordStart = (start >>> 5) << 5;
      const shift = 32 - (end - wordStart);
      const slot = shift >= 32 ? 0 : (key[start >>> 5] >>> shift) & (this.slotsPer[i] - 1);
      const at = (chunk * this.slotsPer[i] + slot) * 2;
      const pool = this.pools[i];
      const lpm = pool[at + LPM];
      if (lpm >= 0) best = lpm;
      const next = pool[at + NEXT];
      if (i === last) return next > 0 ? -2 : best;
      if (next < 0) return best;
      chunk = next;
    }
  }

  /**
   * Trie node of the longest prefix with a value and length ≤ len that covers
   * the prefix key/len (host bits zero), or -1 when the index knows none: an
   * ancestor of where key/len sits in the trie, so an insert may start there.
   */
  ancestor(key: ArrayLike<number>, len: number): number {
    let best = -1;
    let chunk = 0;
    for (let i = 0; ; i++) {
      const end = this.ends[i];
      const start = this.starts[i];
      const shift = 32 - (end - ((start >>> 5) << 5));
      const slot = shift >= 32 ? 0 : (key[start >>> 5] >>> shift) & (this.slotsPer[i] - 1);
      const at = (chunk * this.slotsPer[i] + slot) * 2;
      const pool = this.pools[i];
      const lpm = pool[at + LPM];
      if (end > len) return lpm >= 0 && this.trie.prefixLength(lpm) <= len ? lpm : best;
      if (lpm >= 0) best = lpm;
      if (i === this.last) return best;
      const next = pool[at + NEXT];
      if (next < 0) return best;
      chunk = next;
    }
  }
}

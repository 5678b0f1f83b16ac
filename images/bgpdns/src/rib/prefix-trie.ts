/**
 * A path-compressed binary trie (Patricia) over fixed-width keys, stored in
 * typed arrays so that a million prefixes cost a few tens of bytes each and
 * no JS object per prefix. A node holds a key (its prefix, host bits zero),
 * the prefix length, two children, a parent and one int32 value (-1 = glue
 * node that only joins two subtrees). Node ids are stable until removal.
 */

const INITIAL_CAPACITY = 1024;

export class PrefixTrie {
  /** 1 for IPv4, 4 for IPv6. */
  readonly words: number;
  readonly maxLen: number;
  private keys: Uint32Array;
  private lens: Uint8Array;
  private kids: Int32Array;
  private parents: Int32Array;
  private values: Int32Array;
  private capacity = 0;
  private used = 0;
  private freeHead = -1;
  private root = -1;
  private liveNodes = 0;
  /** Called after the arrays grew, so owners of parallel per-node arrays can grow theirs. */
  onGrow?: (capacity: number) => void;

  constructor(words: 1 | 4, capacity = INITIAL_CAPACITY) {
    this.words = words;
    this.maxLen = words * 32;
    this.keys = new Uint32Array(capacity * words);
    this.lens = new Uint8Array(capacity);
    this.kids = new Int32Array(capacity * 2);
    this.parents = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.capacity = capacity;
  }

  get size(): number {
    return this.liveNodes;
  }

  get nodeCapacity(): number {
    return this.capacity;
  }

  value(node: number): number {
    return this.values[node];
  }

  setValue(node: number, value: number): void {
    this.values[node] = value;
  }

  prefixLength(node: number): number {
    return this.lens[node];
  }

  /** Copies the node's key words into `out` at `offset`. */
  keyOf(node: number, out: Uint32Array, offset = 0): void {
    const base = node * this.words;
    for (let w = 0; w < this.words; w++) out[offset + w] = this.keys[base + w];
  }

  keyWord(node: number, w: number): number {
    return this.keys[node * this.words + w];
  }

  bytesUsed(): number {
    return this.keys.byteLength + this.lens.byteLength + this.kids.byteLength + this.parents.byteLength + this.values.byteLength;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const w = this.words;
    const keys = new Uint32Array(cap * w);
    keys.set(this.keys);
    const lens = new Uint8Array(cap);
    lens.set(this.lens);
    const kids = new Int32Array(cap * 2);
    kids.set(this.kids);
    const parents = new Int32Array(cap);
    parents.set(this.parents);
    const values = new Int32Array(cap);
    values.set(this.values);
    this.keys = keys;
    this.lens = lens;
    this.kids = kids;
    this.parents = parents;
    this.values = values;
    this.capacity = cap;
    this.onGrow?.(cap);
  }

  private alloc(key: Uint32Array, len: number): number {
    let node: number;
    if (this.freeHead >= 0) {
      node = this.freeHead;
      this.freeHead = this.kids[node * 2];
    } else {
      if (this.used === this.capacity) this.grow();
      node = this.used++;
    }
    const w = this.words;
    const base = node * w;
    for (let i = 0; i < w; i++) {
      const keep = len - i * 32;
      this.keys[base + i] = keep >= 32 ? key[i] : keep <= 0 ? 0 : (key[i] & (~0 << (32 - keep))) >>> 0;
    }
    this.lens[node] = len;
    this.kids[node * 2] = -1;
    this.kids[node * 2 + 1] = -1;
    this.parents[node] = -1;
    this.values[node] = -1;
    this.liveNodes++;
    return node;
  }

  private release(node: number): void {
    this.kids[node * 2] = this.freeHead;
    this.lens[node] = 0;
    this.values[node] = -1;
    this.parents[node] = -2;
    this.freeHead = node;
    this.liveNodes--;
  }

  /** Bit `i` (0 = most significant) of a key given as words. */
  private static bitOf(key: ArrayLike<number>, i: number, offset = 0): number {
    return (key[offset + (i >>> 5)] >>> (31 - (i & 31))) & 1;
  }

  /** Length of the common leading bits of `key` and node's key, capped at `limit`. */
  private commonLength(key: Uint32Array, node: number, limit: number): number {
    const w = this.words;
    const base = node * w;
    for (let i = 0; i < w; i++) {
      const diff = (key[i] ^ this.keys[base + i]) >>> 0;
      if (diff !== 0) return Math.min(limit, i * 32 + Math.clz32(diff));
      if ((i + 1) * 32 >= limit) return limit;
    }
    return limit;
  }

  private replaceChild(parent: number, oldChild: number, newChild: number): void {
    if (parent < 0) this.root = newChild;
    else if (this.kids[parent * 2] === oldChild) this.kids[parent * 2] = newChild;
    else this.kids[parent * 2 + 1] = newChild;
    if (newChild >= 0) this.parents[newChild] = parent;
  }

  private link(parent: number, bit: number, child: number): void {
    this.kids[parent * 2 + bit] = child;
    this.parents[child] = parent;
  }

  /** The node for exactly (key, len), or -1. */
  find(key: Uint32Array, len: number): number {
    let n = this.root;
    while (n >= 0) {
      const nl = this.lens[n];
      if (nl > len) return -1;
      if (this.commonLength(key, n, nl) < nl) return -1;
      if (nl === len) return n;
      n = this.kids[n * 2 + PrefixTrie.bitOf(key, nl)];
    }
    return -1;
  }

  /** The node for exactly (key, len), created (value -1) when absent. Key bits beyond len are ignored. */
  insert(key: Uint32Array, len: number): number {
    if (this.root < 0) {
      this.root = this.alloc(key, len);
      return this.root;
    }
    let n = this.root;
    let parent = -1;
    for (;;) {
      const nl = this.lens[n];
      const common = this.commonLength(key, n, Math.min(nl, len));
      if (common === nl) {
        if (nl === len) return n;
        const bit = PrefixTrie.bitOf(key, nl);
        const next = this.kids[n * 2 + bit];
        if (next < 0) {
          const fresh = this.alloc(key, len);
          this.link(n, bit, fresh);
          return fresh;
        }
        parent = n;
        n = next;
        continue;
      }
      // The new prefix and node n part ways at bit `common` (< nl).
      const nodeBit = PrefixTrie.bitOf(this.keys, common, n * this.words);
      if (common === len) {
        const fresh = this.alloc(key, len);
        this.replaceChild(parent, n, fresh);
        this.link(fresh, nodeBit, n);
        return fresh;
      }
      const glue = this.alloc(key, common);
      const fresh = this.alloc(key, len);
      this.replaceChild(parent, n, glue);
      this.link(glue, nodeBit, n);
      this.link(glue, nodeBit ^ 1, fresh);
      return fresh;
    }
  }

  /**
   * Drops a node whose value is -1 when it no longer joins two subtrees, and
   * then its parent if that became a redundant glue node. Safe to call on any node.
   */
  prune(node: number): void {
    while (node >= 0 && this.values[node] < 0) {
      const left = this.kids[node * 2];
      const right = this.kids[node * 2 + 1];
      if (left >= 0 && right >= 0) return;
      const parent = this.parents[node];
      this.replaceChild(parent, node, left >= 0 ? left : right);
      this.release(node);
      node = parent;
    }
  }

  /**
   * Nodes with a value whose prefix covers `key` within its first `maxLen` bits,
   * shortest first, written into `out`; returns how many (≤ out.length).
   */
  matches(key: ArrayLike<number>, maxLen: number, out: Int32Array): number {
    let n = this.root;
    let count = 0;
    const w = this.words;
    const keys = this.keys;
    while (n >= 0) {
      const nl = this.lens[n];
      if (nl > maxLen) break;
      // Does node n's prefix cover the key? Compare whole words, then the partial word.
      const base = n * w;
      const full = nl >>> 5;
      let ok = true;
      for (let i = 0; i < full; i++) {
        if (keys[base + i] !== key[i] >>> 0) {
          ok = false;
          break;
        }
      }
      if (!ok) break;
      const rest = nl & 31;
      if (rest !== 0 && ((keys[base + full] ^ key[full]) & (~0 << (32 - rest))) !== 0) break;
      if (this.values[n] >= 0 && count < out.length) out[count++] = n;
      if (nl === maxLen) break;
      n = this.kids[n * 2 + ((key[nl >>> 5] >>> (31 - (nl & 31))) & 1)];
    }
    return count;
  }

  /** The longest node with a value covering `key` within `maxLen` bits, or -1. IPv4 fast path included. */
  longest(key: ArrayLike<number>, maxLen: number): number {
    let n = this.root;
    let best = -1;
    if (this.words === 1) {
      const k = key[0] >>> 0;
      const keys = this.keys;
      while (n >= 0) {
        const nl = this.lens[n];
        if (nl > maxLen) break;
        if (nl !== 0 && ((keys[n] ^ k) & (~0 << (32 - nl))) !== 0) break;
        if (this.values[n] >= 0) best = n;
        if (nl === 32) break;
        n = this.kids[n * 2 + ((k >>> (31 - nl)) & 1)];
      }
      return best;
    }
    const out = scratch;
    const count = this.matches(key, maxLen, out);
    return count > 0 ? out[count - 1] : -1;
  }

  /** Visits every node with a value (pre-order, i.e. shorter prefixes before the longer ones they cover). */
  forEach(visit: (node: number) => void): void {
    if (this.root < 0) return;
    const stack: number[] = [this.root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (this.values[n] >= 0) visit(n);
      const right = this.kids[n * 2 + 1];
      const left = this.kids[n * 2];
      if (right >= 0) stack.push(right);
      if (left >= 0) stack.push(left);
    }
  }
}

const scratch = new Int32Array(129);

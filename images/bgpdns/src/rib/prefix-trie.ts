/**
 * A path-compressed binary trie (Patricia) over fixed-width keys, stored in
 * one Int32Array so that a million prefixes cost a few tens of bytes each and
 * no JS object per prefix. A node is one record of `words + 5` int32s — its key
 * (the prefix, host bits zero), prefix length and parent (sharing one int32),
 * two children, one value (-1 = glue node that only joins two subtrees) and one
 * auxiliary value for the owner — so a step of a walk touches one cache line,
 * which is what a large table's walk is bound by. Node ids are stable until
 * removal; a trie holds at most MAX_TRIE_NODES (about 8 million prefixes).
 */

import { EntryIndex } from './entry-index.js';
import { growable, resizeInPlace } from './growable.js';

const INITIAL_CAPACITY = 1024;
// Field offsets after the key words.
/**
 * Prefix length (top 8 bits: 0…128) and parent id (low 24 bits) in one int32: a
 * full table's trie has ~1.8 million IPv4 nodes, and the 4 bytes a separate length
 * took were 7 MB of it. Parent 0xffffff is "none" (-1), 0xfffffe marks a free node (-2).
 */
const LP = 0;
const LEFT = 1;
const RIGHT = 2;
const VALUE = 3;
/** A second value for the owner, kept in the same record (the route table's best path: read together with VALUE). */
const AUX = 4;
const FIELDS = 5;
const PARENT_BITS = 0xffffff;
const FREE_PARENT = -2;
/** Node ids must leave the two parent markers free. */
export const MAX_TRIE_NODES = 0xfffffe;

function packLenParent(len: number, parent: number): number {
  return (len << 24) | (parent & PARENT_BITS);
}

function parentIn(lp: number): number {
  const p = lp & PARENT_BITS;
  // The two markers sit above every node id: back to -1 and -2.
  return p >= MAX_TRIE_NODES ? p - (PARENT_BITS + 1) : p;
}

export class PrefixTrie {
  /** 1 for IPv4, 4 for IPv6. */
  readonly words: number;
  readonly maxLen: number;
  /** Int32s per node record. */
  private readonly stride: number;
  /** Grows in place (growable.ts): a full table's trie is never copied in one step. */
  private readonly nodes: Int32Array;
  private capacity = 0;
  private used = 0;
  private freeHead = -1;
  private root = -1;
  private liveNodes = 0;
  /** Walk entry points per region (entry-index.ts): lookups and inserts start near the prefix, not at the root. */
  private readonly index?: EntryIndex;
  /** Region width in bits: IPv4 /16, IPv6 /32 (within the key's first word). */
  private readonly regionBits: number;

  constructor(words: 1 | 4, capacity = INITIAL_CAPACITY, options: { indexed?: boolean } = {}) {
    this.words = words;
    this.maxLen = words * 32;
    this.stride = words + FIELDS;
    this.nodes = growable(Int32Array, capacity * this.stride);
    this.capacity = capacity;
    this.regionBits = words === 1 ? 16 : 32;
    if (options.indexed) this.index = new EntryIndex();
  }

  get size(): number {
    return this.liveNodes;
  }

  get nodeCapacity(): number {
    return this.capacity;
  }

  value(node: number): number {
    return this.nodes[node * this.stride + this.words + VALUE];
  }

  setValue(node: number, value: number): void {
    this.nodes[node * this.stride + this.words + VALUE] = value;
  }

  /** Region (top regionBits bits) of a key's first word. */
  private regionOf(word0: number): number {
    return this.regionBits === 32 ? word0 >>> 0 : word0 >>> (32 - this.regionBits);
  }

  /** Keeps the entry index in step after `child` got `parent` (-1: the root). */
  private adopted(child: number, parent: number): void {
    const index = this.index;
    if (index === undefined) return;
    const b = this.regionBits;
    if (this.prefixLength(child) >= b && (parent < 0 || this.prefixLength(parent) < b)) index.set(this.regionOf(this.nodes[child * this.stride]), child);
  }

  /** Nearest ancestor of node that has a value (the next shorter prefix covering it), or -1. */
  coveringParent(node: number): number {
    const f = this.words;
    const nodes = this.nodes;
    let n = parentIn(nodes[node * this.stride + f + LP]);
    while (n >= 0 && nodes[n * this.stride + f + VALUE] < 0) n = parentIn(nodes[n * this.stride + f + LP]);
    return n < 0 ? -1 : n;
  }

  aux(node: number): number {
    return this.nodes[node * this.stride + this.words + AUX];
  }

  setAux(node: number, value: number): void {
    this.nodes[node * this.stride + this.words + AUX] = value;
  }

  prefixLength(node: number): number {
    return this.nodes[node * this.stride + this.words + LP] >>> 24;
  }

  /** Copies the node's key words into `out` at `offset`. */
  keyOf(node: number, out: Uint32Array, offset = 0): void {
    const base = node * this.stride;
    for (let w = 0; w < this.words; w++) out[offset + w] = this.nodes[base + w];
  }

  keyWord(node: number, w: number): number {
    return this.nodes[node * this.stride + w] >>> 0;
  }

  bytesUsed(): number {
    return this.nodes.byteLength + (this.index?.bytesUsed() ?? 0);
  }

  /** Bytes of the node records handed out so far (what a resident set holds of the array) and of the entry index. */
  bytesInUse(): number {
    return this.used * this.stride * Int32Array.BYTES_PER_ELEMENT + (this.index?.bytesUsed() ?? 0);
  }

  /** Node slots in use or free for reuse (the array's high-water mark), for memory accounting. */
  get nodesAllocated(): number {
    return this.used;
  }

  private grow(): void {
    if (this.capacity >= MAX_TRIE_NODES) throw new Error(`a ${this.words === 1 ? 'IPv4' : 'IPv6'} prefix trie holds at most ${MAX_TRIE_NODES} nodes`);
    const cap = Math.min(this.capacity * 2, MAX_TRIE_NODES);
    resizeInPlace(this.nodes, cap * this.stride);
    this.capacity = cap;
  }

  private alloc(key: Uint32Array, len: number): number {
    let node: number;
    const f = this.words;
    if (this.freeHead >= 0) {
      node = this.freeHead;
      this.freeHead = this.nodes[node * this.stride + f + LEFT];
    } else {
      if (this.used === this.capacity) this.grow();
      node = this.used++;
    }
    const nodes = this.nodes;
    const base = node * this.stride;
    for (let i = 0; i < f; i++) {
      const keep = len - i * 32;
      nodes[base + i] = keep >= 32 ? key[i] : keep <= 0 ? 0 : key[i] & (~0 << (32 - keep));
    }
    nodes[base + f + LP] = packLenParent(len, -1);
    nodes[base + f + LEFT] = -1;
    nodes[base + f + RIGHT] = -1;
    nodes[base + f + VALUE] = -1;
    nodes[base + f + AUX] = -1;
    this.liveNodes++;
    return node;
  }

  private release(node: number): void {
    const b = node * this.stride + this.words;
    this.nodes[b + LEFT] = this.freeHead;
    this.nodes[b + LP] = packLenParent(0, FREE_PARENT);
    this.nodes[b + VALUE] = -1;
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
    const base = node * this.stride;
    for (let i = 0; i < w; i++) {
      const diff = (key[i] ^ this.nodes[base + i]) >>> 0;
      if (diff !== 0) return Math.min(limit, i * 32 + Math.clz32(diff));
      if ((i + 1) * 32 >= limit) return limit;
    }
    return limit;
  }

  private child(node: number, bit: number): number {
    return this.nodes[node * this.stride + this.words + LEFT + bit];
  }

  private replaceChild(parent: number, oldChild: number, newChild: number): void {
    const f = this.words;
    if (parent < 0) this.root = newChild;
    else {
      const b = parent * this.stride + f;
      if (this.nodes[b + LEFT] === oldChild) this.nodes[b + LEFT] = newChild;
      else this.nodes[b + RIGHT] = newChild;
    }
    if (newChild >= 0) {
      this.setParent(newChild, parent);
      this.adopted(newChild, parent);
    } else if (this.index !== undefined) {
      // oldChild leaves with nothing below it: if it was its region's entry, the region has none now.
      const rb = this.regionBits;
      if (this.prefixLength(oldChild) >= rb && (parent < 0 || this.prefixLength(parent) < rb)) this.index.delete(this.regionOf(this.nodes[oldChild * this.stride]));
    }
  }

  private setParent(node: number, parent: number): void {
    const i = node * this.stride + this.words + LP;
    this.nodes[i] = (this.nodes[i] & ~PARENT_BITS) | (parent & PARENT_BITS);
  }

  private link(parent: number, bit: number, child: number): void {
    this.nodes[parent * this.stride + this.words + LEFT + bit] = child;
    this.setParent(child, parent);
    this.adopted(child, parent);
  }

  /** Where a walk for a prefix of `len` bits of `key` may start: its region's entry node, or the root. */
  private startFor(key: ArrayLike<number>, len: number): number {
    if (this.index !== undefined && len >= this.regionBits) {
      const e = this.index.get(this.regionOf(key[0]));
      if (e >= 0) return e;
    }
    return this.root;
  }

  /** The node for exactly (key, len), or -1. */
  find(key: Uint32Array, len: number): number {
    let n = this.startFor(key, len);
    while (n >= 0) {
      const nl = this.prefixLength(n);
      if (nl > len) return -1;
      if (this.commonLength(key, n, nl) < nl) return -1;
      if (nl === len) return n;
      n = this.child(n, PrefixTrie.bitOf(key, nl));
    }
    return -1;
  }

  /** The node for exactly (key, len), created (value -1) when absent. Key bits beyond len are ignored. */
  insert(key: Uint32Array, len: number): number {
    if (this.root < 0) {
      this.root = this.alloc(key, len);
      this.adopted(this.root, -1);
      return this.root;
    }
    // Start at the region's entry node when there is one (the root walk would reach it).
    let n = this.startFor(key, len);
    let parent = parentIn(this.nodes[n * this.stride + this.words + LP]);
    for (;;) {
      const nl = this.prefixLength(n);
      const common = this.commonLength(key, n, nl < len ? nl : len);
      if (common === nl) {
        if (nl === len) return n;
        const bit = PrefixTrie.bitOf(key, nl);
        const next = this.child(n, bit);
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
      const nodeBit = PrefixTrie.bitOf(this.nodes, common, n * this.stride);
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
    const f = this.words;
    while (node >= 0 && this.value(node) < 0) {
      const b = node * this.stride + f;
      const left = this.nodes[b + LEFT];
      const right = this.nodes[b + RIGHT];
      if (left >= 0 && right >= 0) return;
      const parent = parentIn(this.nodes[b + LP]);
      this.replaceChild(parent, node, left >= 0 ? left : right);
      this.release(node);
      node = parent;
    }
  }

  /**
   * Nodes with a value whose prefix covers `key` within its first `maxLen` bits,
   * shortest first, written into `out`; returns how many (≤ out.length).
   */
  matches(key: ArrayLike<number>, maxLen: number, out: Int32Array, from = this.root): number {
    let n = from;
    let count = 0;
    const w = this.words;
    const stride = this.stride;
    const nodes = this.nodes;
    while (n >= 0) {
      const base = n * stride;
      const nl = nodes[base + w + LP] >>> 24;
      if (nl > maxLen) break;
      // Does node n's prefix cover the key? Compare whole words, then the partial word.
      const full = nl >>> 5;
      let ok = true;
      for (let i = 0; i < full; i++) {
        if (nodes[base + i] !== (key[i] | 0)) {
          ok = false;
          break;
        }
      }
      if (!ok) break;
      const rest = nl & 31;
      if (rest !== 0 && ((nodes[base + full] ^ key[full]) & (~0 << (32 - rest))) !== 0) break;
      if (nodes[base + w + VALUE] >= 0 && count < out.length) out[count++] = n;
      if (nl === maxLen) break;
      n = nodes[base + w + LEFT + ((key[nl >>> 5] >>> (31 - (nl & 31))) & 1)];
    }
    return count;
  }

  /**
   * The longest node with a value covering `key` within `maxLen` bits, or -1.
   * Shorter covering nodes follow by coveringParent.
   */
  longest(key: ArrayLike<number>, maxLen: number): number {
    if (this.index !== undefined && maxLen >= this.regionBits) {
      // Any maxLen from the region width up (full addresses and ECS lengths such as /24, /56).
      const e = this.index.get(this.regionOf(key[0]));
      if (e >= 0) {
        const count = this.matches(key, maxLen, scratch, e);
        // Nothing at or below the entry covers the key: the nodes above it all cover the region.
        return count > 0 ? scratch[count - 1] : this.coveringParent(e);
      }
    }
    const count = this.matches(key, maxLen, scratch);
    return count > 0 ? scratch[count - 1] : -1;
  }

  /**
   * Shortest length ℓ ≥ len(node) such that every address of key/ℓ has `node`
   * as its longest match: one more than the deepest bit at which a prefix with
   * a value below `node` parts from `key` (every subtree holds a prefix with a
   * value: glue nodes join two subtrees and pruned leaves are gone). -1 when a
   * longer prefix with a value covers `key` itself (possible only beyond the
   * length the match was limited to): then no such ℓ exists.
   */
  uniformLength(node: number, key: ArrayLike<number>): number {
    const f = this.words;
    const nodes = this.nodes;
    let result = this.prefixLength(node);
    let n = node;
    for (;;) {
      const nl = nodes[n * this.stride + f + LP] >>> 24;
      if (nl === this.maxLen) return result;
      const bit = PrefixTrie.bitOf(key, nl);
      if (this.child(n, bit ^ 1) >= 0 && nl + 1 > result) result = nl + 1;
      const next = this.child(n, bit);
      if (next < 0) return result;
      const ml = nodes[next * this.stride + f + LP] >>> 24;
      let common = ml;
      const base = next * this.stride;
      for (let i = 0; i < f && i * 32 < ml; i++) {
        const diff = (key[i] ^ nodes[base + i]) >>> 0;
        if (diff !== 0) {
          common = Math.min(ml, i * 32 + Math.clz32(diff));
          break;
        }
      }
      if (common < ml) return Math.max(result, common + 1);
      if (nodes[base + f + VALUE] >= 0) return -1;
      n = next;
    }
  }

  /** Visits every node with a value (pre-order, i.e. shorter prefixes before the longer ones they cover). */
  forEach(visit: (node: number) => void): void {
    if (this.root < 0) return;
    const stack: number[] = [this.root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (this.value(n) >= 0) visit(n);
      const right = this.child(n, 1);
      const left = this.child(n, 0);
      if (right >= 0) stack.push(right);
      if (left >= 0) stack.push(left);
    }
  }
}

const scratch = new Int32Array(129);

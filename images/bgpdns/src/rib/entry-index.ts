/**
 * Where a trie walk may start for a key: for each "region" (the key's top B
 * bits: IPv4 /16, IPv6 /32) the first trie node on the root walk whose prefix is
 * at least B long. Every prefix longer than B that covers a key of the region
 * lies below that node, and every node above it is shorter than B and covers
 * the whole region, so a longest match starts there instead of at the root
 * (IPv4: ~18 prefixes per /16 in a full table, a walk of a few nodes).
 *
 * It replaces a multibit stride index whose 256-slot chunks were allocated per
 * distinct address region at every level: 57 bytes per prefix on a table packed
 * into two lab prefixes, ~1,400 on one spread like the real DFZ. Here the cost
 * is one hash entry (8 bytes, at most half full) per region that holds a
 * prefix of length ≥ B: it grows with prefixes, never with address spread.
 *
 * Open addressing, linear probing, backward-shift deletion (no tombstones).
 */

const EMPTY = -1;

export class EntryIndex {
  private keys: Uint32Array;
  private vals: Int32Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.keys = new Uint32Array(cap);
    this.vals = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  bytesUsed(): number {
    return this.keys.byteLength + this.vals.byteLength;
  }

  private static hash(region: number): number {
    // Fibonacci hashing: regions are consecutive numbers, spread them over the table.
    return Math.imul(region, 0x9e3779b1) >>> 0;
  }

  /** The entry node of a region, or -1. */
  get(region: number): number {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    for (let i = EntryIndex.hash(region) & mask; ; i = (i + 1) & mask) {
      const v = vals[i];
      if (v === EMPTY) return EMPTY;
      if (keys[i] === region) return v;
    }
  }

  set(region: number, node: number): void {
    if ((this.count + 1) * 2 > this.keys.length) this.resize(this.keys.length * 2);
    const mask = this.mask;
    for (let i = EntryIndex.hash(region) & mask; ; i = (i + 1) & mask) {
      if (this.vals[i] === EMPTY) {
        this.keys[i] = region;
        this.vals[i] = node;
        this.count++;
        return;
      }
      if (this.keys[i] === region) {
        this.vals[i] = node;
        return;
      }
    }
  }

  delete(region: number): void {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = EntryIndex.hash(region) & mask;
    for (; ; i = (i + 1) & mask) {
      if (vals[i] === EMPTY) return;
      if (keys[i] === region) break;
    }
    this.count--;
    // Backward shift: move later entries of the probe run into the hole when their home allows it.
    for (let j = (i + 1) & mask; vals[j] !== EMPTY; j = (j + 1) & mask) {
      const home = EntryIndex.hash(keys[j]) & mask;
      // Entry j may fill hole i when i lies cyclically in [home, j).
      if ((j - home) & mask) {
        if (((i - home) & mask) < ((j - home) & mask)) {
          keys[i] = keys[j];
          vals[i] = vals[j];
          i = j;
        }
      }
    }
    vals[i] = EMPTY;
  }

  private resize(cap: number): void {
    const keys = this.keys;
    const vals = this.vals;
    this.keys = new Uint32Array(cap);
    this.vals = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (vals[i] !== EMPTY) this.set(keys[i], vals[i]);
  }
}

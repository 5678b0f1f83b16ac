/**
 * Byte strings stored under small integer ids, found again by content: one
 * growable byte arena, per-id offset/length/hash arrays, and an open-addressing
 * hash index (linear probing, deletion by backward shift, so no tombstones pile
 * up under churn). Freed space goes to free lists by size class (8-octet
 * granules) and is reused by keys of the same class, so a peer's table flushed
 * and learnt again lands in the same bytes. Nothing here is a heap object per
 * key: the GC has a few arrays to look at, not one string per attribute set.
 */
import { growable, resizeInPlace } from './growable.js';

const GRANULE = 8;
/** The index stays at most half full: probes stay short. */
const MAX_LOAD = 0.5;

export class KeyArena {
  private readonly data = growable(Uint8Array, 1 << 16);
  /** End of the bytes handed out (free-list blocks below it are reused first). */
  private top = 0;
  /** Per size class (granules), the offset of the first free block, -1 when none; a free block holds the next one's offset. */
  private readonly freeHeads: number[] = [];
  private readonly start = growable(Uint32Array, 0);
  /** Length per id; 0 = no key under this id (a key is never empty). */
  private readonly len = growable(Uint32Array, 0);
  private readonly hashes = growable(Uint32Array, 0);
  private idCapacity = 0;
  /** id + 1 per slot, 0 = empty. */
  private table = new Int32Array(1024);
  private mask = 1023;
  private count = 0;

  get size(): number {
    return this.count;
  }

  bytesUsed(): number {
    return this.data.byteLength + this.start.byteLength + this.len.byteLength + this.hashes.byteLength + this.table.byteLength;
  }

  /** FNV-1a over the key's bytes. */
  static hash(buf: Uint8Array, length: number): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < length; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    return h >>> 0;
  }

  has(id: number): boolean {
    return id < this.idCapacity && this.len[id] > 0;
  }

  /** The id holding these `length` bytes of `buf` (with their hash), or -1. */
  find(buf: Uint8Array, length: number, hash: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const e = table[i];
      if (e === 0) return -1;
      const id = e - 1;
      if (this.hashes[id] === hash && this.len[id] === length && this.equals(id, buf, length)) return id;
    }
  }

  private equals(id: number, buf: Uint8Array, length: number): boolean {
    const data = this.data;
    const s = this.start[id];
    for (let i = 0; i < length; i++) if (data[s + i] !== buf[i]) return false;
    return true;
  }

  /** Stores the bytes under `id` (which must hold none). */
  insert(id: number, buf: Uint8Array, length: number, hash: number): void {
    if (length === 0) throw new Error('an empty key cannot be stored');
    if (id >= this.idCapacity) this.growIds(id + 1);
    if (this.len[id] !== 0) throw new Error(`key id ${id} is in use`);
    const at = this.alloc(length);
    this.data.set(buf.subarray(0, length), at);
    this.start[id] = at;
    this.len[id] = length;
    this.hashes[id] = hash;
    if (this.count + 1 > (this.mask + 1) * MAX_LOAD) this.rehash((this.mask + 1) * 2);
    this.place(id);
    this.count++;
  }

  /** Drops the key under `id`; its bytes go to the free list of their size class. */
  remove(id: number): void {
    const length = this.len[id];
    if (length === 0) throw new Error(`key id ${id} holds no key`);
    const table = this.table;
    const mask = this.mask;
    let i = this.hashes[id] & mask;
    while (table[i] !== id + 1) {
      if (table[i] === 0) throw new Error(`key id ${id} is missing from the index`);
      i = (i + 1) & mask;
    }
    // Backward shift: pull later entries of the probe run into the gap unless their home slot lies after it.
    for (let j = i; ; ) {
      j = (j + 1) & mask;
      const e = table[j];
      if (e === 0) break;
      const home = this.hashes[e - 1] & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      table[i] = e;
      i = j;
    }
    table[i] = 0;
    this.release(this.start[id], length);
    this.len[id] = 0;
    this.count--;
  }

  /** A view of the key's bytes (valid until the next insert). */
  view(id: number): Uint8Array {
    if (!this.has(id)) throw new Error(`key id ${id} holds no key`);
    return this.data.subarray(this.start[id], this.start[id] + this.len[id]);
  }

  private place(id: number): void {
    const mask = this.mask;
    let i = this.hashes[id] & mask;
    while (this.table[i] !== 0) i = (i + 1) & mask;
    this.table[i] = id + 1;
  }

  private rehash(slots: number): void {
    const old = this.table;
    this.table = new Int32Array(slots);
    this.mask = slots - 1;
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.place(old[i] - 1);
  }

  private growIds(need: number): void {
    const cap = Math.max(1024, this.idCapacity * 2, need);
    resizeInPlace(this.start, cap);
    resizeInPlace(this.len, cap);
    resizeInPlace(this.hashes, cap);
    this.idCapacity = cap;
  }

  private alloc(length: number): number {
    const cls = Math.ceil(length / GRANULE);
    const head = this.freeHeads[cls] ?? -1;
    if (head >= 0) {
      this.freeHeads[cls] = this.readOffset(head);
      return head;
    }
    const at = this.top;
    const end = at + cls * GRANULE;
    if (end > this.data.length) resizeInPlace(this.data, Math.max(this.data.length * 2, end));
    this.top = end;
    return at;
  }

  private release(at: number, length: number): void {
    const cls = Math.ceil(length / GRANULE);
    this.writeOffset(at, this.freeHeads[cls] ?? -1);
    this.freeHeads[cls] = at;
  }

  private readOffset(at: number): number {
    const d = this.data;
    return (d[at] << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3];
  }

  private writeOffset(at: number, v: number): void {
    const d = this.data;
    d[at] = v >>> 24;
    d[at + 1] = v >>> 16;
    d[at + 2] = v >>> 8;
    d[at + 3] = v;
  }
}

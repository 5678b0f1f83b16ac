/**
 * Address (family + key words) → number, for the sorter's candidate-to-upstream
 * cache: keyed by the address's words, not its text, so a query's candidates
 * are looked up straight from the wire form. Open addressing with linear
 * probing; cleared whole when `limit` is reached (a zone's candidates are few).
 */
import type { Afi } from '../bgp/types.js';

/** What get() returns for an address not in the map. */
export const MISSING = -2;

export class AddressMap {
  private afis: Uint8Array;
  private keys: Uint32Array;
  private values: Float64Array;
  private mask: number;
  private count = 0;

  constructor(private readonly limit = 65536) {
    this.afis = new Uint8Array(1024);
    this.keys = new Uint32Array(4096);
    this.values = new Float64Array(1024);
    this.mask = 1023;
  }

  get size(): number {
    return this.count;
  }

  private static hash(afi: number, words: ArrayLike<number>, at: number): number {
    let h = Math.imul(afi, 0x9e3779b1);
    for (let i = 0; i < 4; i++) h = Math.imul(h ^ words[at + i], 0x85ebca6b) ^ (h >>> 13);
    return h >>> 0;
  }

  /** Slot of the address, or of the empty slot where it would go. */
  private slot(afi: number, words: ArrayLike<number>, at: number): number {
    const { afis, keys, mask } = this;
    for (let i = AddressMap.hash(afi, words, at) & mask; ; i = (i + 1) & mask) {
      if (afis[i] === 0) return i;
      const k = 4 * i;
      if (afis[i] === afi && keys[k] === words[at] && keys[k + 1] === words[at + 1] && keys[k + 2] === words[at + 2] && keys[k + 3] === words[at + 3]) return i;
    }
  }

  /** The value for the address at words[at..at+4) (IPv4: word at, the rest 0), or MISSING. */
  get(afi: Afi, words: ArrayLike<number>, at: number): number {
    const i = this.slot(afi, words, at);
    return this.afis[i] === 0 ? MISSING : this.values[i];
  }

  set(afi: Afi, words: ArrayLike<number>, at: number, value: number): void {
    if (this.count >= this.limit) this.clear();
    if ((this.count + 1) * 2 > this.afis.length) this.resize(this.afis.length * 2);
    const i = this.slot(afi, words, at);
    if (this.afis[i] === 0) {
      this.count++;
      this.afis[i] = afi;
      this.keys.set([words[at], words[at + 1], words[at + 2], words[at + 3]], 4 * i);
    }
    this.values[i] = value;
  }

  clear(): void {
    this.afis.fill(0);
    this.count = 0;
  }

  /** Keeps only the entries `keep` says yes to (called with the family and the key words at `at`). */
  retain(keep: (afi: Afi, words: Uint32Array, at: number) => boolean): void {
    const afis = this.afis;
    const keys = this.keys;
    const values = this.values;
    this.afis = new Uint8Array(afis.length);
    this.keys = new Uint32Array(keys.length);
    this.values = new Float64Array(values.length);
    this.count = 0;
    for (let i = 0; i < afis.length; i++) if (afis[i] !== 0 && keep(afis[i] as Afi, keys, 4 * i)) this.set(afis[i] as Afi, keys, 4 * i, values[i]);
  }

  private resize(slots: number): void {
    const afis = this.afis;
    const keys = this.keys;
    const values = this.values;
    this.afis = new Uint8Array(slots);
    this.keys = new Uint32Array(4 * slots);
    this.values = new Float64Array(slots);
    this.mask = slots - 1;
    this.count = 0;
    for (let i = 0; i < afis.length; i++) if (afis[i] !== 0) this.set(afis[i] as Afi, keys, 4 * i, values[i]);
  }
}

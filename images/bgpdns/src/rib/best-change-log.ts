/**
 * Which prefix's best path moved at each recent RIB generation step, so that a
 * cache of answers (the DNS front's decision cache, over the query protocol's
 * changes message) drops only the answers a changed prefix overlaps instead of
 * everything. A ring of the last LIMIT steps: a reader further behind, or one
 * behind a step logged as "everything" (a peer's whole table dropped at once),
 * is told to drop everything. Written on every best-path change of an ingest,
 * so adding is O(1) and allocates nothing.
 */
import type { Afi } from '../bgp/types.js';

/**
 * Steps kept: a reader that syncs at least once per this many best-path changes is never
 * cleared whole. Sized for bursts of several thousand changes (an upstream's session reset
 * moving part of a table) between two syncs of a reader; 16 octets a step (288 KB).
 */
export const BEST_CHANGE_LIMIT = 16_384;

export interface BestChange {
  afi: Afi;
  /** Prefix address as four words (IPv4 in the first), host bits as the trie keeps them. */
  words: Uint32Array;
  len: number;
}

export class BestChangeLog {
  private readonly words = new Uint32Array(BEST_CHANGE_LIMIT * 4);
  private readonly lens = new Uint8Array(BEST_CHANGE_LIMIT);
  private readonly afis = new Uint8Array(BEST_CHANGE_LIMIT);
  /** Generation of the newest entry; entries cover (newest - count, newest]. */
  private newest = 0;
  private count = 0;

  /** Records the step to `generation` (= the previous one + 1) for the prefix in key[0..4). */
  add(generation: number, afi: Afi, key: Uint32Array, len: number): void {
    const at = generation % BEST_CHANGE_LIMIT;
    for (let i = 0; i < 4; i++) this.words[at * 4 + i] = key[i];
    this.lens[at] = len;
    this.afis[at] = afi;
    this.newest = generation;
    if (this.count < BEST_CHANGE_LIMIT) this.count++;
  }

  /** Every step up to `generation` changed everything: readers behind it drop all. */
  reset(generation: number): void {
    this.newest = generation;
    this.count = 0;
  }

  /**
   * The prefixes changed after `generation` up to `current`, oldest first (one per
   * step, repeats included), at most `limit` of them (the first steps); undefined when
   * they cannot all be named (log too short, a step of "everything", or a generation
   * from another run).
   */
  since(generation: number, current: number, limit = Infinity): BestChange[] | undefined {
    if (!Number.isInteger(generation) || generation > current || current !== this.newest && generation !== current) return undefined;
    if (generation === current) return [];
    if (generation < this.newest - this.count) return undefined;
    const out: BestChange[] = [];
    const last = Math.min(current, generation + limit);
    for (let g = generation + 1; g <= last; g++) {
      const at = g % BEST_CHANGE_LIMIT;
      out.push({ afi: this.afis[at] as Afi, words: this.words.slice(at * 4, at * 4 + 4), len: this.lens[at] });
    }
    return out;
  }
}

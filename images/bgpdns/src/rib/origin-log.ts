/**
 * Which self-originated prefixes changed, version by version (Rib.originVersion),
 * so that a cache of candidate-to-upstream mappings drops only the candidates a
 * changed prefix covers instead of everything. Bounded: a reader that fell
 * further behind than the log reaches (or a change with no prefix, such as a
 * whole peer removed at once) is told to drop everything.
 */
import type { Afi } from '../bgp/types.js';

/** A changed prefix; `afi` undefined = everything changed. */
export interface OriginChange {
  version: number;
  afi?: Afi;
  words: Uint32Array;
  len: number;
}

/** Changes kept; a cache that syncs at least once per this many is never cleared whole. */
const LIMIT = 1024;

export class OriginLog {
  private readonly entries: OriginChange[] = [];

  /** Records the change that made `version` (key words copied). */
  add(version: number, afi: Afi | undefined, key: Uint32Array, words: number, len: number): void {
    if (this.entries.length >= LIMIT) this.entries.splice(0, this.entries.length - LIMIT + 1);
    this.entries.push({ version, afi, words: key.slice(0, words), len });
  }

  /**
   * The changes after `version`, oldest first; undefined when they cannot all be
   * named (the log does not reach back that far, or one of them was "everything").
   */
  since(version: number, current: number): OriginChange[] | undefined {
    if (current === version) return [];
    const first = this.entries.findIndex((e) => e.version > version);
    if (first < 0 || this.entries[first].version !== version + 1) return undefined;
    const out = this.entries.slice(first);
    return out.some((e) => e.afi === undefined) ? undefined : out;
  }
}

/** Does the change's prefix cover the address `words` of family `afi`? */
export function covers(change: OriginChange, afi: Afi, words: ArrayLike<number>): boolean {
  if (change.afi !== afi) return false;
  for (let w = 0, left = change.len; left > 0; w++, left -= 32) {
    const mask = left >= 32 ? 0xffffffff : (~0 << (32 - left)) >>> 0;
    if (((change.words[w] ^ words[w]) & mask) !== 0) return false;
  }
  return true;
}

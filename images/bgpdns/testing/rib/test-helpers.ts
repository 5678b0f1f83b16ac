/** Small builders shared by the RIB and sorter unit tests. */
import { AsPathSegmentType, Origin, type PathAttributes, type Prefix } from '../../src/bgp/types.js';
import fc from 'fast-check';
import { maskWords, parsePrefix, wordsToPrefix } from '../../src/rib/address.js';
import type { PrefixTrie } from '../../src/rib/prefix-trie.js';

export function prefix(text: string): Prefix {
  const p = parsePrefix(text);
  return wordsToPrefix(p.afi, p.words, p.len);
}

/** Attributes with one AS_SEQUENCE (`asns`), origin IGP, plus overrides. */
export function path(asns: number[], extra: Partial<PathAttributes> = {}): PathAttributes {
  return {
    origin: Origin.Igp,
    asPath: asns.length > 0 ? [{ type: AsPathSegmentType.AsSequence, asns }] : [],
    nextHop: '198.18.0.1',
    ...extra,
  };
}

/** Reference for trie tests: does (key, len) cover addr? */
export function covers(key: Uint32Array, len: number, addr: Uint32Array): boolean {
  const a = Uint32Array.from(addr);
  maskWords(a, len);
  return a.every((w, i) => w === key[i]);
}

/** n random 32-bit key words. */
export const wordsArb = (n: number) => fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: n, maxLength: n });

/**
 * Inserts every (key, len) with a value (keys first shaped by `shape`), then
 * removes the entries picked by `removals`; returns the live prefixes, or
 * undefined when a live prefix could not be found again.
 */
export function fillAndPrune(
  trie: PrefixTrie,
  inserts: [number[], number][],
  removals: number[],
  shape: (key: Uint32Array, i: number) => void,
): Map<string, { key: Uint32Array; len: number }> | undefined {
  const live = new Map<string, { key: Uint32Array; len: number }>();
  inserts.forEach(([raw, len], i) => {
    const key = Uint32Array.from(raw);
    shape(key, i);
    maskWords(key, len);
    trie.setValue(trie.insert(key, len), 1);
    live.set(`${key.join('.')}/${len}`, { key, len });
  });
  for (const r of removals) {
    const entries = [...live.entries()];
    if (entries.length === 0) break;
    const [name, e] = entries[r % entries.length];
    const node = trie.find(e.key, e.len);
    if (node < 0) return undefined;
    trie.setValue(node, -1);
    trie.prune(node);
    live.delete(name);
  }
  return live;
}

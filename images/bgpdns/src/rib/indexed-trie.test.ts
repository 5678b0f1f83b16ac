import test from 'ava';
import fc from 'fast-check';
import { PrefixTrie } from './prefix-trie.js';
import { covers, fillAndPrune, wordsArb } from '../../testing/rib/test-helpers.js';


for (const words of [1, 4] as const) {
  const bits = words * 32;
  test(`IPv${words === 1 ? 4 : 6} indexed trie: longest match (full and ECS lengths) and its covering chain equal a linear scan through inserts and removals`, (t) => {
    fc.assert(
      fc.property(
        // Keys share most leading bits so that prefixes of every length meet in a few regions (IPv4 /16, IPv6 /32).
        fc.array(fc.tuple(wordsArb(words), fc.integer({ min: 0, max: bits })), { maxLength: 80 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.array(wordsArb(words), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: bits }),
        (inserts, removals, probes, ecsLen) => {
          const squeeze = (w: Uint32Array, i: number) => {
            w[0] = (w[0] & 0x000300ff) | 0xc6100000;
            if (words === 4 && i % 3 !== 0) w[1] = (w[1] & 0x0000000f) | 0x00010000;
          };
          const trie = new PrefixTrie(words, 4, { indexed: true });
          // Inserts, removals, then more inserts and removals over what is left (inserts start at covering prefixes found by the index).
          const first = fillAndPrune(trie, inserts, removals, squeeze);
          const live = first && fillAndPrune(trie, inserts.slice(0, inserts.length >> 1).map(([w, l]) => [w, Math.min(bits, l + 3)]), removals.slice(0, 5), squeeze);
          if (!first || !live) return false;
          for (const [name, e] of first) {
            const node = trie.find(e.key, e.len);
            if (!live.has(name) && node >= 0 && trie.value(node) >= 0) live.set(name, e);
          }
          for (const [i, raw] of probes.entries()) {
            const addr = Uint32Array.from(raw);
            squeeze(addr, i);
            const expect = [...live.values()].filter((e) => covers(e.key, e.len, addr)).map((e) => e.len).sort((a, b) => b - a);
            const chain: number[] = [];
            for (let n = trie.longest(addr, bits); n >= 0; n = trie.coveringParent(n)) chain.push(trie.prefixLength(n));
            if (chain.join(',') !== expect.join(',')) return false;
            // An ECS-length lookup: the longest covering prefix no longer than ecsLen.
            const ecs = trie.longest(addr, ecsLen);
            if ((ecs < 0 ? -1 : trie.prefixLength(ecs)) !== (expect.find((l) => l <= ecsLen) ?? -1)) return false;
          }
          return true;
        },
      ),
      { numRuns: 400 },
    );
    t.pass();
  });
}

test('indexed trie: a default route and a host route meet at the root and in the host\'s region', (t) => {
  const trie = new PrefixTrie(1, 4, { indexed: true });
  const zero = trie.insert(Uint32Array.of(0), 0);
  trie.setValue(zero, 1);
  const host = trie.insert(Uint32Array.of(0xc6120001), 32);
  trie.setValue(host, 1);
  t.is(trie.longest(Uint32Array.of(0xc6120001), 32), host);
  t.is(trie.longest(Uint32Array.of(0xc6120002), 32), zero);
  trie.setValue(host, -1);
  trie.prune(host);
  t.is(trie.longest(Uint32Array.of(0xc6120001), 32), zero);
  trie.setValue(zero, -1);
  t.is(trie.longest(Uint32Array.of(0xc6120001), 32), -1);
});

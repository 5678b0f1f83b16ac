import test from 'ava';
import fc from 'fast-check';
import { PrefixTrie } from './prefix-trie.js';
import { covers, fillAndPrune, wordsArb } from '../../testing/rib/test-helpers.js';
import { formatIPv6, maskWords, parseAddress, parseIPv4Into, parseIPv6Into, parsePrefix } from './address.js';


for (const words of [1, 4] as const) {
  const bits = words * 32;
  test(`IPv${words === 1 ? 4 : 6} trie: longest match equals a linear scan after inserts and removals`, (t) => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(wordsArb(words), fc.integer({ min: 0, max: bits })), { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(wordsArb(words), { minLength: 1, maxLength: 20 }),
        (inserts, removals, probes) => {
          const trie = new PrefixTrie(words, 4);
          // Bias keys to share leading bits so that glue nodes are exercised.
          const live = fillAndPrune(trie, inserts, removals, (key, i) => {
            if (i % 2 === 0) key[0] = (key[0] & 0x0000ffff) | 0xc6120000;
          });
          if (!live) return false;
          if (trie.size < live.size) return false;
          for (const e of live.values()) if (trie.find(e.key, e.len) < 0) return false;
          for (const raw of probes) {
            const addr = Uint32Array.from(raw);
            if (inserts.length > 0) addr[0] = (addr[0] & 0x0000ffff) | 0xc6120000;
            let expectLen = -1;
            for (const e of live.values()) if (covers(e.key, e.len, addr) && e.len > expectLen) expectLen = e.len;
            const node = trie.longest(addr, bits);
            const gotLen = node < 0 ? -1 : trie.prefixLength(node);
            if (gotLen !== expectLen) return false;
            const all = new Int32Array(bits + 1);
            const count = trie.matches(addr, bits, all);
            const expectCount = [...live.values()].filter((e) => covers(e.key, e.len, addr)).length;
            if (count !== expectCount) return false;
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
    t.pass();
  });
}

test('longest match honours a maximum length (EDNS client subnet)', (t) => {
  const trie = new PrefixTrie(1);
  for (const text of ['198.18.0.0/15', '198.18.64.0/20', '198.18.64.0/24']) {
    const p = parsePrefix(text);
    trie.setValue(trie.insert(p.words, p.len), 1);
  }
  const addr = parseAddress('198.18.64.7')!.words;
  t.is(trie.prefixLength(trie.longest(addr, 32)), 24);
  t.is(trie.prefixLength(trie.longest(addr, 22)), 20);
  t.is(trie.prefixLength(trie.longest(addr, 16)), 15);
  t.is(trie.longest(addr, 14), -1);
});

test('address parsing accepts valid text and rejects the rest', (t) => {
  const out = new Uint32Array(4);
  t.true(parseIPv4Into('198.18.0.1', out));
  t.is(out[0], 0xc6120001);
  for (const bad of ['198.18.0', '198.18.0.256', '198.18.00.1', '198.18.0.1.5', '', 'a.b.c.d', '198.18.0.1 ']) {
    t.false(parseIPv4Into(bad, out), bad);
  }
  for (const [text, norm] of [
    ['2001:db8::1', '2001:db8::1'],
    ['::', '::'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8::198.18.0.1', '2001:db8::c612:1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
  ]) {
    t.true(parseIPv6Into(text, out), text);
    t.is(formatIPv6(out), norm);
  }
  for (const bad of ['2001:db8:::1', '2001:db8::1::2', ':1', '1:', '12345::', '1:2:3:4:5:6:7:8:9', 'g::1']) {
    t.false(parseIPv6Into(bad, out), bad);
  }
});

test('prefix parsing names the bad text', (t) => {
  t.throws(() => parsePrefix('198.18.0.0/33'), { message: /"198.18.0.0\/33": prefix length must be 0..32/ });
  t.throws(() => parsePrefix('example/24'), { message: /"example\/24" is not an IPv4 or IPv6 prefix/ });
  t.deepEqual([...parsePrefix('198.18.5.7/16').words], [0xc6120000]);
});

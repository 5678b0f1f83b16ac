/** The key arena against a plain Map under random inserts and removals; freed bytes are reused. */
import test from 'ava';
import fc from 'fast-check';
import { KeyArena } from './key-arena.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('finds exactly what a Map would, through random inserts and removals', (t) => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(400)), { minLength: 1, maxLength: 3000 }), (ops) => {
    const arena = new KeyArena();
    const reference = new Map<string, number>();
    const free: number[] = [];
    let next = 0;
    for (const [add, n] of ops) {
      const text = `k${n}-${'x'.repeat(n % 37)}`;
      const key = enc(text);
      const h = KeyArena.hash(key, key.length);
      if (add && !reference.has(text)) {
        const id = free.pop() ?? next++;
        arena.insert(id, key, key.length, h);
        reference.set(text, id);
      } else if (!add && reference.has(text)) {
        const id = reference.get(text)!;
        arena.remove(id);
        reference.delete(text);
        free.push(id);
      }
      if (arena.find(key, key.length, h) !== (reference.get(text) ?? -1)) return false;
    }
    if (arena.size !== reference.size) return false;
    for (const [text, id] of reference) {
      const key = enc(text);
      if (arena.find(key, key.length, KeyArena.hash(key, key.length)) !== id) return false;
      if (new TextDecoder().decode(arena.view(id)) !== text) return false;
    }
    return true;
  }), { numRuns: 60 });
  t.pass();
});

test('keys whose hashes collide are told apart by their bytes', (t) => {
  const arena = new KeyArena();
  const a = enc('first key');
  const b = enc('second key');
  arena.insert(0, a, a.length, 42);
  arena.insert(1, b, b.length, 42);
  t.is(arena.find(a, a.length, 42), 0);
  t.is(arena.find(b, b.length, 42), 1);
  arena.remove(0);
  t.is(arena.find(a, a.length, 42), -1);
  t.is(arena.find(b, b.length, 42), 1, 'the later key of the probe run is still found after the earlier one left');
});

test('a table flushed and learnt again reuses the same bytes', (t) => {
  const arena = new KeyArena();
  const keys = Array.from({ length: 50_000 }, (_, i) => enc(`64500 ${i} ${i * 7} 198.18.${i & 255}.1`));
  const load = () => keys.forEach((k, id) => arena.insert(id, k, k.length, KeyArena.hash(k, k.length)));
  load();
  const after = arena.bytesUsed();
  keys.forEach((_, id) => arena.remove(id));
  t.is(arena.size, 0);
  load();
  t.is(arena.size, keys.length);
  t.is(arena.bytesUsed(), after);
});

test('misuse is an error, not a corrupted index', (t) => {
  const arena = new KeyArena();
  const k = enc('k');
  arena.insert(3, k, 1, 7);
  t.throws(() => arena.insert(3, k, 1, 7), { message: /key id 3 is in use/ });
  t.throws(() => arena.remove(4), { message: /key id 4 holds no key/ });
  t.throws(() => arena.insert(5, k, 0, 7), { message: /empty key/ });
  t.is(arena.find(k, 1, 7), 3);
});

import test from 'ava';
import { growable, resizeInPlace, shrinkStep } from './growable.js';

test('a growable array grows in place: same object, old values kept, new ones 0', (t) => {
  const a = growable(Int32Array, 4);
  a.set([1, 2, 3, 4]);
  const same = a;
  resizeInPlace(a, 1 << 20);
  t.is(a, same);
  t.is(a.length, 1 << 20);
  t.deepEqual([...a.subarray(0, 5)], [1, 2, 3, 4, 0]);
});

test('shrinkStep gives back at most a step per call and stops at the length asked', (t) => {
  const a = growable(Float64Array, 4 << 20);
  let steps = 0;
  while (!shrinkStep(a, 1000)) steps++;
  t.is(a.length, 1000);
  t.true(steps >= 2, `${steps} steps for 32 MB`);
  t.throws(() => resizeInPlace(a, 2 ** 30), { message: /exceeds the 4294967296-byte reservation/ });
});

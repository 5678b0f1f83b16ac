import test from 'ava';
import { median, percentile, percentileOfSorted, summarize } from './stats.js';

test('nearest-rank percentiles are measured values', (t) => {
  t.is(percentile([300, 100, 200], 50), 200);
  t.is(percentile([300, 100, 200], 95), 300);
  t.is(percentile([5], 50), 5);
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  t.is(percentile(hundred, 50), 50);
  t.is(percentile(hundred, 95), 95);
  t.is(percentile(hundred, 99), 99);
  t.is(percentile(hundred, 100), 100);
  t.deepEqual(summarize([12, 7, 9, 30]), { p50: 9, p95: 30, max: 30 });
});

test('the median of an even count is the lower middle value; percentile leaves its input alone', (t) => {
  const values = [4, 1, 3, 2];
  t.is(median(values), 2);
  t.deepEqual(values, [4, 1, 3, 2]);
  t.is(median([7, 1, 4]), 4);
});

test('sorted input, typed arrays included, is read without a copy', (t) => {
  t.is(percentileOfSorted(Float64Array.from([0.5, 1.5, 2.5, 9]), 99), 9);
  t.is(percentileOfSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
  t.is(percentileOfSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
});

test('percentile rejects nothing to summarize and bad ranks', (t) => {
  t.throws(() => percentile([], 50), { message: 'percentile of no values' });
  t.throws(() => percentileOfSorted(new Float64Array(0), 99), { message: 'percentile of no values' });
  t.throws(() => summarize([]), { message: 'percentile of no values' });
  t.throws(() => percentile([1], 0), { message: /in \(0, 100\]/ });
  t.throws(() => percentile([1], 101), { message: /in \(0, 100\]/ });
});

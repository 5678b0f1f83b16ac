import test from 'ava';
import { percentile, summarize, meetsSlo, sloMet, formatSlo } from './stats.js';

test('nearest-rank percentiles are measured values', (t) => {
  t.is(percentile([300, 100, 200], 50), 200);
  t.is(percentile([300, 100, 200], 95), 300);
  t.is(percentile([5], 50), 5);
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  t.is(percentile(hundred, 50), 50);
  t.is(percentile(hundred, 95), 95);
  t.is(percentile(hundred, 100), 100);
  t.deepEqual(summarize([12, 7, 9, 30]), { p50: 9, p95: 30, max: 30 });
});

test('percentile rejects nothing to summarize and bad ranks', (t) => {
  t.throws(() => percentile([], 50), { message: 'percentile of no values' });
  t.throws(() => percentile([1], 0), { message: /in \(0, 100\]/ });
});

test('SLO operators and the worst-trial verdict', (t) => {
  t.true(meetsSlo(1999, { op: '<', value: 2000 }));
  t.false(meetsSlo(2000, { op: '<', value: 2000 }));
  t.true(meetsSlo(2000, { op: '<=', value: 2000 }));
  t.true(meetsSlo(5, { op: '>', value: 4 }));
  t.true(meetsSlo(4, { op: '>=', value: 4 }));
  t.true(sloMet([100, 1500, 900], { op: '<', value: 2000 }));
  t.false(sloMet([100, 2500, 900], { op: '<', value: 2000 }));
  t.true(sloMet([100]));
  t.false(sloMet([], { op: '<', value: 1 }));
  t.is(formatSlo({ op: '<', value: 15000 }), '< 15000 ms');
});

import test from 'ava';
import { benchSummary } from './bench-summary.js';

test('names every missed target with value and threshold, and unmeasured ones with their error', (t) => {
  const line = JSON.stringify({
    bench: 'dns',
    quick: false,
    targets: [
      { name: 'a', value: 1.2, op: '>=', target: 1, met: true },
      { name: 'b', value: 0.4, op: '>=', target: 0.5, met: false },
      { name: 'c', value: null, op: '<=', target: 2, met: false, error: 'nsd: start: exited' },
    ],
  });
  t.is(benchSummary(line), 'bench dns: 1/3 targets met; missed: b 0.4 (wanted >= 0.5), c (not measured: nsd: start: exited)');
});

test('all met, and lines that are not a result', (t) => {
  t.is(benchSummary(JSON.stringify({ bench: 'x', quick: true, targets: [{ name: 'a', value: 1, op: '<', target: 2, met: true }] })), 'bench x --quick: 1/1 targets met');
  t.is(benchSummary('bench dns could not run: boom'), null);
  t.is(benchSummary('{"bench":"x"}'), null);
});

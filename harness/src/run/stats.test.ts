import test from 'ava';
import { meetsSlo, sloMet, formatSlo } from './stats.js';

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

import test from 'ava';
import { escapeMarkup, formatDuration, formatSlo, formatValue, judgedStatistic } from './format.js';
import { syntheticRunRecord } from '../../testing/report-fixture.js';

const value = test.macro((t, input: number, unit: 'ms' | 'count' | 'ratio', expected: string) => {
  t.is(formatValue(input, unit), expected);
});
test('sub-10 ms keeps two decimals', value, 4.2, 'ms', '4.20 ms');
test('tens of ms keep one decimal', value, 14.054, 'ms', '14.1 ms');
test('seconds keep milliseconds', value, 1043.247, 'ms', '1.043 s');
test('seconds keep trailing zeros for alignment', value, 1060, 'ms', '1.060 s');
test('counts as they are', value, 12, 'count', '12');
test('ratios as percent', value, 0.125, 'ratio', '12.5 %');

test('SLO thresholds are trimmed', (t) => {
  t.is(formatSlo({ op: '<', value: 15000 }), '< 15 s');
  t.is(formatSlo({ op: '<=', value: 100 }), '<= 100 ms');
  t.is(formatSlo(undefined), 'none');
});

test('markup escaping covers attributes and drops XML-illegal control characters', (t) => {
  t.is(escapeMarkup(`<a href="x">'&'</a>\u0001`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('durations', (t) => {
  t.is(formatDuration(30_100), '30.1 s');
  t.is(formatDuration(90_052), '1 min 30.1 s');
});

test('the judged statistic defaults to max and follows sloOn', (t) => {
  const m = syntheticRunRecord().measurements[0];
  t.deepEqual(judgedStatistic(m), { stat: 'max', value: m.max });
  t.deepEqual(judgedStatistic({ ...m, sloOn: 'p95' }), { stat: 'p95', value: m.p95 });
});

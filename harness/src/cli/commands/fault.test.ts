import test from 'ava';
import { parseDuration } from './fault.js';
import { runFlags } from './run.js';

test('durations: ms, s, m and bare milliseconds; anything else is a usage error naming the flag', (t) => {
  t.is(parseDuration('500ms', '--for'), 500);
  t.is(parseDuration('5s', '--for'), 5000);
  t.is(parseDuration('1.5s', '--for'), 1500);
  t.is(parseDuration('2m', '--for'), 120_000);
  t.is(parseDuration('250', '--for'), 250);
  t.throws(() => parseDuration('soon', '--period'), { message: '--period: expected a duration like 500ms, 5s or 2m, got "soon"' });
});

test('run flags: trials and runtime checked', (t) => {
  t.deepEqual(runFlags(new Map([['trials', '5']])), { trials: 5, runtime: 'netns' });
  t.deepEqual(runFlags(new Map<string, string | true>([['runtime', 'docker'], ['trials', '1']])), { trials: 1, runtime: 'docker' });
  t.throws(() => runFlags(new Map([['trials', '0']])), { message: '--trials: expected a whole number ≥ 1, got 0' });
  t.throws(() => runFlags(new Map([['runtime', 'vm']])), { message: '--runtime: expected netns or docker, got vm' });
});

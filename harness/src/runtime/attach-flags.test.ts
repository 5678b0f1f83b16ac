import test from 'ava';
import { runFlags } from '../cli/commands/run.js';

test('run --attach drives a running lab, under the scenario lab name or the one given', (t) => {
  t.deepEqual(runFlags(new Map<string, string | true>([['attach', true], ['trials', '2']])), { trials: 2, runtime: 'attach' });
  t.deepEqual(runFlags(new Map<string, string | true>([['attach', 'h7x'], ['trials', '1']])), { trials: 1, runtime: 'attach', labName: 'h7x' });
  t.throws(() => runFlags(new Map<string, string | true>([['attach', true], ['runtime', 'docker']])), {
    message: '--attach drives a running lab; it takes no --runtime',
  });
});

import test from 'ava';
import { runFlags } from '../cli/commands/run.js';

test('run --attach LAB drives a running lab under LAB; --runtime attach under the scenario lab name', (t) => {
  t.deepEqual(runFlags({ runtime: 'attach', trials: '2' }), { trials: 2, runtime: 'attach' });
  t.deepEqual(runFlags({ attach: 'h7x', trials: '1' }), { trials: 1, runtime: 'attach', labName: 'h7x' });
  t.throws(() => runFlags({ attach: 'h7x', runtime: 'docker' }), {
    message: '--attach LAB drives a running lab; it takes no --runtime',
  });
});

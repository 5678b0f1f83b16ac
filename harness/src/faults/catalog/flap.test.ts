import test from 'ava';
import { useFaultLab } from '../../../testing/fault-lab.js';

const fx = useFaultLab(test, 'fl');

test.serial('a flapping train goes down and up count times and ends up', async (t) => {
  const before = fx().recorded.length;
  const train = fx().faults.flap('r2:eth1', { count: 2, periodMs: 400, downMs: 150 });
  t.teardown(() => train.revert());
  t.like(train.injected, { fault: 'link-flap', args: { count: 2, periodMs: 400, downMs: 150 } });
  await train.done;
  const flaps = fx().recorded.slice(before).filter((e) => e.args?.flap !== undefined);
  t.deepEqual(flaps.map((e) => `${e.action}${e.args!.flap}`), ['inject1', 'revert1', 'inject2', 'revert2']);
  const downFor = flaps[1].at - flaps[0].at;
  t.true(downFor >= 140, `down for ${downFor} ms`);
  t.true(flaps[2].at - flaps[0].at >= 390, 'second flap a period after the first');
  t.is(await fx().linkState('r2', 'eth1'), 'up');
  await train.revert();
  t.deepEqual(await fx().leftFaults(), []);
});

test.serial('revert stops a train midway and leaves the link up', async (t) => {
  const train = fx().faults.flap('r2:eth1', { count: 50, periodMs: 400 });
  t.teardown(() => train.revert());
  await new Promise((r) => setTimeout(r, 100)); // inside the first down phase (200 ms)
  await train.revert();
  await train.done;
  t.is(await fx().linkState('r2', 'eth1'), 'up');
  t.deepEqual(await fx().leftFaults(), []);
});

test.serial('bad trains are named', (t) => {
  t.throws(() => fx().faults.flap('r2:eth1', { count: 1, periodMs: 100, downMs: 200 }), { message: 'link-flap on r2:eth1: down: 200 must be shorter than the period (100)' });
  t.throws(() => fx().faults.flap('r2:eth1', { count: 0, periodMs: 100 }), { message: 'link-flap on r2:eth1: count: expected a whole number ≥ 1, got 0' });
});

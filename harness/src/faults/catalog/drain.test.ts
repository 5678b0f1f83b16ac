import test from 'ava';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { useFaultLab } from '../../../testing/fault-lab.js';
import { MAINTENANCE_FILE, drain } from './drain.js';

const fx = useFaultLab(test, 'dr');

// What the node's health agent watches (its --maintenance-file) is this file; the agent's
// reaction is the anycast scenarios' to show, the fault's effect is the file.
test.serial('drain creates the node’s maintenance file; revert removes it', async (t) => {
  const file = path.join(fx().lab.node('r1').dir, MAINTENANCE_FILE);
  const drained = await fx().faults.drain('r1');
  t.teardown(() => drained.revert());
  t.like(drained.injected, { fault: 'drain', target: 'r1', args: { file } });
  t.true(existsSync(file));
  await drained.revert();
  t.false(existsSync(file));
  t.deepEqual(await fx().leftFaults(), []);
});

test.serial('fault clear removes a kept maintenance file; nothing when there is none', async (t) => {
  const file = path.join(fx().lab.node('r2').dir, MAINTENANCE_FILE);
  await fx().faults.drain('r2');
  t.is(await drain.clear!(fx().lab, 'r2'), 'removed its maintenance file');
  t.false(existsSync(file));
  t.is(await drain.clear!(fx().lab, 'r2'), undefined);
});

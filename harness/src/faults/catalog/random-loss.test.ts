import test from 'ava';
import { useFaultLab } from '../../../testing/fault-lab.js';
import { NFT } from '../nft.js';

const fx = useFaultLab(test, 'rl');

test.serial('random loss: numgen rule in the node; 100 % drops everything; revert leaves nothing', async (t) => {
  const loss = await fx().faults.randomLoss('r1:eth1', 30, 'in');
  t.teardown(() => loss.revert());
  t.like(loss.injected.args, { percent: 30, direction: 'in' });
  const rules = (await fx().lab.node('r1').exec([NFT, 'list', 'table', 'inet', loss.injected.args!.table as string])).stdout;
  t.regex(rules, /iifname "eth1" numgen random mod 100 < 30 drop/);
  t.notRegex(rules, /oifname/);
  await loss.revert();
  const all = await fx().faults.randomLoss('r1:eth1', 100);
  t.teardown(() => all.revert());
  t.false(await fx().tcpReachable());
  await all.revert();
  t.true(await fx().tcpReachable());
  t.deepEqual(await fx().leftFaults(), []);
});

test.serial('a bad percent is refused, naming the argument', async (t) => {
  await t.throwsAsync(fx().faults.randomLoss('r1:eth1', 0), { message: 'random-loss on r1:eth1: percent: expected a whole number 1–100, got 0' });
  await t.throwsAsync(fx().faults.apply('loss', 'r1:eth1', {}), { message: 'random-loss on r1:eth1: percent: missing: a whole number 1–100' });
});

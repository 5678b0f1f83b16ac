import test from 'ava';
import { useFaultLab } from '../../../testing/fault-lab.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';

const fx = useFaultLab(test, 'ld');

test.serial('link down takes the session down at once; revert brings it back and leaves nothing', async (t) => {
  await fx().established();
  const cut = await fx().faults.linkDown('r1:eth1');
  t.teardown(() => cut.revert());
  // How long `ip link set … down` took to return: the bound on what the fault time includes.
  t.true(typeof cut.injected.args!.commandMs === 'number' && (cut.injected.args!.commandMs as number) >= 0);
  t.is(await fx().linkState('r1', 'eth1'), 'down');
  await waitUntil(fx().sessionState, (s) => s !== 'Established', { what: 'session down after link cut', timeout: 2000, interval: 10 });
  await cut.revert();
  await cut.revert(); // twice is harmless
  t.is(await fx().linkState('r1', 'eth1'), 'up');
  await fx().established();
  const mine = fx().recorded.filter((e) => e.fault === 'link-down' && e.target === 'r1:eth1');
  t.deepEqual(mine.map((e) => e.action), ['inject', 'revert']);
  t.true(mine[1].at > mine[0].at);
  t.deepEqual(await fx().leftFaults(), []);
});

test.serial('endpoint finds the interface toward a peer', (t) => {
  t.is(fx().faults.endpoint('r2', 'r1'), 'r2:eth1');
  t.throws(() => fx().faults.endpoint('r2', 'r9'), { message: `lab ${fx().lab.model.name}: no link between r2 and r9` });
});

test.serial('bad targets are named', async (t) => {
  await t.throwsAsync(fx().faults.linkDown('r1'), { message: 'fault target "r1" must be NODE:INTERFACE, e.g. "isp1:eth2"' });
  await t.throwsAsync(fx().faults.linkDown('r9:eth1'), { message: /no node "r9"/ });
  await t.throwsAsync(fx().faults.linkDown('r1:eth9'), { message: /r1: `ip link set dev eth9 down` failed \(exit 1\): .*eth9/ });
  await t.throwsAsync(fx().faults.apply('link-down', 'r1:eth1', { direction: 'in' }), { message: 'link-down on r1:eth1: direction: link-down takes no argument "direction"; it takes none' });
});

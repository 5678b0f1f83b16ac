import test from 'ava';
import { useFaultLab } from '../../../testing/fault-lab.js';

const fx = useFaultLab(test, 'sd');

test.serial('silent drop blackholes the interface while the link stays up; revert removes the table', async (t) => {
  t.true(await fx().tcpReachable());
  const drop = await fx().faults.silentDrop('r1:eth1');
  t.teardown(() => drop.revert());
  const table = drop.injected.args!.table as string;
  t.regex(table, new RegExp(`^bgpdnslab_${fx().lab.model.name.replace(/-/g, '_')}_\\d+_\\d+$`));
  t.like(drop.injected, { fault: 'silent-drop', target: 'r1:eth1', args: { direction: 'both' } });
  t.true((await fx().nftTables('r1')).includes(table));
  t.is(await fx().linkState('r1', 'eth1'), 'up');
  t.false(await fx().tcpReachable());
  await drop.revert();
  t.true(await fx().tcpReachable());
  t.deepEqual(await fx().leftFaults(), []);
});

test.serial('silent drop toward chosen peers only: other addresses still pass', async (t) => {
  const other = await fx().faults.silentDrop('r1:eth1', 'both', ['198.18.254.99', '2001:db8::99']);
  t.teardown(() => other.revert());
  t.true(await fx().tcpReachable(), 'r2 is not among the dropped peers');
  await other.revert();
  const r2only = await fx().faults.silentDrop('r1:eth1', 'both', ['198.18.254.2']);
  t.teardown(() => r2only.revert());
  t.false(await fx().tcpReachable());
  await r2only.revert();
  t.deepEqual(await fx().leftFaults(), []);
});

test.serial('bad arguments are named', async (t) => {
  await t.throwsAsync(fx().faults.silentDrop('r1:eth1', 'both', ['r2']), { message: 'silent-drop on r1:eth1: peers: expected IP addresses separated by commas, got "r2"' });
  await t.throwsAsync(fx().faults.silentDrop('r1:eth1', 'sideways' as 'in'), { message: 'silent-drop on r1:eth1: direction: expected in, out or both, got "sideways"' });
  t.notRegex(await fx().nftTables('r1'), /bgpdnslab_/);
});

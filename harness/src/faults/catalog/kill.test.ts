import test from 'ava';
import { useFaultLab } from '../../../testing/fault-lab.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';

const fx = useFaultLab(test, 'kl');

test.serial('kill bgpd: session drops; revert restarts it and it answers and peers again', async (t) => {
  await fx().established();
  const killed = await fx().faults.kill('r1', 'bgpd');
  t.teardown(() => killed.revert());
  const oldPid = killed.injected.args!.pid as number;
  t.is(killed.injected.args!.signal, 'SIGKILL');
  t.throws(() => process.kill(oldPid, 0));
  await waitUntil(fx().sessionState, (s) => s !== 'Established', { what: 'session down after bgpd killed', timeout: 5000, interval: 10 });
  await killed.revert();
  const bgpd = fx().lab.node('r1').processes().filter((p) => p.role === 'bgpd').at(-1)!;
  t.not(bgpd.pid, oldPid);
  await fx().established();
  t.deepEqual(await fx().leftFaults(), []);
});

test.serial('a role the node lacks, or a bad signal, is named', async (t) => {
  await t.throwsAsync(fx().faults.kill('r1', 'ospfd'), { message: /^kill r1 ospfd: no running process with that role \(roles: .*\bbgpd\b.*\)$/ });
  await t.throwsAsync(fx().faults.kill('r1', 'bgpd', 'SIGNOPE' as NodeJS.Signals), { message: 'kill on r1: signal: expected a signal name like SIGKILL or SIGTERM, got "SIGNOPE"' });
  await t.throwsAsync(fx().faults.apply('kill', 'r1', {}), { message: 'kill on r1: role: missing: the role of the daemon to kill (e.g. dns, bgpd)' });
});

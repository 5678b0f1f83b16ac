import test from 'ava';
import { R2, useFaultLab } from '../../../testing/fault-lab.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';

const fx = useFaultLab(test, 'fc');

test.serial('an FRR configuration fault takes effect, is recorded under its own name, and its undo restores the session', async (t) => {
  await fx().established();
  const shut = await fx().faults.frrConfig('r1', 'peer-shutdown', [{ apply: ['router bgp 64501', ` neighbor ${R2} shutdown`], undo: ['router bgp 64501', ` no neighbor ${R2} shutdown`] }], { peer: R2 });
  t.teardown(() => shut.revert());
  t.like(shut.injected, { fault: 'peer-shutdown', target: 'r1', args: { peer: R2 } });
  await waitUntil(fx().sessionState, (s) => s !== 'Established', { what: 'session down after neighbor shutdown', timeout: 5000, interval: 20 });
  await shut.revert();
  await fx().established();
  t.deepEqual(await fx().leftFaults(), []);
});

test.serial('through the registry (as a timeline gives it) and with bad changes named', async (t) => {
  const h = await fx().faults.apply('frr-config', 'r1', { changes: [{ apply: ['router bgp 64501', ' bgp log-neighbor-changes'], undo: ['router bgp 64501', ' no bgp log-neighbor-changes'] }] });
  t.is(h.injected.fault, 'frr-config');
  await h.revert();
  await t.throwsAsync(fx().faults.apply('frr-config', 'r1', { changes: [{ apply: 'x' }] }), { message: 'frr-config on r1: changes[0]: expected { daemon, apply: [lines], undo: [lines] }' });
  await t.throwsAsync(fx().faults.frrConfig('r1', 'bad', [{ apply: ['router bgp 64501'], undo: [] }]), { message: 'bad on r1: changes[0]: expected { daemon, apply: [lines], undo: [lines] }' });
  await t.throwsAsync(fx().faults.frrConfig('r1', 'bad', [{ apply: ['router bgp 64501', ' no-such-command'], undo: ['router bgp 64501'] }]), { message: /no-such-command/ });
});

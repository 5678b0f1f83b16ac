import test from 'ava';
import { R2, useFaultLab } from '../../../testing/fault-lab.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';

const fx = useFaultLab(test, 'sr');

test.serial('session reset: the session is torn down and comes back by itself; nothing to revert', async (t) => {
  await fx().established();
  const before = await fx().sessionCounters();
  const reset = await fx().faults.sessionReset('r1', R2);
  t.like(reset.injected, { fault: 'session-reset', target: 'r1', action: 'inject', args: { peer: R2 } });
  t.true(reset.reverted, 'an instantaneous fault has nothing to revert');
  // r2 sees the connection dropped (r1 sent a NOTIFICATION) and established again.
  await waitUntil(fx().sessionCounters, (c) => c.dropped > before.dropped && c.established > before.established, { what: 'r2 saw the session reset and re-established', timeout: 30_000, interval: 50 });
  await fx().established();
  await reset.revert();
  t.deepEqual(fx().recorded.filter((e) => e.fault === 'session-reset').map((e) => e.action), ['inject']);
  t.deepEqual(await fx().leftFaults(), []);
});

test.serial('the peer must be an address', async (t) => {
  await t.throwsAsync(fx().faults.sessionReset('r1', 'r2'), { message: 'session-reset on r1: peer: expected an IPv4 or IPv6 address, got "r2"' });
});

import test from 'ava';
import { useFaultLab } from '../../../testing/fault-lab.js';
import { NetemUnsupportedError, netemSupported } from './delay.js';

const fx = useFaultLab(test, 'dl');

test.serial('netem delay fails clearly where the kernel has no netem (and delays where it does)', async (t) => {
  if (await netemSupported(fx().lab.node('r1'))) {
    // A TCP handshake to r1 crosses r1:eth1 outbound once (the SYN-ACK): at least the delay.
    const connectMs = async () => 1000 * Number((await fx().lab.node('r2').exec(['bash', '-c', 'TIMEFORMAT=%R; time (exec 3<>/dev/tcp/198.18.254.1/179)'])).stderr.trim());
    const d = await fx().faults.delay('r1:eth1', 50);
    t.regex((await fx().lab.node('r1').exec(['tc', 'qdisc', 'show', 'dev', 'eth1'])).stdout, /netem/);
    const ms = await connectMs();
    t.true(ms >= 50, `connect took ${ms} ms`);
    await d.revert();
    t.deepEqual(await fx().leftFaults(), []);
    return;
  }
  const err = await t.throwsAsync(fx().faults.delay('r1:eth1', 50), { instanceOf: NetemUnsupportedError });
  t.regex(err!.message, /^netem delay is not supported on this kernel \([^)]+\): tc said ".+"$/);
  t.deepEqual(await fx().leftFaults(), []);
});

test.serial('a bad delay is named', async (t) => {
  await t.throwsAsync(fx().faults.delay('r1:eth1', 0), { message: 'delay on r1:eth1: delay: expected milliseconds > 0, got 0' });
});

import test from 'ava';
import { readFile } from 'node:fs/promises';
import { useFaultLab } from '../../../testing/fault-lab.js';
import { VtyClient, waitUntil } from '@bgpdns-lab/bgpdns';

const fx = useFaultLab(test, 'fz');

/** Does the daemon answer on its vty within 300 ms? */
async function answers(node: string, daemon: string): Promise<boolean> {
  const vty = new VtyClient(fx().lab.node(node).vtySocket(daemon), { commandTimeoutMs: 300 });
  try {
    return /FRRouting/.test(await vty.command('show version'));
  } catch {
    return false;
  } finally {
    await vty.close();
  }
}

test.serial('freeze of the whole node: the runtime’s freezer where it has one, else SIGSTOP; the event says which', async (t) => {
  await fx().established();
  const frozen = await fx().faults.freeze('r1');
  t.teardown(() => frozen.revert());
  const runtime = fx().lab.runtime;
  const expected = runtime.freezeNode && runtime.thawNode ? { mechanism: 'runtime-freezer', runtime: runtime.name } : { mechanism: 'sigstop' };
  t.like(frozen.injected.args, expected);
  t.deepEqual([...(frozen.injected.args!.roles as string[])].sort(), [...new Set(fx().lab.node('r1').processes().map((p) => p.role))].sort());
  // Frozen: neither daemon answers, and r2's session to it times out (hold 12 s) — the silent failure.
  await waitUntil(() => answers('r1', 'bgpd'), (a) => !a, { what: 'r1 bgpd stops answering', timeout: 3000, interval: 50 });
  t.false(await answers('r1', 'zebra'));
  await frozen.revert();
  t.true(await answers('r1', 'bgpd'));
  t.true(await answers('r1', 'zebra'));
  await fx().established();
  t.deepEqual(await fx().leftFaults(), []);
});

test.serial('freeze of chosen roles: SIGSTOP of those daemons only; thaw resumes them', async (t) => {
  const frozen = await fx().faults.freeze('r1', ['bgpd']);
  t.teardown(() => frozen.revert());
  t.like(frozen.injected.args, { mechanism: 'sigstop', roles: ['bgpd'] });
  const [pid] = frozen.injected.args!.pids as number[];
  // SIGSTOP takes effect when the kernel next schedules the process: wait for it, briefly.
  await waitUntil(() => readFile(`/proc/${pid}/status`, 'utf8'), (st) => /State:\s+T/.test(st), { what: `bgpd ${pid} stopped`, timeout: 2000, interval: 5 });
  t.false(await answers('r1', 'bgpd'));
  t.true(await answers('r1', 'zebra'), 'zebra was not frozen');
  await frozen.revert();
  t.true(await answers('r1', 'bgpd'));
  t.deepEqual(await fx().leftFaults(), []);
});

test.serial('a role the node lacks is named', async (t) => {
  await t.throwsAsync(fx().faults.freeze('r1', ['ospfd']), { message: 'freeze r1: no running process with role ospfd' });
  await t.throwsAsync(fx().faults.apply('freeze', 'r1', { roles: 'bgpd,' }), { message: 'freeze on r1: roles: expected names separated by commas, got "bgpd,"' });
});

/**
 * Every fault of the netns runtime on the Docker runtime, on a chain of three
 * FRR routers in containers (lab h7df): link down/up, silent drop, random loss,
 * freeze/thaw of processes, kill + restart of bgpd, a flapping train, netem delay
 * (works or is refused with NetemUnsupportedError where the kernel has no netem),
 * and the whole-node freeze, which on Docker is docker pause (the runtime's freezer).
 * Each is injected, seen, reverted and seen gone.
 */
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  deploy,
  type LabHandle,
  waitBgpConverged,
  writeChainLab,
  loadTopology,
  Faults,
  NetemUnsupportedError,
  FrrControl,
  closeVtyClients,
  waitUntil,
  destroyLab,
  leftovers,
} from '@bgpdns-lab/harness';
import { DockerRuntime, containersWith } from '@bgpdns-lab/harness/runtime';

const LAB = 'h7df';
const runtime = new DockerRuntime({ runId: 'h7-faults' });
let lab: LabHandle;
let scratch: string;

/** r1's BGP session to r2: its state and the peer address. */
async function r1ToR2(): Promise<{ peer: string; state: string }> {
  const peers = [...(await new FrrControl(lab.node('r1')).bgpPeers()).values()];
  if (peers.length !== 1) throw new Error(`r1 has ${peers.length} sessions, expected 1`);
  return { peer: peers[0].peer, state: peers[0].state };
}

const sessionIs = (want: 'Established' | 'down', what: string) =>
  waitUntil(r1ToR2, (s) => ((want === 'Established') === (s.state === 'Established') ? true : `r1–r2 ${s.state}`), { what, timeout: 30_000, interval: 20 });

async function pingR2(): Promise<boolean> {
  const { peer } = await r1ToR2();
  return (await lab.node('r1').exec(['ping', '-c', '1', '-W', '1', peer])).exitCode === 0;
}

/** Process state letters (R, S, T, D…) of r2's daemons from /proc. */
async function r2States(role: string): Promise<string[]> {
  const procs = lab.node('r2').processes().filter((p) => p.role === role);
  return Promise.all(procs.map(async (p) => (await readFile(`/proc/${p.pid}/stat`, 'utf8')).split(') ')[1][0]));
}

test.before(async (t) => {
  t.timeout(120_000);
  scratch = await mkdtemp(path.join(tmpdir(), 'h7-faults-'));
  await destroyLab(LAB);
  const file = await writeChainLab({ name: LAB, routers: 3, dir: scratch });
  lab = await deploy(await loadTopology(file), { runtime });
  await waitBgpConverged(lab, { timeoutMs: 60_000 });
});

test.after.always(async () => {
  await lab?.destroy();
  await closeVtyClients();
  await rm(scratch, { recursive: true, force: true });
});

test.serial('link down takes the session down at once; up brings it back', async (t) => {
  const faults = new Faults(lab);
  const f = await faults.linkDown(faults.endpoint('r1', 'r2'));
  await sessionIs('down', 'r1–r2 down after the link went down');
  await f.revert();
  await sessionIs('Established', 'r1–r2 Established after the link came up');
  t.pass();
});

test.serial('silent drop and random loss: nft inside the container drops, revert restores', async (t) => {
  const faults = new Faults(lab);
  t.true(await pingR2());
  const drop = await faults.silentDrop(faults.endpoint('r1', 'r2'));
  t.false(await pingR2());
  await drop.revert();
  t.true(await pingR2());
  const loss = await faults.randomLoss(faults.endpoint('r1', 'r2'), 100);
  t.false(await pingR2());
  await loss.revert();
  t.true(await pingR2());
  t.is((await lab.node('r1').exec(['nft', 'list', 'tables'])).stdout.trim(), '');
});

test.serial('freeze stops bgpd (SIGSTOP), thaw resumes it', async (t) => {
  const faults = new Faults(lab);
  const f = await faults.freeze('r2', ['bgpd']);
  // Signals are delivered asynchronously: wait for the stopped state rather than expect it at once.
  await waitUntil(() => r2States('bgpd'), (st) => (st.join() === 'T' ? true : `bgpd state ${st.join()}`), { what: 'r2 bgpd stopped', timeout: 2000, interval: 5 });
  await f.revert();
  await waitUntil(() => r2States('bgpd'), (st) => (st.every((x) => x !== 'T') ? true : `bgpd state ${st.join()}`), { what: 'r2 bgpd running again', timeout: 2000, interval: 5 });
  t.pass();
});

test.serial('kill bgpd: the peer sees the session go; revert restarts it in the container and it comes back', async (t) => {
  const faults = new Faults(lab);
  const f = await faults.kill('r2', 'bgpd');
  await sessionIs('down', 'r1–r2 down after r2 bgpd was killed');
  await f.revert();
  await sessionIs('Established', 'r1–r2 Established after r2 bgpd restarted');
  const restarted = lab.node('r2').processes().filter((p) => p.role === 'bgpd').at(-1)!;
  const pidNs = async (pid: number) => (await readFile(`/proc/${pid}/cgroup`, 'utf8')).includes('docker');
  t.true(await pidNs(restarted.pid), 'the restarted bgpd runs inside the container');
});

test.serial('a flapping train ends with the link up and the session back', async (t) => {
  const faults = new Faults(lab);
  const f = faults.flap(faults.endpoint('r1', 'r2'), { count: 2, periodMs: 400, downMs: 150 });
  await f.done;
  await f.revert();
  await sessionIs('Established', 'r1–r2 Established after the flaps');
  t.is(faults.events.filter((e) => e.fault === 'link-down' && e.action === 'inject').length, 2);
});

test.serial('netem delay works, or is refused with NetemUnsupportedError where the kernel lacks netem', async (t) => {
  const faults = new Faults(lab);
  try {
    const f = await faults.delay(faults.endpoint('r1', 'r2'), 20);
    await f.revert();
    t.pass('netem available');
  } catch (e) {
    t.true(e instanceof NetemUnsupportedError, (e as Error).message);
  }
});

test.serial('freeze of the whole node is docker pause (a silent failure: the session stays up until the hold timer); revert unpauses', async (t) => {
  const f = await new Faults(lab).freeze('r2');
  try {
    t.like(f.injected.args, { mechanism: 'runtime-freezer', runtime: 'docker' });
    t.is((await containersWith('bgpdns-lab.lab', LAB)).find((c) => c.labels['bgpdns-lab.node'] === 'r2')?.state, 'paused');
    t.true((await r2States('zebra')).every((s) => s === 'D' || s === 'T'), 'frozen by the cgroup freezer');
    t.is((await r1ToR2()).state, 'Established', 'nothing told r1 yet');
  } finally {
    await f.revert();
  }
  t.true((await r2States('zebra')).every((s) => s === 'S' || s === 'R'));
  await sessionIs('Established', 'r1–r2 Established after unpause');
});

test.serial('destroy leaves nothing', async (t) => {
  await lab.destroy();
  t.deepEqual(await leftovers(LAB), []);
});

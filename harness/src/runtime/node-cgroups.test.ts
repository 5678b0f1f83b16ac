/**
 * Freeze as a runtime mechanism on the netns runtime: a node's processes live in its
 * cgroup (bgpdns-lab/<lab>/<node>) and freeze at once in every freezer hierarchy this
 * machine mounts (cgroup v1 `freezer`, cgroup v2 `cgroup.freeze`), on a deployed FRR
 * node: its vty stops answering, an instrument beside it keeps running, thaw brings
 * the vty back, destroy leaves no cgroup — also after the deploying harness was
 * SIGKILLed with the node frozen. Lab names start with r15f.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deploy } from '../lab/deploy.js';
import { destroyLab, leftovers } from '../lab/destroy.js';
import { vtyAnswers } from '../kinds/vty-ping.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';
import { NetnsRuntime } from './netns.js';
import { freezersIn, isFrozen, labCgroup, machineFreezers, nodeCgroup } from './node-cgroups.js';

const RUN = process.pid.toString(36);
const KILLED = `r15fk${RUN}`;
const here = path.dirname(fileURLToPath(import.meta.url));
let dir: string;

async function labFile(name: string): Promise<string> {
  const file = path.join(dir, `${name}.clab.yml`);
  await writeFile(file, `name: ${name}\ntopology:\n  nodes:\n    r1: {kind: frr}\n`);
  return file;
}

test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'r15-freeze-'));
});

test.after.always(async () => {
  for (const f of machineFreezers()) await destroyLab(`r15f${f.version}${RUN}`);
  await destroyLab(KILLED);
  await rm(dir, { recursive: true, force: true });
});

test('the mount table names the freezers: v1 freezer first, then cgroup2; none without either', (t) => {
  const mountinfo = [
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
    '37 31 0:34 / /sys/fs/cgroup/free\\040zer rw,relatime - cgroup cgroup rw,freezer',
  ].join('\n');
  t.deepEqual(freezersIn(mountinfo), [
    { version: 1, root: '/sys/fs/cgroup/free zer' },
    { version: 2, root: '/sys/fs/cgroup/unified' },
  ]);
  t.deepEqual(freezersIn('35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n'), []);
  // Without a freezer the runtime has no freezeNode, and faults fall back to SIGSTOP.
  const none = new NetnsRuntime({ freezer: null });
  t.is(none.freezeNode, undefined);
  t.is(none.thawNode, undefined);
});

for (const f of machineFreezers()) {
  test.serial(`cgroup v${f.version}: freezeNode stops the node's daemons at once, not an instrument beside it; thaw; destroy leaves no cgroup`, async (t) => {
    t.timeout(120_000);
    const name = `r15f${f.version}${RUN}`;
    await destroyLab(name);
    const runtime = new NetnsRuntime({ freezer: f });
    const lab = await deploy(await labFile(name), { runtime });
    const r1 = lab.node('r1');
    const ticks = path.join(r1.dir, 'ticks');
    await r1.spawn(['sh', '-c', `while :; do echo x >>${ticks}; sleep 0.02; done`], { placement: 'beside', role: 'ticker' });
    const size = () => (existsSync(ticks) ? statSync(ticks).size : 0);
    try {
      const zebra = r1.processes().find((p) => p.role === 'zebra')!;
      t.true(existsSync(path.join(nodeCgroup(f, name, 'r1'), 'cgroup.procs')));
      t.is(await vtyAnswers(r1.vtySocket('zebra')), true);

      await runtime.freezeNode!(lab.model, 'r1');
      t.true(await isFrozen(f, name, 'r1'));
      t.not(await vtyAnswers(r1.vtySocket('zebra')), true, 'a frozen zebra does not answer its vty');
      t.true(existsSync(`/proc/${zebra.pid}`), 'frozen, not gone');
      const before = size();
      await waitUntil(size, (s) => s >= before + 4 * 2, { what: 'the instrument beside the frozen node keeps writing', timeout: 10_000, interval: 20 });

      await runtime.thawNode!(lab.model, 'r1');
      t.false(await isFrozen(f, name, 'r1'));
      t.is(await vtyAnswers(r1.vtySocket('zebra')), true);
    } finally {
      await lab.destroy();
    }
    t.false(existsSync(labCgroup(f, name)));
    t.deepEqual(await leftovers(name), []);
  });
}

test.serial('a harness SIGKILLed with a node frozen: leftovers lists the node cgroup and its processes, destroy thaws and removes everything', async (t) => {
  t.timeout(120_000);
  t.true(machineFreezers().length > 0, 'this machine mounts a freezer hierarchy');
  await destroyLab(KILLED);
  const script = path.join(dir, 'freeze-and-wait.mts');
  await writeFile(
    script,
    [
      `import { deploy } from ${JSON.stringify(path.resolve(here, '../lab/deploy.ts'))};`,
      `const lab = await deploy(${JSON.stringify(await labFile(KILLED))});`,
      `await lab.runtime.freezeNode(lab.model, 'r1');`,
      `process.stdout.write('frozen\\n');`,
      'setInterval(() => {}, 1000);',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'], cwd: path.resolve(here, '../../..') });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('frozen') && resolve());
    child.on('exit', (code) => reject(new Error(`harness exited (${code}) before freezing: ${stderr}`)));
  });
  const gone = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await gone;

  const left = await leftovers(KILLED);
  const f = machineFreezers()[0];
  t.true(left.some((l) => l.type === 'cgroup' && l.id === labCgroup(f, KILLED)), JSON.stringify(left));
  t.true(left.some((l) => l.type === 'process'), JSON.stringify(left));
  t.true(await isFrozen(f, KILLED, 'r1'));
  await destroyLab(KILLED);
  t.deepEqual(await leftovers(KILLED), []);
  t.false(existsSync(labCgroup(f, KILLED)));
});

import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Lab, LabNode } from '../topology/model.js';
import { daemonArgv, frrConfigFiles, frrKind, planFrrNode } from './frr.js';

let dir: string;
test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'h1-frr-'));
  await writeFile(path.join(dir, 'frr.conf'), 'hostname r1\nip route 198.18.9.0/24 blackhole\nrouter bgp 65001\n neighbor 198.18.0.1 remote-as 65002\nexit\n');
  await writeFile(path.join(dir, 'daemons'), 'bgpd=yes\nstaticd=no\nisisd=yes\n');
});
test.after.always(() => rm(dir, { recursive: true, force: true }));

const lab = (): Lab => ({ name: 'h1f', prefix: 'clab', file: path.join(dir, 'h1f.clab.yml'), dir, nodes: [], links: [], warnings: [] });
const node = (binds: string[], startupConfig?: string): LabNode => ({ name: 'r1', kind: 'frr', binds, env: {}, exec: [], labels: {}, startupConfig, settings: {} });

test('without a daemons file the config decides which daemons run', async (t) => {
  const p = await planFrrNode(lab(), node([`${dir}/frr.conf:/etc/frr/frr.conf`]));
  t.deepEqual(p.daemons, ['zebra', 'bgpd', 'staticd']);
  t.deepEqual(p.issues, []);
});

test('a bound daemons file decides, and says what it leaves out or cannot run', async (t) => {
  const p = await planFrrNode(lab(), node([`${dir}/frr.conf:/etc/frr/frr.conf`, `${dir}/daemons:/etc/frr/daemons`]));
  t.deepEqual(p.daemons, ['zebra', 'bgpd']);
  t.deepEqual(p.warnings, [
    'node r1: daemons file enables isisd, which the frr kind does not run (it runs zebra, bgpd, staticd, bfdd, ospfd, ospf6d); skipped',
    'node r1: frr.conf has staticd config but the daemons file does not enable staticd; it will not run',
  ]);
});

test('a daemons bind to a missing file is an issue on that bind', async (t) => {
  const p = await planFrrNode(lab(), node([`${dir}/frr.conf:/etc/frr/frr.conf`, `${dir}/nope:/etc/frr/daemons`]));
  t.deepEqual(p.issues, [{ path: 'binds.1', message: `file ${dir}/nope not found` }]);
});

test('startup-config wins over a frr.conf bind; other binds are reported as unused', async (t) => {
  const p = await planFrrNode(lab(), node([`${dir}/missing.conf:/etc/frr/frr.conf`, `${dir}/x:/etc/frr/vtysh.conf`, `${dir}/y:/opt/y`], `${dir}/frr.conf`));
  t.deepEqual(p.issues, []);
  t.deepEqual(p.warnings, [`node r1: binds[2] "${dir}/y:/opt/y" is not used by the frr kind under the netns runtime`]);
});

test('no config at all: zebra alone, with a warning', async (t) => {
  const p = await planFrrNode(lab(), node([]));
  t.deepEqual(p.daemons, ['zebra']);
  t.regex(p.warnings[0], /no startup-config and no bind to \/etc\/frr\/frr\.conf/);
});

test('config files and command lines stay inside the node directory', async (t) => {
  const p = await planFrrNode(lab(), node([], `${dir}/frr.conf`));
  const nodeDir = '/run/bgpdns-lab/h1f/r1';
  t.deepEqual(frrConfigFiles(p, 'r1', nodeDir).map((f) => f.file), [`${nodeDir}/zebra.conf`, `${nodeDir}/bgpd.conf`, `${nodeDir}/staticd.conf`]);
  t.deepEqual(daemonArgv(nodeDir, 'bfdd'), [
    '/usr/lib/frr/bfdd', '-f', `${nodeDir}/bfdd.conf`, '-i', `${nodeDir}/bfdd.pid`, '-z', `${nodeDir}/zserv.api`,
    '--vty_socket', nodeDir, '-P', '0', '--bfdctl', `${nodeDir}/bfdd.sock`,
  ]);
});

test('zebra dying while starting fails the start at once, with its output', async (t) => {
  const nodeDir = path.join(dir, 'dying-r1');
  const spawned: string[][] = [];
  const runtime = {
    name: 'netns',
    async spawn(_lab: Lab, name: string, argv: string[], opts?: { role?: string }) {
      spawned.push(argv);
      await writeFile(path.join(nodeDir, 'zebra.log'), "zebra: can't create pid lock file\n");
      return { node: name, role: opts?.role ?? 'zebra', pid: 1, argv, exited: Promise.resolve(1), signal() {}, async stop() {} };
    },
  } as unknown as import('../runtime/runtime.js').Runtime;
  const ctx = { lab: lab(), node: node([], `${dir}/frr.conf`), runtime, dir: nodeDir, warn() {}, signal: new AbortController().signal };
  await frrKind.prepare!(ctx);
  const t0 = Date.now();
  await t.throwsAsync(frrKind.start(ctx), { message: `node r1: zebra exited (1) while starting; ${nodeDir}/zebra.log: zebra: can't create pid lock file` });
  t.true(Date.now() - t0 < 5000, 'does not wait for the vty socket timeout');
  t.is(spawned.length, 1, 'no other daemon is started without zebra');
});

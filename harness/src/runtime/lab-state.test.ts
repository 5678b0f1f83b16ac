import test from 'ava';
import { appendFileSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Lab } from '../topology/model.js';

/**
 * The lab's state on disk: what one harness records, another process (a `fault`
 * restart) adds, and what is left of a record cut short, all read back by readState.
 * The state root is a temp directory (BGPDNS_LAB_RUN_DIR, read when the module loads).
 */
const root = await mkdtemp(path.join(tmpdir(), 'h1-lab-state-'));
process.env.BGPDNS_LAB_RUN_DIR = root;
const { LabStateFile, readState, resourcesPath, statePath } = await import('./lab-state.js');

test.after.always(() => rm(root, { recursive: true, force: true }));

const model = (name: string): Lab => ({ name, prefix: 'clab', file: `/nowhere/${name}.clab.yml`, dir: '/nowhere', nodes: [], links: [], warnings: [] });
const proc = (node: string, pid: number) => ({ node, role: 'bgpd', pid, startTime: 1000 + pid, argv: ['/usr/lib/frr/bgpd', '-f', `/x/${node}/bgpd.conf`] });

test('namespaces and processes recorded one by one are read back, a namespace once', (t) => {
  const st = LabStateFile.create(model('ls1'));
  st.addNamespace('ls1.r1');
  st.addNamespace('ls1.r1');
  st.addProcess(proc('r1', 11));
  st.addNamespace('ls1.r2');
  st.addProcess(proc('r2', 12));
  st.setStatus('ready');
  const back = readState('ls1');
  t.is(back?.status, 'ready');
  t.deepEqual(back?.namespaces, ['ls1.r1', 'ls1.r2']);
  t.deepEqual(back?.processes, [proc('r1', 11), proc('r2', 12)]);
  t.is(back?.model.name, 'ls1');
  // state.json holds the lab's fields only: a record per resource would make it grow with the lab.
  t.false('processes' in JSON.parse(readFileSync(statePath('ls1'), 'utf8')));
});

test('what another process records meanwhile is kept, also across a status change', (t) => {
  const mine = LabStateFile.create(model('ls2'));
  mine.addProcess(proc('r1', 21));
  const theirs = LabStateFile.openOrCreate(model('ls2'));
  t.deepEqual(theirs.state.processes, [proc('r1', 21)], 'a reopened record starts from the disk');
  theirs.addProcess(proc('r1', 22));
  mine.setStatus('ready');
  mine.addProcess(proc('r2', 23));
  t.deepEqual(readState('ls2')?.processes.map((p) => p.pid), [21, 22, 23]);
  t.is(readState('ls2')?.status, 'ready');
});

test('a line cut short (machine died mid-write) is skipped, the lines before and after it are read', (t) => {
  const st = LabStateFile.create(model('ls3'));
  st.addProcess(proc('r1', 31));
  appendFileSync(resourcesPath('ls3'), '{"process":{"node":"r2","ro\n');
  st.addNamespace('ls3.r3');
  const back = readState('ls3');
  t.deepEqual(back?.processes.map((p) => p.pid), [31]);
  t.deepEqual(back?.namespaces, ['ls3.r3']);
});

test('no state file: no lab', (t) => {
  t.is(readState('ls-none'), undefined);
});

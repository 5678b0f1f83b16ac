import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deployTestLab, testLabName } from './deploy-test-lab.js';
import { labNameProblem } from '../src/topology/names.js';

test('a test lab is named after its file and this process, and the name is a valid lab name', (t) => {
  const name = testLabName('t15-rw');
  t.is(name, `t15-rw-${process.pid.toString(36)}`);
  t.is(labNameProblem(name), undefined);
});

test('a topology file without a top-level name is refused, naming the file, before anything is deployed', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 't15-testlab-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'nameless.clab.yml');
  await writeFile(file, 'topology:\n  nodes:\n    r1: {kind: frr}\n');
  await t.throwsAsync(deployTestLab(file), { message: `${file}: expected a top-level "name:" line` });
});

import test from 'ava';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentHash, shortHash } from './content-hash.js';

test('hash is independent of part order and changes with any content or name', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'h7-hash-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'Dockerfile');
  await writeFile(file, 'FROM x\n');
  const a = await contentHash([{ name: 'Dockerfile', file }, { name: 'parent', text: 'abc' }]);
  const b = await contentHash([{ name: 'parent', text: 'abc' }, { name: 'Dockerfile', file }]);
  t.is(a, b);
  t.not(a, await contentHash([{ name: 'Dockerfile', file }, { name: 'parent', text: 'abd' }]));
  t.not(a, await contentHash([{ name: 'Dockerfil', file }, { name: 'parent', text: 'abc' }]));
  await writeFile(file, 'FROM y\n');
  t.not(a, await contentHash([{ name: 'Dockerfile', file }, { name: 'parent', text: 'abc' }]));
  t.is(shortHash(a).length, 12);
});

test('moving bytes between parts changes the hash', async (t) => {
  const one = await contentHash([{ name: 'a', text: 'xy' }, { name: 'b', text: '' }]);
  const two = await contentHash([{ name: 'a', text: 'x' }, { name: 'b', text: 'y' }]);
  t.not(one, two);
});

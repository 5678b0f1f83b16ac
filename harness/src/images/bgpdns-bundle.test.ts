import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bgpdnsCommands, bundleBgpdns } from './bgpdns-bundle.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('the image bundle dispatches every bgpdns command, as the source dispatcher does', async (t) => {
  t.timeout(60_000);
  const dir = await mkdtemp(path.join(tmpdir(), 'h7-bundle-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'bgpdns.mjs');
  const names = await bundleBgpdns(REPO, out);
  t.deepEqual(names, await bgpdnsCommands(REPO));
  t.true(names.length > 0);
  // Plain node, no tsx, from a directory outside the repository: the bundle stands alone.
  const help = spawnSync(process.execPath, [out, 'help'], { cwd: dir, encoding: 'utf8' });
  t.is(help.status, 0, help.stderr);
  for (const name of names) t.regex(help.stdout, new RegExp(`^  ${name} `, 'm'));
  const unknown = spawnSync(process.execPath, [out, 'no-such-daemon'], { cwd: dir, encoding: 'utf8' });
  t.is(unknown.status, 2);
  t.is(unknown.stderr.trim(), `bgpdns: unknown command "no-such-daemon"; known commands: ${names.join(', ')}`);
});

import test from 'ava';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli/main.ts');

test('images build without a reachable engine fails with one sentence saying what to do', (t) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'images', 'build'], {
    env: { ...process.env, DOCKER_HOST: 'unix:///run/h7-no-engine-here.sock' },
    encoding: 'utf8',
  });
  t.is(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0], /^bgpdns-lab images: no Docker engine answers at unix:\/\/\/run\/h7-no-engine-here\.sock \(.+\); install Debian docker\.io and start dockerd/);
});

test('an unknown image name is a usage error (64) listing the known ones', (t) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'images', 'build', 'bind9'], { encoding: 'utf8' });
  t.is(r.status, 64);
  t.is(r.stderr.split('\n')[0], 'bgpdns-lab images: unknown image "bind9"; known images: base, frr, tinydns, client, bgpdns, coredns');
});

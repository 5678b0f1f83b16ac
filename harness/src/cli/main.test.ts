import test from 'ava';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(here, 'main.ts');

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('help lists every command file, found without editing main.ts', async (t) => {
  const r = await cli('help');
  t.is(r.code, 0);
  const files = readdirSync(path.join(here, 'commands')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  for (const f of files) t.regex(r.stdout, new RegExp(`^  ${f.slice(0, -3)} `, 'm'), f);
});

test('an unknown command exits 2 and lists the commands', async (t) => {
  const r = await cli('deplyo');
  t.is(r.code, 2);
  t.regex(r.stderr, /unknown command "deplyo"; commands: .*deploy.*destroy/);
});

test('a usage error exits 2 with the usage', async (t) => {
  const r = await cli('deploy');
  t.is(r.code, 2);
  t.regex(r.stderr, /^bgpdns-lab deploy: expected one topology file\nusage: bgpdns-lab deploy <file\.clab\.yml>/);
});

test('a bad topology file exits 1 naming the file and field', async (t) => {
  const r = await cli('deploy', path.join(here, 'no-such.clab.yml'));
  t.is(r.code, 1);
  t.regex(r.stderr, /no-such\.clab\.yml: file not found/);
});

test('deploy as a non-root user says it needs root', async (t) => {
  const file = path.resolve(here, '../../../labs/multihomed/multihomed.clab.yml');
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile('runuser', ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', MAIN, 'deploy', file], { cwd: path.resolve(here, '../../..') }, (err, _out, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
  t.is(r.code, 1);
  t.regex(r.stderr, /deploying lab multihomed on the netns runtime needs root .*; run as root, e\.g\. sudo \.\/bgpdns-lab deploy labs\/multihomed\/multihomed\.clab\.yml/);
});

test('an unknown option is a usage error naming it and the options there are', async (t) => {
  const r = await cli('inspect', '--jsn');
  t.is(r.code, 2);
  t.regex(r.stderr, /^bgpdns-lab inspect: unknown option --jsn; options: --json\n/);
});

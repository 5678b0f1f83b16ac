import test from 'ava';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from './exit-codes.js';
import { INSTALL_SETS } from '../install/install-sets.js';
import { runCli as cli } from './cli-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const commandFiles = readdirSync(path.join(here, 'commands'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3));

test('help lists every command file, found without editing main.ts, and the exit codes', async (t) => {
  const r = await cli(['help']);
  t.is(r.code, EXIT.ok);
  for (const name of commandFiles) t.regex(r.stdout, new RegExp(`^  ${name} `, 'm'), name);
  t.regex(r.stdout, /exit codes: 0 ok\/met, 1 an assertion or SLO failed .*\n.*2 a lab could not be built or torn down, 64 usage error, 77 must run as root/);
});

test('an unknown command exits 64 and lists the commands', async (t) => {
  const r = await cli(['deplyo']);
  t.is(r.code, EXIT.usage);
  t.regex(r.stderr, /unknown command "deplyo"; commands: .*deploy.*destroy/);
  const topic = await cli(['help', 'deplyo']);
  t.is(topic.code, EXIT.usage);
});

test('a usage error exits 64 with the message and the usage', async (t) => {
  const r = await cli(['deploy']);
  t.is(r.code, EXIT.usage);
  t.regex(r.stderr, /^bgpdns-lab deploy: expected one topology file\nusage: bgpdns-lab deploy <file\.clab\.yml>/);
});

test('an invalid topology file is a lab that could not be built: exit 2 naming the file and field', async (t) => {
  const r = await cli(['deploy', 'docs/run-record.schema.json']);
  t.is(r.code, EXIT.lab, r.stderr);
  t.regex(r.stderr, /^bgpdns-lab deploy: docs\/run-record\.schema\.json: /);
});

test('every command file has a line in command-needs.json and every line a command (or test)', (t) => {
  const needs = JSON.parse(readFileSync(path.join(here, 'command-needs.json'), 'utf8')) as Record<string, { root: unknown; installs: unknown }>;
  t.deepEqual(Object.keys(needs).sort(), [...commandFiles, 'help', 'test'].sort());
  for (const [name, n] of Object.entries(needs)) {
    t.is(typeof n.root, 'boolean', name);
    t.true((INSTALL_SETS as readonly string[]).includes(n.installs as string), `${name}: installs ${String(n.installs)}`);
  }
  // What must run without root (issue 11): help, report, doctor.
  for (const name of ['help', 'report', 'doctor']) t.deepEqual(needs[name], { root: false, installs: 'none' }, name);
});

test('needs.mjs answers with plain node (no tsx) what a command needs; --help needs nothing', async (t) => {
  const needs = (...args: string[]) =>
    new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(process.execPath, [path.join(here, 'needs.mjs'), ...args], (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout })),
    );
  t.deepEqual(await needs('demo'), { code: 0, stdout: 'root=1 installs=demo\n' });
  t.deepEqual(await needs('report'), { code: 0, stdout: 'root=0 installs=none\n' });
  t.deepEqual(await needs('deploy', '--help'), { code: 0, stdout: 'root=0 installs=none\n' });
  t.deepEqual(await needs('exec', 'c1', '--', 'vtysh', '--help'), { code: 0, stdout: 'root=1 installs=core\n' });
  t.deepEqual(await needs('run', 'bgpdns-link-cut', '--runtime', 'docker'), { code: 0, stdout: 'root=1 installs=labs,docker\n' });
  t.deepEqual(await needs('deploy', 'x.clab.yml', '--runtime=docker'), { code: 0, stdout: 'root=1 installs=labs,docker\n' });
  t.deepEqual(await needs(), { code: 0, stdout: 'root=0 installs=none\n' });
  t.is((await needs('deplyo')).code, EXIT.usage);
  // The same through the CLI's hidden command.
  const viaCli = await cli(['__needs', 'test']);
  t.deepEqual([viaCli.code, viaCli.stdout], [0, 'root=1 installs=test\n']);
});

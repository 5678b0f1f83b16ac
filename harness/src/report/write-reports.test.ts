import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandArgs, UsageError } from '../cli/command.js';
import { command } from '../cli/commands/report.js';
import { RunRecordError } from '../run/schema.js';
import { syntheticRunRecord } from '../../testing/report-fixture.js';
import { listRunDirs, regenerateReports, renderRunDir, writeRunRecord } from './write-reports.js';

function reportsDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'h6-reports-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the CLI command with console output captured. */
async function report(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    return { code: await command.run(parseCommandArgs(command, argv)), out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

test('writeRunRecord validates, renderRunDir writes report.html and junit.xml beside run.json', async (t) => {
  const dir = reportsDir(t);
  const record = syntheticRunRecord({ run: 'r1' });
  const file = writeRunRecord(dir, record);
  t.is(file, join(dir, 'r1', 'run.json'));
  t.deepEqual(JSON.parse(readFileSync(file, 'utf8')), JSON.parse(JSON.stringify(record)));
  await renderRunDir(join(dir, 'r1'));
  t.true(existsSync(join(dir, 'r1', 'report.html')));
  t.true(existsSync(join(dir, 'r1', 'junit.xml')));
  t.throws(() => writeRunRecord(dir, { ...record, met: true }), { instanceOf: RunRecordError, message: /\$\.met/ });
});

test('regenerating all keeps going past a broken run.json and lists it in the index', async (t) => {
  const dir = reportsDir(t);
  writeRunRecord(dir, syntheticRunRecord({ run: 'good', withFailures: false }));
  mkdirSync(join(dir, 'broken'));
  writeFileSync(join(dir, 'broken', 'run.json'), JSON.stringify({ ...syntheticRunRecord(), machine: { cores: 2 } }));
  mkdirSync(join(dir, 'not-a-run'));
  t.deepEqual(listRunDirs(dir), ['broken', 'good']);
  const result = await regenerateReports(dir);
  t.deepEqual(result.rendered.map((r) => r.run), ['good']);
  t.is(result.unreadable.length, 1);
  t.regex(result.unreadable[0].problem, /broken\/run.json is invalid: \$\.machine\.kernel: Invalid input: expected string, received undefined/);
  t.regex(readFileSync(join(dir, 'index.html'), 'utf8'), /\$\.machine\.kernel: Invalid input: expected string, received undefined/);
});

test('bgpdns-lab report: exit 0 for good runs, 1 when a run.json is invalid, 2 for usage errors', async (t) => {
  const dir = reportsDir(t);
  writeRunRecord(dir, syntheticRunRecord({ run: 'good', withFailures: false }));
  writeRunRecord(dir, syntheticRunRecord({ run: 'failing' }));
  const all = await report(['--dir', dir]);
  t.is(all.code, 0, all.err);
  t.regex(all.out, /PASS good: .*good\/report\.html, .*good\/junit\.xml/);
  t.regex(all.out, /FAIL failing: /);
  t.true(existsSync(join(dir, 'index.html')));

  const one = await report([`--dir`, dir, 'good']);
  t.is(one.code, 0);
  t.notRegex(one.out, /failing/);

  mkdirSync(join(dir, 'bad'));
  writeFileSync(join(dir, 'bad', 'run.json'), '{"version": 1');
  const bad = await report(['--dir', dir, 'bad']);
  t.is(bad.code, 1);
  t.regex(bad.err, /bad: .*bad\/run.json is invalid: \$: not JSON/);

  // Usage errors (an unknown run among them) go to the dispatcher, which prints the usage and exits 64.
  await t.throwsAsync(report(['--dir', dir, 'nope']), { instanceOf: UsageError, message: /no run "nope": .*nope\/run.json does not exist/ });
  await t.throwsAsync(report(['--frobnicate']), { instanceOf: UsageError, message: /unknown option --frobnicate/ });
  await t.throwsAsync(report(['--dir']), { instanceOf: UsageError, message: /--dir needs a value/ });
});

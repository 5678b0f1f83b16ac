import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineScenario } from './scenario.js';
import { lastLine, loadScenario, measurementTable, runScenarios } from './runner.js';
import { RunRecorder, machineFacts } from '../run/recorder.js';
import { leftovers } from '../lab/destroy.js';

let reports: string;
test.before(async () => {
  reports = await mkdtemp(join(tmpdir(), 'h2runner-'));
  process.env.BGPDNS_REPORTS = reports;
});
test.after.always(async () => {
  await rm(reports, { recursive: true, force: true });
});

test('scenarios are found by name; an unknown one is named with the fix', async (t) => {
  const s = await loadScenario('upstream-failover');
  t.is(s.name, 'upstream-failover');
  t.is(s.lab.name, 'mh-failover');
  await t.throwsAsync(loadScenario('no-such-story'), {
    message: 'unknown scenario "no-such-story": no scenarios/no-such-story.ts (give a scenario name from scenarios/ or a path to a scenario module)',
  });
});

test('defineScenario refuses an empty story and duplicate part names', (t) => {
  const lab = { file: 'x.clab.yml' };
  t.throws(() => defineScenario({ name: 's', lab, parts: [] }), { message: 's: needs at least one part'.replace(/^/, 'scenario ') });
  const run = async () => undefined;
  t.throws(() => defineScenario({ name: 's', lab, parts: [{ name: 'a', run }, { name: 'a', run }] }), { message: 'scenario s: two parts are named "a"' });
});

test('a lab that cannot be built: exit 2, the error in the record, nothing left behind', async (t) => {
  const s = defineScenario({ name: 'broken-lab', lab: { file: '/nonexistent/h2broken.clab.yml', name: 'h2broken' }, parts: [{ name: 'never', run: async () => undefined }] });
  const r = await runScenarios([s], { trials: 1, runtime: 'netns', log: () => undefined });
  t.is(r.exitCode, 2);
  t.false(r.record.met);
  t.regex(r.record.error ?? '', /scenario broken-lab: lab could not be built: .*h2broken\.clab\.yml/);
  t.deepEqual(await leftovers('h2broken'), []);
  t.is(JSON.parse(lastLine(r)).met, false);
});

test('a failed check: exit 1, later parts still run, lab destroyed; all pass: exit 0', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'h2runner-lab-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'one-host.clab.yml');
  await writeFile(file, 'name: h2one\ntopology:\n  nodes:\n    h1:\n      kind: linux\n      image: alpine:3\n');
  const ran: string[] = [];
  const failing = defineScenario({
    name: 'h2-failing',
    lab: { file },
    parts: [
      { name: 'fails', run: async (s) => s.check('one is two', false, 'it is not') },
      {
        name: 'still runs',
        run: async (s) => {
          ran.push(s.lab.node('h1').name);
          s.measurement('noop', { plane: 'harness', slo: { op: '<', value: 10 } }).add(1);
        },
      },
    ],
  });
  const r = await runScenarios([failing], { trials: 1, runtime: 'netns', log: () => undefined });
  t.is(r.exitCode, 1);
  t.deepEqual(ran, ['h1']);
  t.like(r.record.assertions[0], { name: 'one is two', ok: false, message: 'it is not' });
  t.deepEqual(await leftovers('h2one'), []);
  t.true(r.path.endsWith(join(r.record.run, 'run.json')));

  const passing = defineScenario({ name: 'h2-passing', lab: { file }, parts: [{ name: 'ok', run: async (s) => s.check('true', true) }] });
  const ok = await runScenarios([passing], { trials: 1, runtime: 'netns', log: () => undefined });
  t.is(ok.exitCode, 0);
  t.true(JSON.parse(lastLine(ok)).met);
});

test('a part that throws without a failed check (a wait timed out): exit 1, recorded as a failed assertion', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'h2runner-lab-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'one-host.clab.yml');
  await writeFile(file, 'name: h2throw\ntopology:\n  nodes:\n    h1:\n      kind: linux\n      image: alpine:3\n');
  const throwing = defineScenario({
    name: 'h2-throwing',
    lab: { file },
    parts: [
      {
        name: 'waits in vain',
        run: async () => {
          throw new Error('timed out after 30000 ms waiting for the mark to clear');
        },
      },
    ],
  });
  const r = await runScenarios([throwing], { trials: 1, runtime: 'netns', log: () => undefined });
  t.is(r.exitCode, 1);
  t.false(r.record.met);
  t.like(r.record.assertions[0], { name: 'waits in vain: completed', ok: false, message: 'timed out after 30000 ms waiting for the mark to clear' });
  t.deepEqual(await leftovers('h2throw'), []);
});

test('the measurement table lists trials, percentiles, SLO and verdict, then failures', (t) => {
  const rec = new RunRecorder({ lab: 'x', runtime: 'netns', scenarios: ['s'] });
  const m = rec.measurement('link cut', { plane: 'bgp', slo: { op: '<', value: 1000 } });
  m.add(91.2);
  m.add(120);
  rec.assertion('c1 prefers isp1', false, 'best entry isp3');
  const table = measurementTable(rec.toRecord(machineFacts()));
  t.is(
    table,
    ['measurement  trials (ms)  p50  p95  max        SLO  met', 'link cut          91 120   91  120  120  < 1000 ms  yes', 'FAILED s: c1 prefers isp1 — best entry isp3'].join('\n'),
  );
});

test('the measurement table keeps the decimals of ratios and of sub-10 ms figures', (t) => {
  const rec = new RunRecorder({ lab: 'x', runtime: 'netns', scenarios: ['s'] });
  const share = rec.measurement('share first', { plane: 'dns', unit: 'ratio' });
  share.add(0.4);
  share.add(1);
  const latency = rec.measurement('latency', { plane: 'dns' });
  latency.add(0.84);
  const rows = measurementTable(rec.toRecord(machineFacts())).split('\n');
  t.regex(rows[1], /^share first\s+0\.40 1\.00\s/);
  t.regex(rows[2], /^latency\s+0\.8\s+0\.8\s+0\.8\s+0\.8\s/);
});

test('a split lab records host clocks; measurements carry the largest error bound, flagged above 10 % of the SLO', (t) => {
  const rec = new RunRecorder({ lab: 'x', runtime: 'docker', scenarios: ['s'] });
  rec.measurement('bfd', { plane: 'bgp', slo: { op: '<', value: 2000 } }).add(850);
  rec.measurement('link cut', { plane: 'bgp', slo: { op: '<', value: 300 } }).add(120);
  const host = { name: 'host1', endpoint: 'unix:///x/docker.sock', underlay: '198.19.254.1' };
  rec.hostClock(host, { when: 'before', at: 1, offsetMs: 0.4, errorMs: 12.5, rttMs: 25, exchanges: 8 });
  rec.hostClock(host, { when: 'after', at: 2, offsetMs: 0.2, errorMs: 40, rttMs: 80, exchanges: 8 });
  const record = rec.toRecord(machineFacts());
  t.is(record.hosts?.[0].clock.length, 2);
  t.like(record.measurements[0], { clockErrorMs: 40, clockFlag: false });
  t.like(record.measurements[1], { clockErrorMs: 40, clockFlag: true });
  const rows = measurementTable(record).split('\n');
  t.regex(rows[0], /clock ±ms$/);
  t.regex(rows[2], /40 !$/);
});

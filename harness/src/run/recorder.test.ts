import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunRecorder, newRunId, machineFacts } from './recorder.js';

const machine = machineFacts({ netem: false });

test('steps record start, end and outcome on the monotonic clock, and rethrow', async (t) => {
  const rec = new RunRecorder({ lab: 'h2rec', runtime: 'netns', scenarios: ['demo'] });
  t.is(await rec.step('converge', async () => 42), 42);
  await t.throwsAsync(rec.step('cut isp1 link', () => Promise.reject(new Error('link busy'))), { message: 'link busy' });
  const [ok, failed] = rec.steps;
  t.like(ok, { scenario: 'demo', name: 'converge', ok: true });
  t.true(ok.start >= rec.t0 && ok.end! >= ok.start);
  t.like(failed, { name: 'cut isp1 link', ok: false, error: 'link busy' });
});

test('measurements aggregate trials into p50/p95/max and an SLO verdict', (t) => {
  const rec = new RunRecorder({ lab: 'h2rec', runtime: 'netns', scenarios: ['upstream-failover'] });
  const m = rec.measurement('link-cut failover', { plane: 'bgp', slo: { op: '<', value: 2000 }, description: 'best path moves' });
  for (const v of [812.34, 640.06, 905.55]) m.add(v);
  t.true(m.met);
  t.is(rec.measurement('link-cut failover', { plane: 'dns' }), m, 'same name, same series');
  const [out] = rec.toRecord(machine).measurements;
  t.deepEqual(out, {
    name: 'link-cut failover',
    plane: 'bgp',
    unit: 'ms',
    trials: [812.3, 640.1, 905.6],
    p50: 812.3,
    p95: 905.6,
    max: 905.6,
    slo: { op: '<', value: 2000 },
    met: true,
    scenario: 'upstream-failover',
    description: 'best path moves',
  });
  t.is(m.describe(), 'link-cut failover: p50 812 ms, max 906 ms over 3 trial(s), SLO < 2000 ms');
  m.add(2500);
  t.false(m.met);
  t.false(rec.met);
  t.throws(() => m.add(Number.NaN), { message: /finite number, got NaN/ });
});

test('the run is met only when every assertion and SLO held and the lab worked', (t) => {
  const rec = new RunRecorder({ lab: 'h2rec', runtime: 'netns', scenarios: ['s'] });
  t.true(rec.met);
  rec.assertion('client1 prefers isp1', true);
  t.true(rec.met);
  rec.assertion('client2 prefers isp2', false, 'best path via isp1');
  t.false(rec.met);
  const rec2 = new RunRecorder({ lab: 'h2rec', runtime: 'netns', scenarios: ['s'] });
  rec2.setError('deploy failed: bgpd did not start');
  t.false(rec2.met);
  t.is(rec2.toRecord(machine).error, 'deploy failed: bgpd did not start');
});

test('faults and events carry the current scenario', (t) => {
  const rec = new RunRecorder({ lab: 'h2rec', runtime: 'netns', scenarios: ['a', 'b'] });
  rec.fault({ at: 1, fault: 'link-down', target: 'isp1:eth2', action: 'inject' });
  rec.scenario = 'b';
  rec.event({ at: 2, node: 'c1', plane: 'bgp', type: 'prefix-removed', source: 'vty-poll' });
  t.is(rec.faults[0].scenario, 'a');
  t.is(rec.events[0].scenario, 'b');
});

test('write puts run.json under reports/<run-id>/', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'h2rec-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const rec = new RunRecorder({ lab: 'h2rec', runtime: 'netns', scenarios: ['upstream-failover'], reportsDir: dir });
  rec.measurement('x', { plane: 'bgp', slo: { op: '<', value: 10 } }).add(3);
  const { path, record } = await rec.write(machine);
  t.true(path.endsWith(join(rec.run, 'run.json')));
  const onDisk = JSON.parse(await readFile(join(dir, rec.run, 'run.json'), 'utf8'));
  t.deepEqual(onDisk, JSON.parse(JSON.stringify(record)));
  t.is(onDisk.version, 1);
  t.true(onDisk.met);
  t.is(onDisk.measurements[0].p50, 3);
});

test('run ids name a directory', (t) => {
  t.regex(newRunId('upstream failover/x'), /^\d{8}T\d{6}Z-upstream-failover-x-[0-9a-f]{4}$/);
});

import test from 'ava';
import { readFileSync } from 'node:fs';
import { syntheticRunRecord } from '../../testing/report-fixture.js';
import { fieldDescriptions, RUN_RECORD_DOC } from './json-schema.js';
import { RUN_RECORD_VERSION, type RunRecord } from './record.js';
import { jsonPath, migrateRunRecord, parseRunRecord, RunRecordError, schemaFieldPaths, validateRunRecord } from './schema.js';

// Through JSON, as a record read from disk: the fixture shares SLO objects between measurements.
const clone = (): RunRecord => JSON.parse(JSON.stringify(syntheticRunRecord()));

test('the synthetic fixture record is valid and survives a JSON round trip', (t) => {
  const record = clone();
  t.deepEqual(validateRunRecord(record), record);
  t.deepEqual(parseRunRecord(JSON.stringify(record)), record);
});

test('jsonPath renders array indices and keys', (t) => {
  t.is(jsonPath(['measurements', 2, 'slo', 'op']), '$.measurements[2].slo.op');
  t.is(jsonPath([]), '$');
});

const rejects = test.macro((t, mutate: (r: Record<string, any>) => void, path: string, words: RegExp) => {
  const record = clone() as unknown as Record<string, any>;
  mutate(record);
  const err = t.throws(() => validateRunRecord(record), { instanceOf: RunRecordError });
  t.truthy(err);
  t.true(err!.problems[0].startsWith(`${path}:`), `first problem "${err!.problems[0]}" should name ${path}`);
  t.regex(err!.message, words);
});

test('bad SLO operator names its path', rejects, (r) => (r.measurements[2].slo.op = '=='), '$.measurements[2].slo.op', /expected one of "<"\|"<="\|">"\|">="/);
test('missing trials', rejects, (r) => (r.measurements[0].trials = []), '$.measurements[0].trials', /at least one trial/);
test('non-number trial', rejects, (r) => (r.measurements[1].trials[1] = 'fast'), '$.measurements[1].trials[1]', /number/);
test('p95 below p50', rejects, (r) => (r.measurements[0].p95 = r.measurements[0].p50 - 1), '$.measurements[0].p95', /p50 <= p95 <= max/);
test('max that is not the largest trial', rejects, (r) => (r.measurements[3].max += 5), '$.measurements[3].max', /largest trial/);
test('step that ends before it starts', rejects, (r) => (r.steps[4].end = r.steps[4].start - 1), '$.steps[4].end', /before it starts/);
test('unknown plane on an event', rejects, (r) => (r.events[0].plane = 'ospf'), '$.events[0].plane', /bgp/);
test('missing machine fact', rejects, (r) => delete r.machine.netem, '$.machine.netem', /expected boolean, received undefined/);
test('run id that is not a directory name', rejects, (r) => (r.run = '../etc'), '$.run', /names a directory/);
test('link to a node outside the topology', rejects, (r) => (r.topology.links[0].b.node = 'ghost'), '$.topology.links[0].b.node', /ghost/);
test('met run with a missed SLO', rejects, (r) => (r.met = true), '$.met', /did not meet its SLO/);
test('wrong version', rejects, (r) => (r.version = 2), '$.version', /expected 1/);

test('unknown extra fields are kept (records only grow by additions)', (t) => {
  const record = { ...clone(), addedLater: { x: 1 } };
  t.deepEqual((validateRunRecord(record) as unknown as Record<string, unknown>).addedLater, { x: 1 });
});

test('many problems are summarised after the first five', (t) => {
  const record = clone() as unknown as Record<string, any>;
  for (const e of record.events.slice(0, 8)) e.plane = 'ospf';
  const err = t.throws(() => validateRunRecord(record), { instanceOf: RunRecordError })!;
  t.is(err.problems.length, 6);
  t.is(err.problems[5], '… and 3 more');
});

test('reading: not JSON, not an object, no version, newer version', (t) => {
  t.throws(() => parseRunRecord('{"version":', 'reports/x/run.json'), { message: /reports\/x\/run.json is invalid: \$: not JSON/ });
  t.throws(() => parseRunRecord('[]'), { message: /\$: expected a JSON object/ });
  t.throws(() => parseRunRecord('{"run":"x"}'), { message: /\$.version: expected a positive integer/ });
  t.throws(() => parseRunRecord(JSON.stringify({ ...clone(), version: RUN_RECORD_VERSION + 1 })), {
    message: /written by a newer bgpdns-lab/,
  });
});

test('migration hook upgrades older records one version at a time', (t) => {
  const v1 = { version: 1, trials: 3 };
  const migrations = {
    1: (r: Record<string, unknown>) => ({ ...r, renamed: r.trials }),
    2: (r: Record<string, unknown>) => ({ ...r, extra: true }),
  };
  t.deepEqual(migrateRunRecord(v1, 'old', migrations, 3), { version: 3, trials: 3, renamed: 3, extra: true });
  t.throws(() => migrateRunRecord(v1, 'old', {}, 2), { message: /no migration from version 1 to 2/ });
  const current = clone();
  t.deepEqual(migrateRunRecord(current, 'current'), current, 'a current record passes through unchanged');
});

test('docs/run-record.md explains every field of the schema', (t) => {
  const documented = new Set(fieldDescriptions(readFileSync(RUN_RECORD_DOC, 'utf8')).keys());
  const missing = schemaFieldPaths().filter((p) => !documented.has(p));
  t.deepEqual(missing, [], `add these fields to docs/run-record.md: ${missing.join(', ')}`);
  const stale = [...documented].filter((p) => !schemaFieldPaths().includes(p));
  t.deepEqual(stale, [], `docs/run-record.md documents fields the schema does not have: ${stale.join(', ')}`);
});

import test from 'ava';
import type { DnsProbeSample } from './dns-samples.js';
import { RunRecorder, machineFacts } from '../run/recorder.js';
import { validateRunRecord } from '../run/schema.js';
import { dnsOrderChanges } from './dns-order.js';

const A = '198.18.1.10';
const B = '198.18.2.10';
let seq = 0;
const answer = (at: number, answers: string[]): DnsProbeSample => ({ at, seq: seq++, outcome: 'answer', rcode: 'NOERROR', answers, latencyMs: 0.4 });
const timeout = (at: number): DnsProbeSample => ({ at, seq: seq++, outcome: 'timeout', answers: [], latencyMs: 500 });

test('only the first answer and each change of order or outcome are kept', (t) => {
  const samples = [answer(0, [A, B]), answer(20, [A, B]), answer(40, [B, A]), timeout(60), timeout(80), answer(100, [B, A]), answer(120, [B, A])];
  const changes = dnsOrderChanges('client1', samples.reverse(), { qname: 'www.svc.example', via: 'dns' });
  t.deepEqual(
    changes.map((c) => [c.at, c.answers.join(' '), c.rcode ?? '']),
    [
      [0, `${A} ${B}`, ''],
      [40, `${B} ${A}`, ''],
      [60, '', 'timeout'],
      [100, `${B} ${A}`, ''],
    ],
  );
  t.true(changes.every((c) => c.client === 'client1' && c.qname === 'www.svc.example' && c.via === 'dns'));
});

test('a SERVFAIL is no answer, named by its rcode', (t) => {
  const servfail: DnsProbeSample = { at: 5, seq: 1, outcome: 'answer', rcode: 'SERVFAIL', answers: [], latencyMs: 1 };
  t.deepEqual(dnsOrderChanges('c', [servfail]), [{ at: 5, client: 'c', answers: [], rcode: 'SERVFAIL' }]);
});

test('the recorder keeps DNS order samples, stamped with the scenario, and the record validates', (t) => {
  const recorder = new RunRecorder({ lab: 'h6-lab', runtime: 'netns', scenarios: ['sort-order'] });
  for (const s of dnsOrderChanges('client1', [answer(recorder.t0 + 5, [A, B]), answer(recorder.t0 + 25, [B, A])])) recorder.dnsOrder(s);
  const record = validateRunRecord(recorder.toRecord(machineFacts()));
  t.deepEqual(
    record.dnsOrder?.map((s) => [s.scenario, s.client, s.answers[0]]),
    [
      ['sort-order', 'client1', A],
      ['sort-order', 'client1', B],
    ],
  );
});

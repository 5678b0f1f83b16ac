import test from 'ava';
import { parseQuery } from './query.js';
import { Rcode } from './types.js';
import { buildQuery } from '../../../testing/dns/dns-client.js';

test('a plain query: id, flags, question, lowercased key', (t) => {
  const r = parseQuery(buildQuery({ name: 'WWW.Lab.Example', type: 'AAAA', id: 0x4321, rd: true }));
  t.is(r.kind, 'query');
  if (r.kind !== 'query') return;
  t.is(r.query.id, 0x4321);
  t.is(r.query.qtype, 28);
  t.is(r.query.qclass, 1);
  t.is(r.query.qkey, '\x03www\x03lab\x07example\x00');
  t.is(r.query.edns, null);
});

test('EDNS: UDP size, version and a client subnet', (t) => {
  const r = parseQuery(buildQuery({ name: 'www.lab.example', type: 'A', edns: { udpSize: 4096, ecs: { family: 1, sourcePrefix: 24, address: '198.18.7.0' } } }));
  if (r.kind !== 'query') return t.fail(r.kind);
  t.is(r.query.edns!.udpSize, 4096);
  t.is(r.query.edns!.ecs!.text, '198.18.7.0');
});

const cases: [string, (b: Buffer) => Buffer, string, Rcode | null][] = [
  ['shorter than a header', (b) => b.subarray(0, 11), 'short', null],
  ['a response', (b) => (b[2] |= 0x80, b), 'response', null],
  ['opcode other than QUERY', (b) => (b[2] |= 0x10, b), 'opcode', Rcode.NotImp],
  ['two questions', (b) => (b.writeUInt16BE(2, 4), b), 'qdcount', Rcode.FormErr],
  ['question cut short', (b) => b.subarray(0, 20), 'question truncated', Rcode.FormErr],
  ['compressed question name', (b) => (b[12] = 0xc0, b), 'question name compressed or bad label', Rcode.FormErr],
  ['additional count beyond the packet', (b) => (b.writeUInt16BE(1, 10), b), 'record truncated', Rcode.FormErr],
];

for (const [title, mutate, reason, rcode] of cases) {
  test(`malformed: ${title}`, (t) => {
    const r = parseQuery(mutate(buildQuery({ name: 'www.lab.example', type: 'A' })));
    if (rcode === null) t.deepEqual(r, { kind: 'drop', reason });
    else {
      t.is(r.kind, 'error');
      if (r.kind === 'error') {
        t.is(r.reason, reason);
        t.is(r.rcode, rcode);
      }
    }
  });
}

import test from 'ava';
import { VtyReplyFramer, encodeVtyCommand, vtyStatusName } from './vty-reply.js';

const wire = Buffer.concat([
  Buffer.from('\0\0\0\0'), // `enable`: empty output, success
  Buffer.from('{\n  "a":1\n}\n\0\0\0\0'),
  Buffer.from('% Unknown command: bogus\n\0\0\0\x02'),
  Buffer.from('\0\0\0\x0d'),
]);
const expected = [
  { output: '', status: 0 },
  { output: '{\n  "a":1\n}\n', status: 0 },
  { output: '% Unknown command: bogus\n', status: 2 },
  { output: '', status: 13 },
];

test('whole stream yields every reply in order', (t) => {
  t.deepEqual(new VtyReplyFramer().push(wire), expected);
});

test('split at every offset, replies are the same', (t) => {
  for (let cut = 0; cut <= wire.length; cut++) {
    const framer = new VtyReplyFramer();
    const got = [...framer.push(wire.subarray(0, cut)), ...framer.push(wire.subarray(cut))];
    t.deepEqual(got, expected, `cut at ${cut}`);
    t.is(framer.buffered, 0);
  }
});

test('byte by byte, replies are the same', (t) => {
  const framer = new VtyReplyFramer();
  const got = [];
  for (const byte of wire) got.push(...framer.push(Buffer.from([byte])));
  t.deepEqual(got, expected);
});

test('three NULs without a status byte wait for more', (t) => {
  const framer = new VtyReplyFramer();
  t.deepEqual(framer.push(Buffer.from('text\0\0\0')), []);
  t.is(framer.buffered, 7);
  t.deepEqual(framer.push(Buffer.from([1])), [{ output: 'text', status: 1 }]);
});

test('UTF-8 split across chunks is decoded whole', (t) => {
  const bytes = Buffer.from('héllo\0\0\0\0');
  const framer = new VtyReplyFramer();
  t.deepEqual([...framer.push(bytes.subarray(0, 2)), ...framer.push(bytes.subarray(2))], [{ output: 'héllo', status: 0 }]);
});

test('commands are NUL-terminated and may not contain NUL', (t) => {
  t.deepEqual(encodeVtyCommand('show bgp summary json'), Buffer.from('show bgp summary json\0'));
  t.throws(() => encodeVtyCommand('a\0b'), { message: /must not contain NUL/ });
});

test('status names', (t) => {
  t.is(vtyStatusName(2), 'unknown command');
  t.is(vtyStatusName(99), 'status 99');
});

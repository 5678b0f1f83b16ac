import test from 'ava';
import { TcpFramer } from './tcp-framer.js';

const messages = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('hello world'), Buffer.alloc(300, 7)];
const stream = Buffer.concat(messages.map((m) => TcpFramer.frame(m)));

test('whole messages come out however the stream is split (every offset, every pair of offsets)', (t) => {
  for (let i = 0; i <= stream.length; i++) {
    for (let j = i; j <= stream.length; j += 7) {
      const got: Buffer[] = [];
      const f = new TcpFramer((m) => got.push(m));
      f.push(stream.subarray(0, i));
      f.push(stream.subarray(i, j));
      f.push(stream.subarray(j));
      t.deepEqual(got.map((b) => b.toString('hex')), messages.map((b) => b.toString('hex')), `split at ${i}/${j}`);
    }
  }
});

test('byte by byte', (t) => {
  const got: Buffer[] = [];
  const f = new TcpFramer((m) => got.push(m));
  for (const b of stream) f.push(Buffer.from([b]));
  t.is(got.length, messages.length);
});

import test from 'ava';
import { Framer } from './framer.js';
import { allMessages } from '../../testing/bgp/fixtures.js';
import { concat } from '../../testing/bgp/test-support.js';
import { BgpError } from './errors.js';
import { MAX_EXTENDED_MESSAGE_LENGTH } from './message-types.js';
import { frame } from './header.js';

const fixtures = allMessages();
const stream = concat(...fixtures.map((f) => f.bytes));

function drain(framer: Framer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let m = framer.next(); m; m = framer.next()) out.push(m.slice());
  return out;
}

test('every fixture split at every offset comes out whole', (t) => {
  for (const f of fixtures) {
    for (let cut = 0; cut <= f.bytes.length; cut++) {
      const framer = new Framer();
      framer.push(f.bytes.subarray(0, cut));
      const first = drain(framer);
      framer.push(f.bytes.subarray(cut));
      const all = [...first, ...drain(framer)];
      t.deepEqual(all, [f.bytes], `${f.name} cut at ${cut}`);
      t.is(framer.pending, 0);
    }
  }
});

test('the whole fixture stream split at every pair of offsets yields the same messages in order', (t) => {
  const expected = fixtures.map((f) => f.bytes);
  for (let a = 0; a < stream.length; a += 7) {
    for (let b = a; b <= stream.length; b += 13) {
      const framer = new Framer();
      const got: Uint8Array[] = [];
      for (const part of [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]) {
        framer.push(part);
        got.push(...drain(framer));
      }
      if (got.length !== expected.length) t.fail(`cuts ${a},${b}: ${got.length} messages`);
    }
  }
  t.pass();
});

test('one byte at a time', (t) => {
  const framer = new Framer();
  const got: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i++) {
    framer.push(stream.subarray(i, i + 1));
    got.push(...drain(framer));
  }
  t.deepEqual(got, fixtures.map((f) => f.bytes));
});

test('messages above 4096 octets need the extended message limit (RFC 8654)', (t) => {
  const big = frame(2, new Uint8Array(5000 - 19));
  const framer = new Framer();
  framer.push(big);
  const err = t.throws(() => framer.next(), { instanceOf: BgpError }) as BgpError;
  t.is(err.code, 1);
  t.is(err.subcode, 2);
  t.deepEqual(err.data, Uint8Array.of(5000 >> 8, 5000 & 0xff));
  const extended = new Framer();
  extended.maxLength = MAX_EXTENDED_MESSAGE_LENGTH;
  extended.push(big.subarray(0, 3000));
  t.is(extended.next(), undefined);
  extended.push(big.subarray(3000));
  t.is(extended.next()?.length, 5000);
});

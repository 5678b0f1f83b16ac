import test from 'ava';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { hmacInto, hmacKey, hmacMatches } from './hmac-sha256.js';

test('RFC 4231 test case 2 ("Jefe")', (t) => {
  const data = new Uint8Array(Buffer.concat([Buffer.from('what do ya want for nothing?'), Buffer.alloc(32)]));
  hmacInto(hmacKey(Buffer.from('Jefe')), data, 28, data, 28);
  t.is(Buffer.from(data.subarray(28)).toString('hex'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
});

test('equals node:crypto for random keys and messages of every length up to 300 octets', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.uint8Array({ minLength: 0, maxLength: 300 }), (key, msg) => {
      const out = new Uint8Array(msg.length + 32);
      out.set(msg);
      const k = hmacKey(key);
      hmacInto(k, out, msg.length, out, msg.length);
      const expect = createHmac('sha256', key).update(msg).digest('hex');
      if (Buffer.from(out.subarray(msg.length)).toString('hex') !== expect) return false;
      if (!hmacMatches(k, out, msg.length)) return false;
      out[out.length - 1] ^= 1;
      return !hmacMatches(k, out, msg.length);
    }),
    { numRuns: 500 },
  );
  // Every boundary around the 55/56/64-octet padding edges.
  for (let len = 0; len <= 130; len++) {
    const msg = new Uint8Array(len + 32).map((_, i) => (i * 7) & 255);
    hmacInto(hmacKey(Buffer.alloc(20, 0x0b)), msg, len, msg, len);
    t.is(Buffer.from(msg.subarray(len)).toString('hex'), createHmac('sha256', Buffer.alloc(20, 0x0b)).update(msg.subarray(0, len)).digest('hex'), `length ${len}`);
  }
});

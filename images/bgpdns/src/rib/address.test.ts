import test from 'ava';
import fc from 'fast-check';
import { isIPv6 } from 'node:net';
import { formatIPv6, parseIPv6Into } from './address.js';

test('IPv6 parsing round-trips every address through its compressed and full texts', (t) => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }), (g) => {
      const words = Uint32Array.from([0, 1, 2, 3], (w) => ((g[2 * w] << 16) | g[2 * w + 1]) >>> 0);
      const out = new Uint32Array(4);
      for (const text of [formatIPv6(words), g.map((x) => x.toString(16)).join(':')]) {
        if (!parseIPv6Into(text, out) || out.some((w, i) => w !== words[i])) return false;
      }
      return true;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('IPv6 parsing accepts exactly what node:net accepts (without zone ids)', (t) => {
  const out = new Uint32Array(4);
  fc.assert(
    fc.property(fc.stringMatching(/^[0-9a-fA-F:.]{0,45}$/), (text) => parseIPv6Into(text, out) === isIPv6(text)),
    { numRuns: 20000 },
  );
  for (const text of ['::', '::1', '1::', '2001:db8::198.18.0.1', '::ffff:198.18.0.1', '1:2:3:4:5:6:7::', '1:2:3:4:5:6:198.18.0.1']) {
    t.true(parseIPv6Into(text, out), text);
  }
  for (const text of ['1:2:3:4:5:6:7:198.18.0.1', '1:2:3:4:5:6:7:8:9', ':::', '1::2::3', '2001:db8::198.18.0']) t.false(parseIPv6Into(text, out), text);
});

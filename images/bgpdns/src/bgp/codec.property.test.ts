/** Property tests: random valid UPDATEs round-trip; random and mutated bytes never crash the decoders. */
import test from 'ava';
import fc from 'fast-check';
import { Afi, AsPathSegmentType, type PathAttributes, type Prefix } from './types.js';
import { decodeUpdate, encodeUpdate, type UpdateSpec } from './update.js';
import { decodeMessage } from './message.js';
import { Framer } from './framer.js';
import { BgpError } from './errors.js';
import { copyPrefix } from './nlri.js';
import { normalizeDecoded, normalizeSpec } from '../../testing/bgp/test-support.js';
import { allMessages } from '../../testing/bgp/fixtures.js';

const asn = fc.oneof(fc.integer({ min: 64496, max: 65534 }), fc.integer({ min: 4200000000, max: 4294967294 }));
const prefix = (afi: Afi): fc.Arbitrary<Prefix> => {
  const bits = afi === Afi.IPv4 ? 32 : 128;
  return fc.tuple(fc.integer({ min: 0, max: bits }), fc.uint8Array({ minLength: bits / 8, maxLength: bits / 8 }))
    .map(([len, bytes]) => copyPrefix(afi, bytes, 0, len));
};
const attrs = (afi: Afi): fc.Arbitrary<PathAttributes> => fc.record({
  origin: fc.constantFrom(0, 1, 2),
  asPath: fc.array(fc.record({
    type: fc.constantFrom(AsPathSegmentType.AsSequence, AsPathSegmentType.AsSet),
    asns: fc.array(asn, { minLength: 1, maxLength: 8 }),
  }), { maxLength: 3 }),
  nextHop: afi === Afi.IPv4 ? fc.constant('198.18.1.1') : fc.constant('2001:db8::1'),
  med: fc.option(fc.nat({ max: 0xffffffff }), { nil: undefined }),
  communities: fc.option(fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 5 }), { nil: undefined }),
  largeCommunities: fc.option(fc.array(fc.record({ global: asn, local1: fc.nat({ max: 0xffffffff }), local2: fc.nat({ max: 0xffffffff }) }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
}, { requiredKeys: ['origin', 'asPath', 'nextHop'] }).map((a) => {
  // Optional keys that came out undefined are left out, as a decoder would.
  const out = { ...a } as Record<string, unknown>;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as unknown as PathAttributes;
});

const ipv4Spec: fc.Arbitrary<UpdateSpec> = fc.record({
  withdrawn: fc.array(prefix(Afi.IPv4), { maxLength: 20 }),
  attrs: attrs(Afi.IPv4),
  nlri: fc.array(prefix(Afi.IPv4), { minLength: 1, maxLength: 50 }),
});
const ipv6Spec: fc.Arbitrary<UpdateSpec> = fc.record({
  attrs: attrs(Afi.IPv6),
  mpReach: fc.array(prefix(Afi.IPv6), { minLength: 1, maxLength: 50 }).map((prefixes) => ({ afi: Afi.IPv6, prefixes })),
});

for (const fourOctetAs of [true, false]) {
  test(`random UPDATEs round-trip (${fourOctetAs ? '4' : '2'}-octet AS session)`, (t) => {
    fc.assert(fc.property(fc.oneof(ipv4Spec, ipv6Spec), (spec) => {
      const d = decodeUpdate(encodeUpdate(spec, { fourOctetAs }), { fourOctetAs });
      t.deepEqual(d.issues, []);
      t.deepEqual(normalizeDecoded(d), normalizeSpec(spec));
    }), { numRuns: 300 });
  });
}

/** Decodes everything in a byte stream; only BgpError may come out. */
function decodeAll(bytes: Uint8Array): void {
  const framer = new Framer();
  framer.push(bytes);
  try {
    for (let m = framer.next(); m; m = framer.next()) {
      const msg = decodeMessage(m, { fourOctetAs: true, ebgp: true, enforceFirstAs: 64500 });
      if (msg.type === 2) {
        msg.update.announced();
        msg.update.withdrawn();
        msg.update.endOfRib();
      }
    }
  } catch (err) {
    if (!(err instanceof BgpError)) throw err;
  }
}

test('random bytes after a valid header never crash the decoders (only BgpError)', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ minLength: 0, maxLength: 300 }), (type, body) => {
    const msg = new Uint8Array(19 + body.length).fill(0xff, 0, 16);
    msg[16] = msg.length >> 8;
    msg[17] = msg.length & 0xff;
    msg[18] = type;
    msg.set(body, 19);
    decodeAll(msg);
  }), { numRuns: 3000 });
  t.pass();
});

test('fixtures with random bytes flipped never crash the decoders (only BgpError)', (t) => {
  const fixtures = allMessages().map((m) => m.bytes);
  fc.assert(fc.property(fc.constantFrom(...fixtures), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 6 }), (fixture, flips) => {
    const bytes = fixture.slice();
    for (const [at, v] of flips) {
      const i = 16 + (at % (bytes.length - 16));
      bytes[i] = v;
    }
    decodeAll(bytes);
  }), { numRuns: 3000 });
  t.pass();
});

/** The binary intern key of an attribute set: canonical, and it decodes back to the set. */
import test from 'ava';
import fc from 'fast-check';
import { AsPathSegmentType, type PathAttributes } from '../bgp/types.js';
import { readAttributeKey, writeAttributeKey } from './attr-key.js';
import { ByteWriter } from '../bgp/writer.js';

const asn = fc.oneof(fc.integer({ min: 64496, max: 65534 }), fc.integer({ min: 4200000000, max: 4294967294 }));
const u32 = fc.nat({ max: 0xffffffff });
const ipv4 = fc.tuple(fc.constantFrom(18, 19), fc.nat(255), fc.nat(255)).map(([b, c, d]) => `198.${b}.${c}.${d}`);

/** Every field the decoder can produce, each one optional (left out when absent, as the decoder does). */
const attrs: fc.Arbitrary<PathAttributes> = fc.record({
  origin: fc.option(fc.constantFrom(0, 1, 2), { nil: undefined }),
  asPath: fc.array(fc.record({
    type: fc.constantFrom(AsPathSegmentType.AsSequence, AsPathSegmentType.AsSet, AsPathSegmentType.ConfedSequence, AsPathSegmentType.ConfedSet),
    asns: fc.array(asn, { minLength: 1, maxLength: 12 }),
  }), { maxLength: 4 }),
  nextHop: fc.option(fc.oneof(ipv4, fc.constant('2001:db8:ffff:ffff:ffff:ffff:ffff:fffe')), { nil: undefined }),
  nextHopLinkLocal: fc.option(fc.constant('fe80::1'), { nil: undefined }),
  med: fc.option(u32, { nil: undefined }),
  localPref: fc.option(u32, { nil: undefined }),
  atomicAggregate: fc.option(fc.constant(true), { nil: undefined }),
  aggregator: fc.option(fc.record({ asn, address: ipv4 }), { nil: undefined }),
  communities: fc.option(fc.array(u32, { minLength: 1, maxLength: 6 }), { nil: undefined }),
  extendedCommunities: fc.option(fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  largeCommunities: fc.option(fc.array(fc.record({ global: asn, local1: u32, local2: u32 }), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  originatorId: fc.option(ipv4, { nil: undefined }),
  clusterList: fc.option(fc.array(ipv4, { minLength: 1, maxLength: 3 }), { nil: undefined }),
  unknown: fc.option(fc.array(fc.record({ flags: fc.constantFrom(0xc0, 0xe0), type: fc.integer({ min: 100, max: 254 }), value: fc.uint8Array({ maxLength: 40 }) }), { minLength: 1, maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: ['asPath'] }).map((a) => {
  const out = { ...a } as Record<string, unknown>;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as unknown as PathAttributes;
});

function keyOf(a: PathAttributes): Uint8Array {
  const w = new ByteWriter();
  writeAttributeKey(a, w);
  return w.finish();
}

const same = (x: Uint8Array, y: Uint8Array): boolean => x.length === y.length && x.every((v, i) => v === y[i]);

test('a key decodes back to its attribute set', (t) => {
  fc.assert(fc.property(attrs, (a) => {
    const key = keyOf(a);
    t.deepEqual(readAttributeKey(key, 0, key.length), a);
  }), { numRuns: 500 });
});

test('two sets have the same key exactly when they are equal', (t) => {
  fc.assert(fc.property(attrs, attrs, (a, b) => {
    const equal = JSON.stringify(readAttributeKey(keyOf(a), 0, keyOf(a).length)) === JSON.stringify(b);
    t.is(same(keyOf(a), keyOf(b)), equal);
  }), { numRuns: 500 });
  // A difference in any one field is a different key (the fields next to one another included).
  const base: PathAttributes = { origin: 0, asPath: [{ type: AsPathSegmentType.AsSequence, asns: [64500, 64501] }], nextHop: '198.18.0.1' };
  const variants: PathAttributes[] = [
    { ...base, origin: 1 },
    { ...base, asPath: [{ type: AsPathSegmentType.AsSequence, asns: [64500] }, { type: AsPathSegmentType.AsSequence, asns: [64501] }] },
    { ...base, asPath: [{ type: AsPathSegmentType.AsSet, asns: [64500, 64501] }] },
    { ...base, nextHop: '198.18.0.10' },
    { ...base, med: 0 },
    { ...base, localPref: 0 },
    { ...base, med: 100, localPref: 0 },
    { ...base, med: 0, localPref: 100 },
    { ...base, communities: [1] },
    { ...base, originatorId: '198.18.0.1' },
  ];
  const keys = [base, ...variants].map(keyOf);
  for (let i = 0; i < keys.length; i++) for (let j = i + 1; j < keys.length; j++) t.false(same(keys[i], keys[j]), `sets ${i} and ${j}`);
});

test('a truncated or over-long key is an error that says where', (t) => {
  const key = keyOf({ origin: 2, asPath: [{ type: AsPathSegmentType.AsSequence, asns: [64500, 64501, 64502] }], nextHop: '198.18.0.1', med: 5 });
  t.throws(() => readAttributeKey(key, 0, key.length - 1), { message: /truncated at octet \d+ of \d+/ });
  const longer = new Uint8Array(key.length + 2);
  longer.set(key);
  t.throws(() => readAttributeKey(longer, 0, longer.length), { message: /2 octets left over/ });
});

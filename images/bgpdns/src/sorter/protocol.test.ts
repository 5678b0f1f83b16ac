import test from 'ava';
import fc from 'fast-check';
import { decodeAnswer, decodeHeader, decodeQuery, decodeQueryBody, encodeAnswer, encodeAnswerTo, encodeQuery } from './protocol.js';
import { ReplayGuard, macValid, parseKeySpec, sign, verifyMessage } from './protocol-auth.js';
import { MessageType, ProtocolError, type AnswerMessage, type DropReason, type QueryMessage } from './protocol-types.js';

const key = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
const keys = new Map([[7, key]]);
const NOW = 1_795_000_000_000;

function query(over: Partial<QueryMessage> = {}): QueryMessage {
  return {
    type: MessageType.Query,
    requestId: 0xdeadbeef,
    keyId: 7,
    timestamp: NOW,
    nonce: 0x0123456789abcdefn,
    client: '198.18.64.7',
    candidates: ['198.18.1.10', '2001:db8:2::10', '198.18.3.10'],
    ...over,
  };
}

function answer(over: Partial<AnswerMessage> = {}): AnswerMessage {
  return {
    type: MessageType.Answer,
    requestId: 42,
    keyId: 7,
    timestamp: NOW,
    nonce: 99n,
    status: 'ranked',
    matchedPrefix: '198.18.64.0/20',
    scopeLength: 22,
    neighborAs: 4200000001,
    generation: 2 ** 40 + 5,
    preferences: [1000, 0, 999],
    ...over,
  };
}

const queryRoundTrip = test.macro((t, message: QueryMessage) => {
  const wire = sign(encodeQuery(message), key);
  t.deepEqual(decodeQuery(wire), message);
  t.true(macValid(wire, key));
});
const answerRoundTrip = test.macro((t, message: AnswerMessage) => {
  const wire = sign(encodeAnswer(message), key);
  t.deepEqual(decodeAnswer(wire), message);
  t.true(macValid(wire, key));
});

test('query round trip (IPv4 client, mixed candidates)', queryRoundTrip, query());
test('query round trip (IPv6 subnet client, no candidates)', queryRoundTrip, query({ client: '2001:db8:40::', clientPrefixLen: 48, candidates: [] }));
test('query round trip (32 candidates)', queryRoundTrip, query({ candidates: Array.from({ length: 32 }, (_, i) => `198.18.9.${i}`) }));
test('answer round trip (ranked)', answerRoundTrip, answer());
test(
  'answer round trip (no route: no prefix, no AS)',
  answerRoundTrip,
  (({ matchedPrefix: _p, scopeLength: _s, neighborAs: _a, ...rest }) => ({ ...rest, status: 'no-route' as const, preferences: [0, 0, 0] }))(answer()),
);
test('answer round trip (IPv6 prefix)', answerRoundTrip, answer({ matchedPrefix: '2001:db8:40::/45', scopeLength: 128 }));
test('query round trip (4096 candidates: any RRset a DNS message can carry)', queryRoundTrip, query({ candidates: Array.from({ length: 4096 }, (_, i) => `198.18.${i >> 8}.${i & 255}`) }));
test('answer round trip (4096 preferences)', answerRoundTrip, answer({ preferences: Array.from({ length: 4096 }, (_, i) => i % 1001) }));
test('query round trip (upstream section asked, §4.5)', queryRoundTrip, query({ clientPrefixLen: 24, client: '198.18.64.0', upstreams: true }));
test(
  'answer round trip (with the upstream section)',
  answerRoundTrip,
  answer({ owners: [64501, 0, 4200000001], upstreamRanking: [{ asn: 4200000001, preference: 1000 }, { asn: 64501, preference: 999 }, { asn: 64502, preference: 1 }] }),
);
test('answer round trip (upstream section, unmapped: every owner 0)', answerRoundTrip, answer({ status: 'unmapped', preferences: [0, 0], owners: [0, 0], upstreamRanking: [{ asn: 64501, preference: 1000 }] }));
test('version 1 query round trip', queryRoundTrip, query({ version: 1 }));
test('version 1 answer round trip (no scope on the wire)', answerRoundTrip, (({ scopeLength: _s, ...rest }) => ({ ...rest, version: 1 as const }))(answer()));

test('random queries and answers round-trip', (t) => {
  const v4 = fc.ipV4();
  const v6 = fc.tuple(fc.integer({ min: 1, max: 0xffff }), fc.integer({ min: 1, max: 0xffff })).map(([a, b]) => `2001:db8:${a.toString(16)}::${b.toString(16)}`);
  fc.assert(
    fc.property(fc.oneof(v4, v6), fc.array(fc.oneof(v4, v6), { maxLength: 32 }), fc.nat(0xffffffff), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (client, candidates, requestId, nonce) => {
      const q = query({ client, candidates, requestId, nonce });
      const back = decodeQuery(sign(encodeQuery(q), key));
      return JSON.stringify(back, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) === JSON.stringify(q, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    }),
    { numRuns: 200 },
  );
  t.pass();
});

const malformed = test.macro((t, mutate: (b: Buffer) => Buffer, reason: DropReason, message: RegExp) => {
  const wire = mutate(sign(encodeQuery(query()), key));
  const err = t.throws(() => decodeQuery(wire), { instanceOf: ProtocolError, message });
  t.is(err?.reason, reason);
});

test('too short', malformed, (b) => b.subarray(0, 40), 'malformed', /shorter than header \+ MAC/);
test('bad magic', malformed, (b) => (b.writeUInt8(0x58, 0), b), 'malformed', /bad magic/);
test('unknown version', malformed, (b) => (b.writeUInt8(3, 2), b), 'version', /version 3 is not supported/);
test('unknown type', malformed, (b) => (b.writeUInt8(9, 3), b), 'malformed', /type 9 is unknown/);
test('bad family', malformed, (b) => (b.writeUInt8(5, 29), b), 'malformed', /family 5/);
test('too many candidates', malformed, (b) => (b.writeUInt16BE(4097, 32), b), 'malformed', /4097 candidates/);
test('reserved octet set', malformed, (b) => (b.writeUInt8(1, 31), b), 'malformed', /reserved octet 31/);

test('version 1 keeps its limit of 32 candidates', (t) => {
  const wire = sign(encodeQuery(query({ version: 1 })), key);
  wire.writeUInt8(33, 31);
  t.throws(() => decodeQuery(wire), { instanceOf: ProtocolError, message: /33 candidates; at most 32/ });
  t.throws(() => encodeQuery(query({ version: 1, candidates: Array(33).fill('198.18.0.1') })), { message: /33 candidates; at most 32 fit in one version 1 query/ });
});

test('the upstream section: a version 1 query cannot ask for it, a cut or padded one is malformed', (t) => {
  t.throws(() => encodeQuery(query({ version: 1, upstreams: true })), { message: /version 2 only/ });
  const v1 = sign(encodeQuery(query({ version: 1 })), key);
  v1.writeUInt8(2, 28);
  t.throws(() => decodeQuery(v1), { instanceOf: ProtocolError, message: /unknown query flags 0x2/ });
  const full = sign(encodeAnswer(answer({ owners: [1, 2, 3], upstreamRanking: [{ asn: 1, preference: 1000 }] })), key);
  const body = full.subarray(0, full.length - 32);
  const mac = full.subarray(full.length - 32);
  const cut = Buffer.concat([body.subarray(0, body.length - 2), mac]);
  t.throws(() => decodeAnswer(cut), { instanceOf: ProtocolError, message: /upstream ranking length does not match its count/ });
  const padded = Buffer.concat([body, Buffer.from([0]), mac]);
  t.throws(() => decodeAnswer(padded), { instanceOf: ProtocolError, message: /upstream ranking length does not match its count/ });
  t.throws(() => encodeAnswer(answer({ owners: [1], upstreamRanking: [] })), { message: /1 owners for 3 preferences/ });
});

test('an answer scope shorter than its matched prefix is malformed', (t) => {
  const wire = sign(encodeAnswer(answer()), key);
  wire.writeUInt8(19, 31);
  t.throws(() => decodeAnswer(wire), { instanceOf: ProtocolError, message: /scope length 19 is outside 20..32/ });
});
test('truncated candidate list', malformed, (b) => Buffer.concat([b.subarray(0, b.length - 40), b.subarray(b.length - 32)]), 'malformed', /past the end|missing|after the last/);
test('trailing octets', malformed, (b) => Buffer.concat([b.subarray(0, b.length - 32), Buffer.from([0, 0]), b.subarray(b.length - 32)]), 'malformed', /2 octets after the last candidate/);
test('prefix length without subnet flag', malformed, (b) => (b.writeUInt8(24, 30), b), 'malformed', /without the subnet flag/);
test('unknown flags', malformed, (b) => (b.writeUInt8(0x80, 28), b), 'malformed', /unknown query flags/);

test('encoder refuses bad input with a sentence', (t) => {
  t.throws(() => encodeQuery(query({ client: 'example.org' })), { message: /client "example.org" is not an IPv4 or IPv6 address/ });
  t.throws(() => encodeQuery(query({ candidates: Array(4097).fill('198.18.0.1') })), { message: /4097 candidates; at most 4096/ });
  t.throws(() => encodeQuery(query({ clientPrefixLen: 33 })), { message: /prefix length 33 is outside 0..32/ });
});

const verify = (wire: Buffer, now = NOW, replay?: ReplayGuard) => verifyMessage(wire, { keys, now, windowMs: 5000, replay });
const rejects = (t: import('ava').ExecutionContext, fn: () => unknown, reason: DropReason) => {
  const err = t.throws(fn, { instanceOf: ProtocolError });
  t.is(err?.reason, reason);
};

test('authentic fresh query verifies', (t) => {
  t.is(verify(sign(encodeQuery(query()), key)).requestId, 0xdeadbeef);
});

test('a flipped bit anywhere fails the MAC', (t) => {
  const wire = sign(encodeQuery(query()), key);
  for (let i = 4; i < wire.length; i++) {
    const copy = Buffer.from(wire);
    copy[i] ^= 0x01;
    const err = t.throws(() => verify(copy), { instanceOf: ProtocolError });
    // Flipping the key id field changes which key is looked up.
    t.true(err?.reason === 'bad-mac' || err?.reason === 'unknown-key', `octet ${i}: ${err?.reason}`);
  }
});

test('unknown key id is rejected', (t) => rejects(t, () => verify(sign(encodeQuery(query({ keyId: 8 })), key)), 'unknown-key'));
test('wrong key is rejected', (t) => rejects(t, () => verify(sign(encodeQuery(query()), Buffer.alloc(32, 1))), 'bad-mac'));
test('unsigned query is rejected', (t) => rejects(t, () => verify(encodeQuery(query())), 'bad-mac'));
test('stale query (older than the window) is rejected', (t) => rejects(t, () => verify(sign(encodeQuery(query({ timestamp: NOW - 5001 })), key)), 'stale'));
test('query from the future beyond the window is rejected', (t) => rejects(t, () => verify(sign(encodeQuery(query({ timestamp: NOW + 6000 })), key)), 'stale'));

test('replayed query inside the window is rejected, a new nonce is not', (t) => {
  const guard = new ReplayGuard(5000);
  const wire = sign(encodeQuery(query()), key);
  verify(wire, NOW, guard);
  rejects(t, () => verify(wire, NOW + 10, guard), 'replayed');
  t.notThrows(() => verify(sign(encodeQuery(query({ nonce: 5n })), key), NOW + 20, guard));
  // Replayed until the last instant its timestamp is accepted; after that the timestamp check catches it.
  rejects(t, () => verify(wire, NOW + 5000, guard), 'replayed');
  rejects(t, () => verify(wire, NOW + 5001, guard), 'stale');
});

test('a client clock ahead or behind: a captured query replayed at any moment of its validity is refused', (t) => {
  // Arrival times chosen around the memory's bucket edges (window 5000 ms): a guard that
  // filed nonces by arrival time and forgot them after one or two windows let these through.
  for (const clientAhead of [-4999, -2500, 0, 2500, 4999]) {
    for (const arrival of [NOW - 1, NOW + 1, NOW + 4999, NOW + 2501]) {
      const guard = new ReplayGuard(5000);
      const wire = sign(encodeQuery(query({ timestamp: arrival + clientAhead, nonce: BigInt(arrival) })), key);
      // Unrelated traffic before and after (other nonces, the server's own clock moving on).
      for (let i = 0; i < 20; i++) verify(sign(encodeQuery(query({ timestamp: arrival - 4000 + 500 * i, nonce: 1000n + BigInt(i) })), key), arrival - 4000 + 500 * i, guard);
      t.notThrows(() => verify(wire, arrival, guard));
      const lastValid = arrival + clientAhead + 5000;
      for (let at = arrival + 1; at <= lastValid; at += 997) {
        verify(sign(encodeQuery(query({ timestamp: at, nonce: 5000n + BigInt(at) })), key), at, guard);
        rejects(t, () => verify(wire, at, guard), 'replayed');
      }
      rejects(t, () => verify(wire, lastValid, guard), 'replayed');
      rejects(t, () => verify(wire, lastValid + 1, guard), 'stale');
    }
  }
});

test('header decodes the 64-bit timestamp and nonce', (t) => {
  const h = decodeHeader(sign(encodeQuery(query({ nonce: 2n ** 64n - 1n })), key));
  t.is(h.timestamp, NOW);
  t.is(h.nonce, 2n ** 64n - 1n);
});

test('key specs', (t) => {
  const [id, k] = parseKeySpec('3:' + 'ab'.repeat(16));
  t.is(id, 3);
  t.is(k.length, 16);
  t.is(parseKeySpec('cd'.repeat(20))[0], 1);
  t.throws(() => parseKeySpec('3:abc'), { message: /at least 16 octets/ });
});

test('the MAC is HMAC-SHA256 (RFC 4231 test case 2) for short and long keys', async (t) => {
  const { createHmac } = await import('node:crypto');
  const msg = Buffer.concat([Buffer.from('what do ya want for nothing?'), Buffer.alloc(32)]);
  const jefe = Buffer.from('Jefe');
  sign(msg, jefe);
  t.is(msg.subarray(msg.length - 32).toString('hex').slice(0, 16), createHmac('sha256', jefe).update('what do ya want for nothing?').digest('hex').slice(0, 16));
  t.is(msg.subarray(msg.length - 32).toString('hex'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  const longKey = Buffer.alloc(131, 0xaa);
  const wire = sign(encodeQuery(query()), longKey);
  t.true(macValid(wire, longKey));
  t.is(wire.subarray(wire.length - 32).toString('hex'), createHmac('sha256', longKey).update(wire.subarray(0, wire.length - 32)).digest('hex'));
});

test("the server's answer encoder writes the same octets as encodeAnswer, echoing the query's ids and nonce", (t) => {
  const q = query({ requestId: 0x80000001, nonce: 2n ** 64n - 2n });
  const wire = sign(encodeQuery(q), key);
  for (const a of [
    { status: 'ranked' as const, preferences: [1000, 999, 0], matchedPrefix: '198.18.64.0/20', neighborAs: 4200000001, generation: 2 ** 40 + 5 },
    { status: 'ranked' as const, preferences: [70000, -3], matchedPrefix: '2001:db8:c903::/48', neighborAs: 64501, generation: 7 },
    { status: 'no-route' as const, preferences: [0, 0, 0], generation: 0 },
  ]) {
    const expected = encodeAnswer({ requestId: q.requestId, keyId: q.keyId, timestamp: NOW + 3, nonce: q.nonce, ...a });
    t.deepEqual(sign(encodeAnswerTo(wire, NOW + 3, a), key), sign(expected, key));
  }
  t.deepEqual(decodeQueryBody(wire), { client: q.client, candidates: q.candidates });
});

test('replay memory: many nonces across key ids, each seen once; every replay is caught; old buckets are recycled', (t) => {
  const guard = new ReplayGuard(5000);
  const nonces = Array.from({ length: 5000 }, (_, i) => [1 + (i % 3), (i * 2654435761) >>> 0, (i * 40503) >>> 0] as const);
  for (const [keyId, hi, lo] of nonces) t.true(guard.firstSightingWords(keyId, hi, lo, NOW + 1));
  let replays = 0;
  for (const [keyId, hi, lo] of nonces) if (!guard.firstSightingWords(keyId, hi, lo, NOW + 1)) replays++;
  t.is(replays, nonces.length);
  t.false(guard.firstSighting(2, (BigInt(nonces[1][1]) << 32n) | BigInt(nonces[1][2]), NOW + 1));
  // The same nonce under another timestamp is a different message (its MAC differs): accepted.
  t.true(guard.firstSightingWords(nonces[1][0], nonces[1][1], nonces[1][2], NOW + 10_000));
  // Four windows on, the first bucket's set is reused: memory stays bounded.
  t.is(guard.size, nonces.length + 1);
  t.true(guard.firstSightingWords(9, 9, 9, NOW + 1 + 4 * 5000));
  t.is(guard.size, 2);
});

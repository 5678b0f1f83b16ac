/** The changes messages (docs/bgpdns-protocol.md §4.4): round trips, bad and short messages, over loopback. */
import test from 'ava';
import { Rib } from '../rib/rib.js';
import { BEST_CHANGE_LIMIT } from '../rib/best-change-log.js';
import { path, prefix } from '../../testing/rib/test-helpers.js';
import { decodeChangesAnswer, decodeChangesQuery, encodeChangesAnswer, encodeChangesAnswerTo, encodeChangesQuery } from './protocol-changes.js';
import { sign, verifyMessage } from './protocol-auth.js';
import { MessageType, ProtocolError, type ChangesAnswerMessage } from './protocol-types.js';
import { SorterClient } from './client.js';
import { QueryServer } from './server.js';
import { Sorter } from './sorter.js';
import type { ChangedPrefix } from './api.js';

const key = Buffer.alloc(32, 0x6c);
const NOW = 1_795_000_000_000;
const header = { requestId: 77, keyId: 7, timestamp: NOW, nonce: 0xfeedn };

function words(...w: number[]): Uint32Array {
  return Uint32Array.from([...w, 0, 0, 0, 0].slice(0, 4));
}

const v4: ChangedPrefix = { family: 4, len: 20, words: words(0xc6124000) };
const v6: ChangedPrefix = { family: 6, len: 45, words: words(0x20010db8, 0x00400000) };

test('changes query round trip, 64-bit generation', (t) => {
  const wire = sign(encodeChangesQuery({ ...header, since: 2 ** 40 + 3 }), key);
  t.is(wire.length, 28 + 8 + 32);
  const q = decodeChangesQuery(wire);
  t.is(q.type, MessageType.ChangesQuery);
  t.is(q.since, 2 ** 40 + 3);
  t.is(q.requestId, 77);
  t.is(q.nonce, 0xfeedn);
});

test('changes answer round trip: IPv4 and IPv6 prefixes, host bits cleared on the wire', (t) => {
  const dirty: ChangedPrefix = { family: 4, len: 20, words: words(0xc61240ff) };
  const a = decodeChangesAnswer(sign(encodeChangesAnswer({ ...header, since: 5, generation: 8, changed: [dirty, v6, { family: 4, len: 0, words: words() }] }), key));
  t.is(a.since, 5);
  t.is(a.generation, 8);
  t.deepEqual(a.changed, [v4, v6, { family: 4, len: 0, words: words() }]);
});

test('changes answer "all" carries no prefixes; a list over the limit goes out as "all"', (t) => {
  t.is(decodeChangesAnswer(sign(encodeChangesAnswer({ ...header, since: 1, generation: 9, changed: 'all' }), key)).changed, 'all');
  const many = Array.from({ length: 3000 }, () => v4);
  const wire = encodeChangesAnswer({ ...header, since: 1, generation: 3001, changed: many });
  t.is(wire.length, 28 + 20 + 32);
  t.is(decodeChangesAnswer(wire).changed, 'all');
});

test('a page of changes says "more" and reaches its own generation', (t) => {
  const page = decodeChangesAnswer(sign(encodeChangesAnswer({ ...header, since: 5, generation: 7, changed: [v4, v6], more: true }), key));
  t.true(page.more);
  t.is(page.generation, 7);
  t.deepEqual(page.changed, [v4, v6]);
  t.is(decodeChangesAnswer(answerWire()).more, undefined, 'a whole list has no "more"');
});

function answerWire(): Buffer {
  return sign(encodeChangesAnswer({ ...header, since: 5, generation: 7, changed: [v4, v6] }), key);
}

const bad = test.macro((t, mutate: (b: Buffer) => Buffer, pattern: RegExp) => {
  const e = t.throws(() => decodeChangesAnswer(mutate(answerWire())), { instanceOf: ProtocolError });
  t.is(e!.reason, 'malformed');
  t.regex(e!.message, pattern);
});

test('answer shorter than its fixed part', bad, (b) => Buffer.concat([b.subarray(0, 40), b.subarray(b.length - 32)]), /shorter than its fixed part/);
test('answer with unknown flags', bad, (b) => ((b[28] = 0x82), b), /unknown changes flags 0x82/);
test('answer with the reserved octet set', bad, (b) => ((b[29] = 1), b), /reserved octet 29 is 1/);
test('answer with "all" and prefixes', bad, (b) => ((b[28] = 1), b), /2 changed prefixes with the "all" flag/);
test('answer with "all" and "more"', bad, (b) => ((b[28] = 3), b), /"all" and "more" together/);
test('a page that does not reach since + count', bad, (b) => ((b[28] = 2), b.writeUInt32BE(9, 44), b), /a page of 2 changes from generation 5 reaches 7, not 9/);
test('answer with a bad family', bad, (b) => ((b[48] = 5), b), /changed prefix 0: family 5/);
test('answer with an IPv4 length over 32', bad, (b) => ((b[49] = 33), b), /changed prefix 0: length 33 exceeds 32/);
test('answer count over the limit', bad, (b) => (b.writeUInt16BE(4000, 30), b), /4000 changed prefixes; at most 2048/);
test('answer count beyond the entries', bad, (b) => (b.writeUInt16BE(3, 30), b), /changed prefix 2 is missing/);
test('answer entry cut short', bad, (b) => Buffer.concat([b.subarray(0, b.length - 34), b.subarray(b.length - 32)]), /changed prefix 1 runs past the end/);
test('answer with trailing octets', bad, (b) => Buffer.concat([b.subarray(0, b.length - 32), Buffer.from([0]), b.subarray(b.length - 32)]), /1 octets after the last changed prefix/);

test('changes query of the wrong length, or in version 1, is malformed', (t) => {
  const q = sign(encodeChangesQuery({ ...header, since: 1 }), key);
  const long = Buffer.concat([q.subarray(0, 36), Buffer.from([0]), q.subarray(36)]);
  t.throws(() => decodeChangesQuery(long), { instanceOf: ProtocolError, message: /changes query of 69 octets; it is exactly 68/ });
  const v1 = Buffer.from(q);
  v1[2] = 1;
  t.throws(() => decodeChangesQuery(v1), { instanceOf: ProtocolError, message: /type 3 \(changes\) exists in version 2 only/ });
});

test('encoder refuses a negative generation with a sentence', (t) => {
  t.throws(() => encodeChangesQuery({ ...header, since: -1 }), { instanceOf: ProtocolError, message: /generation -1 is not a non-negative integer/ });
});

test('the changes answer is authenticated like the others and echoes the query', (t) => {
  const q = sign(encodeChangesQuery({ ...header, since: 5 }), key);
  const a = sign(encodeChangesAnswerTo(q, NOW + 1, { generation: 7, changed: [v4] }), key);
  const h = verifyMessage(a, { keys: new Map([[7, key]]), now: NOW });
  t.is(h.type, MessageType.ChangesAnswer);
  const decoded: ChangesAnswerMessage = decodeChangesAnswer(a);
  t.like(decoded, { requestId: 77, nonce: 0xfeedn, since: 5, generation: 7 });
  a[50] ^= 1;
  t.throws(() => verifyMessage(a, { keys: new Map([[7, key]]), now: NOW }), { instanceOf: ProtocolError, message: /HMAC/ });
});

test('over loopback: the sorter names the prefixes whose best path moved; "all" past its log, after a self-originated change or a peer gone at once', async (t) => {
  const rib = new Rib({ localAsn: 64500 });
  const p1 = rib.addPeer({ address: '198.18.1.1', asn: 64501 });
  const p2 = rib.addPeer({ address: '198.18.2.1', asn: 64502 });
  rib.peerUp(p1, '198.18.255.1');
  rib.peerUp(p2, '198.18.255.2');
  rib.update(p1, path([64501, 64510]), [prefix('198.18.64.0/20')]);
  const server = new QueryServer({ ranker: new Sorter(rib), keys: new Map([[3, key]]) });
  const addr = await server.listen(0, '127.0.0.1');
  const client = await SorterClient.open({ host: '127.0.0.1', port: addr.port, keyId: 3, key, timeoutMs: 1000 });
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  const g0 = rib.generation;
  t.deepEqual(await client.changesSince(g0), { generation: g0, changed: [] });
  rib.update(p2, path([64502, 64520]), [prefix('2001:db8:40::/45')]);
  // A worse path for the /20 moves no best path: nothing to name for it.
  rib.update(p2, path([64502, 64520, 64530, 64510]), [prefix('198.18.64.0/20')]);
  rib.withdraw(p1, [prefix('198.18.64.0/20')]);
  const c = await client.changesSince(g0);
  t.is(c.generation, rib.generation);
  t.deepEqual(c.changed, [
    { family: 6, len: 45, words: words(0x20010db8, 0x00400000) },
    { family: 4, len: 20, words: words(0xc6124000) },
  ]);
  t.is(server.stats.changesAnswered, 2);
  t.is(server.stats.answered, 0, 'changes answers are not rankings');
  // A generation the sorter never had (a cache from before its restart): everything.
  t.is((await client.changesSince(rib.generation + 10)).changed, 'all');
  for (let i = 0; i < BEST_CHANGE_LIMIT / 2 + 1; i++) {
    rib.update(p1, path([64501, 64540]), [prefix('198.18.200.0/24')]);
    rib.withdraw(p1, [prefix('198.18.200.0/24')]);
  }
  const g1 = rib.generation - BEST_CHANGE_LIMIT;
  // The last BEST_CHANGE_LIMIT steps are named, in pages of at most 2,048 that chain up to now.
  let named = 0;
  let pages = 0;
  for (let at = g1; ; ) {
    const page = await client.changesSince(at);
    t.not(page.changed, 'all');
    const n = (page.changed as ChangedPrefix[]).length;
    t.true(n <= 2048);
    t.is(page.generation, at + n);
    named += n;
    pages++;
    if (!page.more) break;
    at = page.generation;
  }
  t.is(named, BEST_CHANGE_LIMIT);
  t.is(pages, Math.ceil(BEST_CHANGE_LIMIT / 2048));
  t.is((await client.changesSince(g1 - 1)).changed, 'all');
  // A prefix an upstream originates itself moves candidates between upstreams: any client's answer may change.
  const g3 = rib.generation;
  rib.update(p1, path([64501]), [prefix('198.18.101.0/24')]);
  t.is((await client.changesSince(g3)).changed, 'all');
  const g2 = rib.generation;
  rib.peerDown(p2);
  t.not(rib.generation, g2);
  t.is((await client.changesSince(g2)).changed, 'all');
  t.deepEqual((await client.changesSince(rib.generation)).changed, []);
});

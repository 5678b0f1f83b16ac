/** The UDP client and the query service over loopback, against a small in-memory RIB. */
import test from 'ava';
import dgram from 'node:dgram';
import { Rib } from '../rib/rib.js';
import { path, prefix } from '../../testing/rib/test-helpers.js';
import { SorterClient, SorterTimeoutError } from './client.js';
import { decodeAnswer, decodeHeader, encodeQuery } from './protocol.js';
import { sign } from './protocol-auth.js';
import { QueryServer } from './server.js';
import { Sorter, TOP_PREFERENCE } from './sorter.js';
import { waitUntil } from '../support/wait-until.js';

const KEY = Buffer.alloc(32, 0x5a);
const KEY_ID = 3;

async function setup(opts: { queueLimit?: number; serverNow?: () => number } = {}) {
  const rib = new Rib({ localAsn: 64500 });
  const p1 = rib.addPeer({ address: '198.18.1.1', asn: 64501 });
  const p2 = rib.addPeer({ address: '198.18.2.1', asn: 64502 });
  rib.peerUp(p1, '198.18.255.1');
  rib.peerUp(p2, '198.18.255.2');
  rib.update(p1, path([64501]), [prefix('198.18.101.0/24')]);
  rib.update(p2, path([64502]), [prefix('198.18.102.0/24')]);
  rib.update(p1, path([64501, 64510]), [prefix('198.18.64.0/20')]);
  rib.update(p2, path([64502, 64520, 64510]), [prefix('198.18.64.0/20')]);
  const server = new QueryServer({ ranker: new Sorter(rib), keys: new Map([[KEY_ID, KEY]]), queueLimit: opts.queueLimit, now: opts.serverNow });
  const addr = await server.listen(0, '127.0.0.1');
  const client = await SorterClient.open({ host: '127.0.0.1', port: addr.port, keyId: KEY_ID, key: KEY, timeoutMs: 1000 });
  return { rib, server, client, port: addr.port };
}

test('client and server rank over loopback', async (t) => {
  const { server, client, rib } = await setup();
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  const a = await client.rank({ client: '198.18.64.7', candidates: ['198.18.102.10', '198.18.101.10', '198.18.200.1'] });
  t.deepEqual(a, {
    status: 'ranked',
    preferences: [TOP_PREFERENCE - 1, TOP_PREFERENCE, 0],
    matchedPrefix: '198.18.64.0/20',
    scopeLength: 20,
    neighborAs: 64501,
    generation: rib.generation,
  });
  t.is(server.stats.answered, 1);
  t.is(server.stats.byStatus.ranked, 1);
  // An RRset far beyond version 1's 32 addresses is ranked in one query.
  const many = Array.from({ length: 300 }, (_, i) => (i % 2 ? `198.18.101.${i >> 1}` : `198.18.102.${i >> 1}`));
  const b = await client.rank({ client: '198.18.64.7', candidates: many });
  t.is(b.status, 'ranked');
  t.deepEqual(b.preferences, many.map((_, i) => (i % 2 ? TOP_PREFERENCE : TOP_PREFERENCE - 1)));
});

test('many queries in flight on one socket are matched by request id', async (t) => {
  const { server, client } = await setup({ queueLimit: 1000 });
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  const clients = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? '198.18.64.7' : '198.19.0.1'));
  const answers = await Promise.all(clients.map((c) => client.rank({ client: c, candidates: ['198.18.101.10'] })));
  answers.forEach((a, i) => t.is(a.status, i % 2 === 0 ? 'ranked' : 'no-route'));
  t.is(client.inFlight, 0);
  t.is(client.stats.answered, 200);
});

test('a silent sorter times out with a clear error', async (t) => {
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  const client = await SorterClient.open({ host: '127.0.0.1', port: silent.address().port, keyId: KEY_ID, key: KEY });
  t.teardown(() => {
    client.close();
    silent.close();
  });
  const err = await t.throwsAsync(client.rank({ client: '198.18.64.7', candidates: [] }, { timeoutMs: 30 }), { instanceOf: SorterTimeoutError });
  t.regex(err!.message, /did not answer within 30 ms/);
  t.is(client.inFlight, 0);
  t.is(client.stats.timedOut, 1);
});

test('an abort signal cancels a query', async (t) => {
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
  const client = await SorterClient.open({ host: '127.0.0.1', port: silent.address().port, keyId: KEY_ID, key: KEY });
  t.teardown(() => {
    client.close();
    silent.close();
  });
  const ctl = new AbortController();
  const p = client.rank({ client: '198.18.64.7', candidates: [] }, { timeoutMs: 5000, signal: ctl.signal });
  ctl.abort(new Error('caller gave up'));
  await t.throwsAsync(p, { message: 'caller gave up' });
  t.is(client.inFlight, 0);
});

test('a client with the wrong key gets no answer and the server counts the drop', async (t) => {
  const { server, client, port } = await setup();
  const stranger = await SorterClient.open({ host: '127.0.0.1', port, keyId: KEY_ID, key: Buffer.alloc(32, 1) });
  t.teardown(async () => {
    stranger.close();
    client.close();
    await server.close();
  });
  await t.throwsAsync(stranger.rank({ client: '198.18.64.7', candidates: [] }, { timeoutMs: 100 }), { instanceOf: SorterTimeoutError });
  t.is(server.stats.dropped['bad-mac'], 1);
  t.is(server.stats.answered, 0);
});

test('a client whose clock is off by more than the window is dropped as stale', async (t) => {
  const { server, client, port } = await setup();
  const skewed = await SorterClient.open({ host: '127.0.0.1', port, keyId: KEY_ID, key: KEY, now: () => Date.now() - 60_000 });
  t.teardown(async () => {
    skewed.close();
    client.close();
    await server.close();
  });
  await t.throwsAsync(skewed.rank({ client: '198.18.64.7', candidates: [] }, { timeoutMs: 100 }), { instanceOf: SorterTimeoutError });
  t.is(server.stats.dropped.stale, 1);
});

test('server drops malformed, unknown-key, unsigned and replayed datagrams and counts each', (t) => {
  const rib = new Rib({ localAsn: 64500 });
  const server = new QueryServer({ ranker: new Sorter(rib), keys: new Map([[KEY_ID, KEY]]) });
  const q = { requestId: 1, keyId: KEY_ID, timestamp: Date.now(), nonce: 77n, client: '198.18.64.7', candidates: [] };
  t.is(server.handle(Buffer.from('hello')), undefined);
  t.is(server.stats.dropped.malformed, 1);
  t.is(server.handle(sign(encodeQuery({ ...q, keyId: 9 }), KEY)), undefined);
  t.is(server.stats.dropped['unknown-key'], 1);
  t.is(server.handle(encodeQuery(q)), undefined);
  t.is(server.stats.dropped['bad-mac'], 1);
  const good = sign(encodeQuery(q), KEY);
  t.truthy(server.handle(good));
  t.is(server.handle(good), undefined);
  t.is(server.stats.dropped.replayed, 1);
  const v3 = Buffer.from(sign(encodeQuery({ ...q, nonce: 78n }), KEY));
  v3[2] = 3;
  t.is(server.handle(sign(v3, KEY)), undefined);
  t.is(server.stats.dropped.version, 1);
  t.is(server.stats.answered, 1);
  // A version 1 query still gets a version 1 answer (no scope octet, one-octet count).
  const v1 = server.handle(sign(encodeQuery({ ...q, nonce: 79n, version: 1 }), KEY));
  t.is(v1?.[2], 1);
  t.is(decodeAnswer(v1!).version, 1);
  t.is(server.stats.answered, 2);
  t.is(server.stats.byStatus['no-sessions'], 2);
});

test('a burst beyond the queue limit is dropped and counted as overload', async (t) => {
  const { server, client, port } = await setup({ queueLimit: 4 });
  const raw = dgram.createSocket('udp4');
  t.teardown(async () => {
    raw.close();
    client.close();
    await server.close();
  });
  const burst = Array.from({ length: 40 }, (_, i) =>
    sign(encodeQuery({ requestId: i, keyId: KEY_ID, timestamp: Date.now(), nonce: BigInt(i + 1), client: '198.18.64.7', candidates: [] }), KEY),
  );
  // Keep the event loop busy while the burst arrives, so the datagrams pile up in the socket.
  await new Promise<void>((resolve) => {
    let sent = 0;
    for (const b of burst) raw.send(b, port, '127.0.0.1', () => ++sent === burst.length && resolve());
  });
  const until = Date.now() + 50;
  while (Date.now() < until) {
    /* busy: the server cannot drain its queue meanwhile */
  }
  await waitUntil(() => server.stats.received, (n) => n >= 40, { what: 'all 40 datagrams received', timeout: 2000, interval: 5 });
  t.is(server.stats.received, 40);
  t.true(server.stats.dropped.overload > 0, `overload drops: ${server.stats.dropped.overload}`);
  t.is(server.stats.answered + server.stats.dropped.overload, 40);
});

test('a query that arrives during a slice of other work is answered before the next slice starts', async (t) => {
  const { server, client, port } = await setup();
  const raw = dgram.createSocket('udp4');
  t.teardown(async () => {
    raw.close();
    client.close();
    await server.close();
  });
  const query = sign(encodeQuery({ requestId: 1, keyId: KEY_ID, timestamp: Date.now(), nonce: 77n, client: '198.18.64.7', candidates: ['198.18.101.10'] }), KEY);
  // Slices of work one per loop turn, as the daemon runs BGP input and flushes: the query is
  // sent from inside slice 1, so it is read in the poll phase between slice 1 and slice 2.
  const answeredAtSliceStart: number[] = [];
  await new Promise<void>((resolve) => {
    const slice = (i: number): void => {
      answeredAtSliceStart.push(server.stats.answered);
      if (i === 1) raw.send(query, port, '127.0.0.1');
      if (i < 4) setImmediate(() => slice(i + 1));
      else resolve();
    };
    setImmediate(() => slice(1));
  });
  await waitUntil(() => server.stats.answered, (n) => n >= 1, { what: 'the query answered', timeout: 2000, interval: 5 });
  // Queued for a drain, it would be answered only after slice 2 (a setImmediate queued before the drain's).
  const firstAnswered = answeredAtSliceStart.findIndex((n) => n > 0) + 1;
  t.is(firstAnswered, 2, `answered counts at slice starts: ${answeredAtSliceStart.join(', ')}`);
  t.is(server.stats.dropped.overload, 0);
});

test('a query captured from a client whose clock runs 4.9 s ahead is refused when replayed 9.8 s later, still inside its validity', async (t) => {
  // The real client signs with its skewed clock; a socket we own captures the datagram on its way.
  const capture = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => capture.bind(0, '127.0.0.1', resolve));
  const captured = new Promise<Buffer>((resolve) => capture.once('message', (m) => resolve(m)));
  const skewed = await SorterClient.open({ host: '127.0.0.1', port: capture.address().port, keyId: KEY_ID, key: KEY, now: () => Date.now() + 4900 });
  t.teardown(() => {
    skewed.close();
    capture.close();
  });
  void skewed.rank({ client: '198.18.64.7', candidates: ['198.18.101.10'] }, { timeoutMs: 50 }).catch(() => undefined);
  const wire = await captured;
  // Server times are counted from the client's real clock at signing (no loopback or load delay in the figures).
  const stamped = decodeHeader(wire).timestamp;
  const arrival = stamped - 4900;
  // The server has been up for most of a window when the query arrives (a memory rotating by arrival time loses it soonest then).
  let serverNow = arrival - 4990;
  const { server, client } = await setup({ serverNow: () => serverNow });
  serverNow = arrival;
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  t.truthy(server.handle(Buffer.from(wire)), 'the genuine query is answered');
  for (const later of [10, 4_999, 5_001, 9_799]) {
    serverNow = arrival + later;
    t.is(server.handle(Buffer.from(wire)), undefined, `replayed ${later} ms later`);
  }
  t.is(server.stats.dropped.replayed, 4);
  serverNow = stamped + 5001;
  t.is(server.handle(Buffer.from(wire)), undefined);
  t.is(server.stats.dropped.stale, 1);
});

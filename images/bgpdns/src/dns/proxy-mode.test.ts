/**
 * Proxy mode: forwards, reorders A/AAAA answers for the client, changes no
 * other byte; upstream down or silent → SERVFAIL within the timeout, counted.
 */
import test from 'ava';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDnsServer } from './server/dns-server.js';
import { buildQuery, normalize, queryTcp, queryUdp } from '../../testing/dns/dns-client.js';
import { PrefixTableRanker } from '../../testing/dns/prefix-table-ranker.js';
import { startCannedUpstream } from '../../testing/dns/canned-upstream.js';
import { loopbackAddress, startTinydns } from '../../testing/dns/tinydns-process.js';
import { tinydnsCompatible, withTimestamps } from '../../testing/dns/corpus.js';
import { applyOrder, scanAddressRrsets } from './wire/address-rrsets.js';

const ranker = () =>
  new PrefixTableRanker([
    { prefix: '127.0.1.0/24', prefer: ['198.18.1.2', '2001:db8::3'] },
    { prefix: '127.0.2.0/24', prefer: ['198.18.1.3'] },
    { prefix: '198.18.64.0/20', prefer: ['198.18.1.1', '2001:db8::1'] },
  ]);

/** The message with every A/AAAA RRset's rdata sorted: equal iff equal up to answer order. */
function canonical(msg: Buffer): Buffer {
  const copy = Buffer.from(msg);
  const scan = scanAddressRrsets(copy)!;
  for (const rrset of scan.rrsets) {
    const order = rrset.candidates.map((c, i) => [c, i] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, i]) => i);
    applyOrder(copy, rrset, order);
  }
  return copy;
}

/** An upstream answer with everything a proxy could disturb: flags, odd TTLs, authority, additional, OPT with ECS and a cookie. */
function richAnswer(query: Buffer): Buffer {
  const q = dnsPacket.decode(query);
  const name = q.questions![0].name;
  const body = dnsPacket.encode({
    type: 'response',
    id: q.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | (q.flags! & dnsPacket.RECURSION_DESIRED),
    questions: q.questions,
    answers: [
      { name, type: 'A', ttl: 61, data: '198.18.1.1' },
      { name, type: 'A', ttl: 61, data: '198.18.1.2' },
      { name, type: 'A', ttl: 61, data: '198.18.1.3' },
      { name, type: 'AAAA', ttl: 62, data: '2001:db8::1' },
      { name, type: 'AAAA', ttl: 62, data: '2001:db8::3' },
      { name, type: 'TXT', ttl: 5, data: 'keep me' },
    ],
    authorities: [{ name: 'lab.example', type: 'NS', ttl: 3601, data: 'ns.lab.example' }],
    additionals: [
      { name: 'ns.lab.example', type: 'A', ttl: 3602, data: '198.18.0.53' },
      { name: '.', type: 'OPT', udpPayloadSize: 1400, flags: 0, options: [{ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 17, ip: '198.18.70.0' }, { code: 10, data: Buffer.from('0123456789abcdef', 'hex') }] } as unknown as dnsPacket.Answer,
    ],
  });
  return body;
}

test('every byte but the order of the A/AAAA RRsets is the upstream’s, over UDP and TCP; the order is the ranker’s', async (t) => {
  const upstream = await startCannedUpstream(richAnswer);
  // TTL cap above every TTL here: unranked RRsets (the AAAA set from 127.0.2.7) keep their bytes too.
  const proxy = await startDnsServer({ upstream: upstream.address, listen: { host: '127.0.0.1', port: 0 }, ranker: ranker(), ordering: { unrankedTtl: 86_400 } });
  t.teardown(async () => {
    await proxy.close();
    await upstream.close();
  });
  // The TCP case carries an EDNS client subnet, which decides instead of the source address.
  for (const [transport, from, first, firstV6] of [
    ['udp', '127.0.1.7', '198.18.1.2', '2001:db8::3'],
    ['udp', '127.0.2.7', '198.18.1.3', null],
    ['tcp', '127.0.0.1', '198.18.1.1', '2001:db8::1'],
  ] as const) {
    const ecs = transport === 'tcp' ? { family: 1, sourcePrefix: 24, address: '198.18.70.0' } : undefined;
    const query = buildQuery({ name: 'www.lab.example', type: 'ANY', id: 0x1234, rd: true, edns: { ecs } });
    const direct = richAnswer(query);
    const viaProxy = transport === 'udp' ? await queryUdp(proxy.address, query, { from }) : await queryTcp(proxy.address, query);
    t.is(viaProxy!.length, direct.length);
    t.true(canonical(viaProxy!).equals(canonical(direct)), `${transport} from ${from}: bytes differ beyond answer order`);
    const answers = dnsPacket.decode(viaProxy!).answers!.map((a) => (a as { data: string }).data);
    t.is(answers[0], first);
    if (firstV6) t.is(answers[3], firstV6);
  }
});

test('an RRset the ranker gives no preference for goes out with its TTL capped (unrankedTtl); a ranked one keeps the upstream TTL', async (t) => {
  const upstream = await startCannedUpstream(richAnswer);
  const proxy = await startDnsServer({ upstream: upstream.address, listen: { host: '127.0.0.1', port: 0 }, ranker: ranker(), ordering: { unrankedTtl: 7 } });
  t.teardown(async () => {
    await proxy.close();
    await upstream.close();
  });
  // From 127.0.2.7 only 198.18.1.3 is preferred: the A set is ranked, the AAAA set is not.
  const r = await queryUdp(proxy.address, buildQuery({ name: 'www.lab.example', type: 'ANY', id: 0x4321 }), { from: '127.0.2.7' });
  const ttls = dnsPacket.decode(r!).answers!.map((a) => `${a.type}:${(a as { ttl: number }).ttl}`);
  t.deepEqual(ttls, ['A:61', 'A:61', 'A:61', 'AAAA:7', 'AAAA:7', 'TXT:5']);
});

test('in front of real tinydns: same answers as tinydns itself, A records in the ranker order', async (t) => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata', 'differential');
  const text = tinydnsCompatible(withTimestamps(readFileSync(join(dir, 'basic.data'), 'latin1'), Math.floor(Date.now() / 1000)));
  const tinydns = await startTinydns(text, loopbackAddress(11), { probeName: 'example.test' });
  const proxy = await startDnsServer({ upstream: { host: tinydns.ip, port: 53 }, listen: { host: '127.0.0.1', port: 0 }, ranker: ranker(), ordering: { unrankedTtl: 86_400 } });
  t.teardown(async () => {
    await proxy.close();
    await tinydns.stop();
  });
  for (const [name, type] of [['multi.example.test', 'A'], ['example.test', 'ANY'], ['x.wild.example.test', 'A'], ['nx.example.test', 'A'], ['alias.example.test', 'A'], ['example.test', 'MX']] as const) {
    const query = buildQuery({ name, type, id: 0x7777 });
    const [direct, viaProxy] = await Promise.all([queryUdp({ host: tinydns.ip, port: 53 }, query), queryUdp(proxy.address, query, { from: '127.0.1.9' })]);
    t.true(canonical(viaProxy!).equals(canonical(direct!)), `${name} ${type}`);
  }
  for (let i = 0; i < 5; i++) {
    const r = await queryUdp(proxy.address, buildQuery({ name: 'multi.example.test', type: 'A' }), { from: '127.0.1.9' });
    t.is((dnsPacket.decode(r!).answers![0] as { data: string }).data, '198.18.1.2');
  }
  // Out of zone: tinydns is silent, so the proxy answers SERVFAIL after its timeout.
  const silent = await queryUdp(proxy.address, buildQuery({ name: 'www.other.invalid', type: 'A' }));
  t.is(normalize(silent!).rcode, 'SERVFAIL');
});

test('upstream down: SERVFAIL well before the timeout (ICMP), counted', async (t) => {
  // A port with nothing behind it: bind and close a socket to get one.
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
  const port = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  const proxy = await startDnsServer({ upstream: { host: '127.0.0.1', port }, upstreamTimeoutMs: 2000, listen: { host: '127.0.0.1', port: 0 } });
  t.teardown(() => proxy.close());
  const started = performance.now();
  const r = await queryUdp(proxy.address, buildQuery({ name: 'www.lab.example', type: 'A' }), { timeoutMs: 3000 });
  const elapsed = performance.now() - started;
  t.is(normalize(r!).rcode, 'SERVFAIL');
  // The ICMP error path, not the 2 s timeout: counted as an error, and well before the timeout.
  t.is(proxy.front.stats.upstreamErrors, 1);
  t.is(proxy.front.stats.upstreamTimeouts, 0);
  t.true(elapsed < 1900, `took ${elapsed} ms`);
  const tcp = await queryTcp(proxy.address, buildQuery({ name: 'www.lab.example', type: 'A' }));
  t.is(normalize(tcp!).rcode, 'SERVFAIL');
  t.is(proxy.front.stats.responses.get('SERVFAIL'), 2);
});

test('upstream silent: SERVFAIL after the configured timeout, counted', async (t) => {
  const upstream = await startCannedUpstream(() => null);
  const proxy = await startDnsServer({ upstream: upstream.address, upstreamTimeoutMs: 100, listen: { host: '127.0.0.1', port: 0 } });
  t.teardown(async () => {
    await proxy.close();
    await upstream.close();
  });
  const started = performance.now();
  const r = await queryUdp(proxy.address, buildQuery({ name: 'www.lab.example', type: 'A', edns: {} }), { timeoutMs: 2000 });
  const elapsed = performance.now() - started;
  t.is(normalize(r!).rcode, 'SERVFAIL');
  t.true(elapsed >= 95, `took ${elapsed} ms`);
  t.truthy(dnsPacket.decode(r!).additionals!.find((a) => a.type === 'OPT'), 'OPT echoed on SERVFAIL');
  t.is(proxy.front.stats.upstreamTimeouts, 1);
});

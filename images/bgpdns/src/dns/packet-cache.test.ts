/**
 * Proxy mode's packet cache on the wire: the real front in front of a real
 * upstream (a canned UDP/TCP server that counts what reaches it, or tinydns).
 * A hit costs no upstream query and is what the uncached path would have sent.
 */
import test from 'ava';
import dnsPacket from 'dns-packet';
import { startDnsServer, type DnsServer } from './server/dns-server.js';
import { buildQuery, normalize, queryTcp, queryUdp, type QuerySpec } from '../../testing/dns/dns-client.js';
import { PrefixTableRanker } from '../../testing/dns/prefix-table-ranker.js';
import { startCannedUpstream, type CannedUpstream } from '../../testing/dns/canned-upstream.js';
import { loopbackAddress, startTinydns } from '../../testing/dns/tinydns-process.js';
import { waitUntil } from '../support/wait-until.js';
import { dnsMetrics } from './server/metrics.js';
import type { PacketCacheOptions } from './server/packet-cache.js';

/** Every candidate of every RRset ranked, so the order is deterministic and a byte comparison is fair. */
const preferred = ['198.18.1.2', '198.18.1.3', '198.18.1.1', '2001:db8::3', '2001:db8::1'];
const fullRanker = () =>
  new PrefixTableRanker([
    { prefix: '127.0.1.0/24', prefer: preferred },
    { prefix: '198.18.64.0/20', prefer: preferred },
  ]);

type Rr = dnsPacket.Answer;
interface Canned {
  rcode?: number;
  flags?: number;
  answers?: Rr[];
  authorities?: Rr[];
  additionals?: Rr[];
}

/** The upstream's answer: the question echoed as asked, records with owners spelled as in the zone (lowercase). */
function respond(query: Buffer, c: Canned): Buffer {
  const q = dnsPacket.decode(query);
  return dnsPacket.encode({
    type: 'response',
    id: q.id,
    flags: (c.flags ?? dnsPacket.AUTHORITATIVE_ANSWER) | (q.flags! & dnsPacket.RECURSION_DESIRED) | (c.rcode ?? 0),
    questions: q.questions,
    answers: c.answers ?? [],
    authorities: c.authorities ?? [],
    additionals: c.additionals ?? [],
  });
}

const addresses = (ttl: number): Rr[] => [
  { name: 'www.lab.example', type: 'A', ttl, data: '198.18.1.1' },
  { name: 'www.lab.example', type: 'A', ttl, data: '198.18.1.2' },
  { name: 'www.lab.example', type: 'A', ttl, data: '198.18.1.3' },
  { name: 'www.lab.example', type: 'AAAA', ttl, data: '2001:db8::1' },
  { name: 'www.lab.example', type: 'AAAA', ttl, data: '2001:db8::3' },
];
const soa = (ttl: number, minimum: number): Rr => ({
  name: 'lab.example',
  type: 'SOA',
  ttl,
  data: { mname: 'ns.lab.example', rname: 'hostmaster.lab.example', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum },
});
const NXDOMAIN = 3;

async function proxyTo(t: import('ava').ExecutionContext, answer: (query: Buffer) => Buffer | null, packetCache: Partial<PacketCacheOptions> = {}) {
  const upstream = await startCannedUpstream(answer);
  const proxy = await startDnsServer({ upstream: upstream.address, listen: { host: '127.0.0.1', port: 0 }, ranker: fullRanker(), ordering: { unrankedTtl: 86_400 }, packetCache });
  t.teardown(async () => {
    await proxy.close();
    await upstream.close();
  });
  return { upstream, proxy };
}

const ask = (proxy: DnsServer, spec: QuerySpec) => queryUdp(proxy.address, buildQuery(spec), { from: '127.0.1.7' });
const ttlOf = (r: Buffer | null, section: 'answers' | 'authorities' = 'answers') => (dnsPacket.decode(r!)[section]![0] as { ttl: number }).ttl;

/** Asks until the upstream has been asked `n` times in all: the entry expired. */
async function untilUpstreamAsked(proxy: DnsServer, upstream: CannedUpstream, spec: QuerySpec, n: number, what: string) {
  await waitUntil(
    async () => {
      await ask(proxy, spec);
      return upstream.received;
    },
    (got) => got >= n || `upstream asked ${got} times`,
    { what, timeout: 5000, interval: 50 },
  );
}

test('a hit is byte for byte what the uncached path sends that client: its id, its question case (0x20), the same order, over UDP and TCP', async (t) => {
  const answer = (q: Buffer) =>
    respond(q, {
      answers: [...addresses(3600), { name: 'www.lab.example', type: 'TXT', ttl: 3600, data: 'keep me' }],
      authorities: [{ name: 'lab.example', type: 'NS', ttl: 3601, data: 'ns.lab.example' }],
      additionals: [{ name: 'ns.lab.example', type: 'A', ttl: 3602, data: '198.18.0.53' }],
    });
  const cached = await proxyTo(t, answer);
  const uncached = await proxyTo(t, answer, { maxEntries: 0 });
  t.is(uncached.proxy.packetCache, null);
  for (const transport of ['udp', 'tcp'] as const) {
    const send = (proxy: DnsServer, query: Buffer) => (transport === 'udp' ? queryUdp(proxy.address, query, { from: '127.0.1.7' }) : queryTcp(proxy.address, query, 2000, '127.0.1.7'));
    // Primed from another client subnet: the upstream's answer carries no ECS option, so it is shared.
    const edns = { udpSize: 1232, ecs: { family: 1, sourcePrefix: 24, address: '198.18.64.0' } };
    await send(cached.proxy, buildQuery({ name: 'www.lab.example', type: 'ANY', id: 0x0101, rd: true, edns: { ...edns, ecs: { ...edns.ecs, address: '198.18.65.0' } } }));
    const before = cached.upstream.received;
    const query = buildQuery({ name: 'wWw.LaB.ExAmPlE', type: 'ANY', id: 0xbeef, rd: true, edns });
    const [hit, fresh] = await Promise.all([send(cached.proxy, query), send(uncached.proxy, query)]);
    t.is(cached.upstream.received, before, `${transport}: answered from the cache`);
    t.is(hit!.readUInt16BE(0), 0xbeef);
    t.is(hit!.toString('latin1', 12, 29), fresh!.toString('latin1', 12, 29), `${transport}: question as the client spelled it`);
    t.true(hit!.equals(fresh!), `${transport}: hit differs from the uncached answer`);
    t.is((dnsPacket.decode(hit!).answers![0] as { data: string }).data, '198.18.1.2');
  }
  t.is(cached.proxy.packetCache!.stats.hits, 2);
});

test('in front of real tinydns: a mixed-case repeat is a hit equal to what tinydns answers that spelling', async (t) => {
  const tinydns = await startTinydns('.lab.example:198.18.0.1:a\n+multi.lab.example:198.18.1.1\n+multi.lab.example:198.18.1.2\n+multi.lab.example:198.18.1.3\n', loopbackAddress(23), { probeName: 'lab.example' });
  const proxy = await startDnsServer({ upstream: { host: tinydns.ip, port: 53 }, listen: { host: '127.0.0.1', port: 0 }, ranker: fullRanker(), ordering: { unrankedTtl: 86_400 } });
  t.teardown(async () => {
    await proxy.close();
    await tinydns.stop();
  });
  await ask(proxy, { name: 'multi.lab.example', type: 'A' });
  const query = buildQuery({ name: 'MuLtI.lAb.ExAmPlE', type: 'A', id: 0x2020 });
  const [viaProxy, direct] = await Promise.all([queryUdp(proxy.address, query, { from: '127.0.1.7' }), queryUdp({ host: tinydns.ip, port: 53 }, query)]);
  t.is(proxy.packetCache!.stats.hits, 1);
  t.is(viaProxy!.length, direct!.length);
  // Same bytes once both A RRsets are in the ranker's order (tinydns shuffles its own).
  const order = (m: Buffer) => dnsPacket.decode(m).answers!.map((a) => (a as { data: string }).data);
  t.deepEqual(order(viaProxy!), ['198.18.1.2', '198.18.1.3', '198.18.1.1']);
  t.is(viaProxy!.toString('latin1', 0, 12 + 19 + 4), direct!.toString('latin1', 0, 12 + 19 + 4));
  t.deepEqual(normalize(viaProxy!), normalize(direct!));
});

test('a hit has its TTLs lowered by the seconds spent in the cache and expires with the smallest TTL; --packet-cache-max-ttl caps the stay', async (t) => {
  const { upstream, proxy } = await proxyTo(t, (q) => respond(q, { answers: addresses(2), authorities: [{ name: 'lab.example', type: 'NS', ttl: 3600, data: 'ns.lab.example' }] }));
  const spec = { name: 'www.lab.example', type: 'A' };
  t.is(ttlOf(await ask(proxy, spec)), 2);
  const aged = await waitUntil(() => ask(proxy, spec), (r) => ttlOf(r) === 1 || `TTL ${ttlOf(r)}`, { what: 'a hit aged by one second', timeout: 3000, interval: 50 });
  t.is(ttlOf(aged.value, 'authorities'), 3599, 'every TTL is aged, not only the answer’s');
  t.is(upstream.received, 1);
  await untilUpstreamAsked(proxy, upstream, spec, 2, 'the entry expired after the smallest TTL (2 s)');
  t.true(proxy.packetCache!.stats.expired >= 1);
  t.is(ttlOf(await ask(proxy, spec)), 2, 'a fresh answer after expiry');

  const capped = await proxyTo(t, (q) => respond(q, { answers: addresses(3600) }), { maxTtl: 1 });
  t.is(ttlOf(await ask(capped.proxy, spec)), 3600);
  await untilUpstreamAsked(capped.proxy, capped.upstream, spec, 2, 'the entry expired after the 1 s cap although its TTL is 3600');
});

test('NXDOMAIN and NODATA are cached for min(SOA TTL, SOA MINIMUM), capped by --packet-cache-max-negative-ttl; without an SOA they are not cached', async (t) => {
  const nxMinimum = await proxyTo(t, (q) => respond(q, { rcode: NXDOMAIN, authorities: [soa(300, 1)] }));
  const nodataSoaTtl = await proxyTo(t, (q) => respond(q, { authorities: [soa(1, 300)] }));
  const capped = await proxyTo(t, (q) => respond(q, { rcode: NXDOMAIN, authorities: [soa(300, 300)] }), { maxNegativeTtl: 1 });
  const bare = await proxyTo(t, (q) => respond(q, { rcode: NXDOMAIN }));
  const spec = { name: 'nx.lab.example', type: 'A' };
  for (const { proxy, upstream } of [nxMinimum, nodataSoaTtl, capped]) {
    await ask(proxy, spec);
    const second = await ask(proxy, spec);
    t.is(upstream.received, 1, 'the repeat is a hit');
    t.is(normalize(second!).rcode, proxy === nodataSoaTtl.proxy ? 'NOERROR' : 'NXDOMAIN');
  }
  await Promise.all([
    untilUpstreamAsked(nxMinimum.proxy, nxMinimum.upstream, spec, 2, 'NXDOMAIN expired after SOA MINIMUM (1 s < SOA TTL)'),
    untilUpstreamAsked(nodataSoaTtl.proxy, nodataSoaTtl.upstream, spec, 2, 'NODATA expired after SOA TTL (1 s < MINIMUM)'),
    untilUpstreamAsked(capped.proxy, capped.upstream, spec, 2, 'NXDOMAIN expired after the 1 s negative cap'),
  ]);
  await ask(bare.proxy, spec);
  await ask(bare.proxy, spec);
  t.is(bare.upstream.received, 2);
  t.is(bare.proxy.packetCache!.size, 0);
});

test('never cached: SERVFAIL, REFUSED, TC, TTL 0, answers under the TTL floor, and upstream garbage (trailing bytes, a short SOA, a wrong question, silence)', async (t) => {
  const appendJunk = (m: Buffer) => Buffer.concat([m, Buffer.from([0])]);
  const shortSoa = (q: Buffer) => {
    const m = respond(q, { rcode: NXDOMAIN, authorities: [soa(300, 300)] });
    // The SOA's RDLENGTH: after the header, the question (www.lab.example: 17 + 4) and its owner, type, class, TTL (lab.example: 13 + 8).
    const rdlenAt = 12 + 21 + 21;
    if (m.readUInt16BE(rdlenAt) !== m.length - rdlenAt - 2) throw new Error('unexpected SOA layout');
    // Cut its rdata to 20 bytes (no room for two names and five fields) and the message with it.
    m.writeUInt16BE(20, rdlenAt);
    return m.subarray(0, rdlenAt + 2 + 20);
  };
  const cases: [string, (q: Buffer) => Buffer | null, Partial<PacketCacheOptions>?][] = [
    ['SERVFAIL', (q) => respond(q, { rcode: 2, answers: addresses(300) })],
    ['REFUSED', (q) => respond(q, { rcode: 5, flags: 0 })],
    ['TC', (q) => respond(q, { flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.TRUNCATED_RESPONSE, answers: addresses(300) })],
    ['TTL 0', (q) => respond(q, { answers: [...addresses(300), { name: 'www.lab.example', type: 'TXT', ttl: 0, data: 'x' }] })],
    ['under the floor', (q) => respond(q, { answers: addresses(5) }), { minTtl: 10 }],
    ['trailing bytes', (q) => appendJunk(respond(q, { answers: addresses(300) }))],
    ['short SOA', shortSoa],
    ['wrong question', (q) => respond(buildQuery({ name: 'other.lab.example', type: 'A', id: q.readUInt16BE(0) }), { answers: addresses(300) })],
  ];
  for (const [what, answer, options] of cases) {
    const { upstream, proxy } = await proxyTo(t, answer, options);
    await ask(proxy, { name: 'www.lab.example', type: 'A' });
    await ask(proxy, { name: 'www.lab.example', type: 'A' });
    t.is(upstream.received, 2, `${what}: asked upstream again`);
    t.is(proxy.packetCache!.size, 0, `${what}: nothing held`);
  }
  // Silence: the timeout's SERVFAIL is the front's own, never stored.
  const silent = await startCannedUpstream(() => null);
  const proxy = await startDnsServer({ upstream: silent.address, upstreamTimeoutMs: 50, listen: { host: '127.0.0.1', port: 0 } });
  t.teardown(async () => {
    await proxy.close();
    await silent.close();
  });
  for (let i = 0; i < 2; i++) t.is(normalize((await queryUdp(proxy.address, buildQuery({ name: 'www.lab.example', type: 'A' })))!).rcode, 'SERVFAIL');
  t.is(silent.received, 2);
  t.is(proxy.front.stats.upstreamTimeouts, 2);
  t.is(proxy.packetCache!.size, 0);
});

/** Sends each query in turn and then again; `fresh` says which must reach the upstream the first time. */
async function expectEntries(t: import('ava').ExecutionContext, upstream: CannedUpstream, variants: [string, boolean, () => Promise<Buffer | null>][]) {
  let expected = upstream.received;
  for (const [what, fresh, send] of variants) {
    await send();
    if (fresh) expected++;
    t.is(upstream.received, expected, `${what}: ${fresh ? 'a new entry' : 'a hit on an earlier entry'}`);
  }
  for (const [what, , send] of variants) {
    await send();
    t.is(upstream.received, expected, `${what}: asked again, a hit`);
  }
}

const withCd = (q: Buffer) => {
  q[3] |= 0x10;
  return q;
};
const base: QuerySpec = { name: 'www.lab.example', type: 'A' };
const ecs = (address: string, sourcePrefix = 24) => ({ edns: { ecs: { family: 1, sourcePrefix, address } } });

test('the key: qtype, RD, CD, EDNS presence, UDP size, DO and the transport each key their own entry; the name’s case does not; an untailored answer is shared by every client subnet', async (t) => {
  const { upstream, proxy } = await proxyTo(t, (q) => respond(q, { answers: addresses(300) }));
  await expectEntries(t, upstream, [
    ['base', true, () => ask(proxy, base)],
    ['AAAA', true, () => ask(proxy, { ...base, type: 'AAAA' })],
    ['RD', true, () => ask(proxy, { ...base, rd: true })],
    ['CD', true, () => queryUdp(proxy.address, withCd(buildQuery(base)), { from: '127.0.1.7' })],
    ['EDNS', true, () => ask(proxy, { ...base, edns: {} })],
    ['EDNS 4096', true, () => ask(proxy, { ...base, edns: { udpSize: 4096 } })],
    ['DO', true, () => ask(proxy, { ...base, edns: { dnssecOk: true } })],
    ['TCP', true, () => queryTcp(proxy.address, buildQuery(base), 2000, '127.0.1.7')],
    ['another spelling', false, () => ask(proxy, { ...base, name: 'WWW.Lab.Example' })],
    // The upstream answers without an ECS option (RFC 7871 §7.2.1: not tailored): one entry for all subnets.
    ['ECS 198.18.64.0/24', true, () => ask(proxy, { ...base, ...ecs('198.18.64.0') })],
    ['ECS 198.18.65.0/24', false, () => ask(proxy, { ...base, ...ecs('198.18.65.0') })],
    ['ECS 198.18.64.0/20', false, () => ask(proxy, { ...base, ...ecs('198.18.64.0', 20) })],
  ]);
  t.is(proxy.packetCache!.size, 9);
});

test('an answer the upstream tailored to the client subnet (ECS option in it) is kept per forwarded subnet and echoes each client’s own', async (t) => {
  const tailored = (q: Buffer) => {
    const opt = dnsPacket.decode(q).additionals!.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer | undefined;
    const subnet = opt?.options.find((o) => o.code === 8) as unknown as { family: number; sourcePrefixLength: number; ip: string } | undefined;
    const echo = subnet ? [{ code: 8, family: subnet.family, sourcePrefixLength: subnet.sourcePrefixLength, scopePrefixLength: 24, ip: subnet.ip }] : [];
    return respond(q, { answers: addresses(300), additionals: opt ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232, flags: 0, options: echo } as unknown as Rr] : [] });
  };
  const { upstream, proxy } = await proxyTo(t, tailored);
  await expectEntries(t, upstream, [
    ['ECS 198.18.64.0/24', true, () => ask(proxy, { ...base, ...ecs('198.18.64.0') })],
    ['ECS 198.18.65.0/24', true, () => ask(proxy, { ...base, ...ecs('198.18.65.0') })],
    ['ECS 198.18.64.0/20', true, () => ask(proxy, { ...base, ...ecs('198.18.64.0', 20) })],
    ['no ECS', true, () => ask(proxy, { ...base, edns: {} })],
  ]);
  const hit = await ask(proxy, { ...base, ...ecs('198.18.65.0') });
  const opt = dnsPacket.decode(hit!).additionals!.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer;
  t.like(opt.options[0] as unknown as object, { sourcePrefixLength: 24, scopePrefixLength: 24, ip: '198.18.65.0' });
  t.is(proxy.packetCache!.size, 4);
});

test('a random-name flood cannot grow the cache past --packet-cache-size: least recently used out first, memory reported', async (t) => {
  const { upstream, proxy } = await proxyTo(t, (q) => respond(q, { answers: addresses(300) }), { maxEntries: 50 });
  const cache = proxy.packetCache!;
  const keep = { name: 'keep.lab.example', type: 'A' };
  await ask(proxy, keep);
  for (let i = 0; i < 300; i++) {
    await ask(proxy, { name: `r${i}-${Math.random().toString(36).slice(2, 10)}.lab.example`, type: 'A' });
    // Asked now and then, the kept name stays among the most recently used.
    if (i % 20 === 0) await ask(proxy, keep);
    t.true(cache.size <= 50);
  }
  t.is(cache.size, 50);
  t.is(cache.stats.evictions, 301 - 50);
  const before = upstream.received;
  await ask(proxy, keep);
  t.is(upstream.received, before, 'the recently used name survived the flood');
  await ask(proxy, { name: 'r0-gone.lab.example', type: 'A' });
  t.is(upstream.received, before + 1);
  // Each entry is a ~200-byte answer: the estimate is bounded by entries × (answer + bookkeeping).
  t.true(cache.bytes > 50 * 200 && cache.bytes < 50 * 1000, `${cache.bytes} bytes`);
  const text = await dnsMetrics(proxy.front.stats, proxy.orderer, proxy.front.rrl, cache).metrics();
  t.regex(text, /bgpdns_dns_proxy_packet_cache_entries 50\n/);
  t.regex(text, new RegExp(`bgpdns_dns_proxy_packet_cache_total\\{result="hit"\\} ${cache.stats.hits}\\n`));
  t.regex(text, new RegExp(`bgpdns_dns_proxy_packet_cache_total\\{result="miss"\\} ${cache.stats.misses}\\n`));
  t.regex(text, new RegExp(`bgpdns_dns_proxy_packet_cache_evictions_total ${cache.stats.evictions}\\n`));
  t.regex(text, /bgpdns_dns_proxy_packet_cache_bytes \d+\n/);
});

test('response-rate limiting applies to hits as to fresh answers', async (t) => {
  const upstream = await startCannedUpstream((q) => respond(q, { answers: addresses(300) }));
  const proxy = await startDnsServer({ upstream: upstream.address, listen: { host: '127.0.0.1', port: 0 }, rrl: { responsesPerSecond: 1, burst: 1, slip: 0 } });
  t.teardown(async () => {
    await proxy.close();
    await upstream.close();
  });
  const answered = [];
  for (let i = 0; i < 5; i++) answered.push(await queryUdp(proxy.address, buildQuery({ name: 'www.lab.example', type: 'A' }), { timeoutMs: 200 }));
  t.is(upstream.received, 1);
  t.true(answered.filter((r) => r === null).length >= 3, 'hits over the rate are dropped');
  t.true(proxy.front.stats.rrlDropped >= 3);
});

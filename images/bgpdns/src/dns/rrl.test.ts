/**
 * Response-rate limiting: buckets keyed by client network + kind of response +
 * name (as Knot and BIND key them), slip and drop, bounded memory, checked
 * before any sorter work, TCP exempt, IPv4-mapped clients as IPv4.
 */
import test from 'ava';
import dnsPacket from 'dns-packet';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDnsServer } from './server/dns-server.js';
import { buildQuery, normalize, queryTcp, queryUdp } from '../../testing/dns/dns-client.js';
import { ResponseRateLimiter } from './server/rrl.js';
import { PrefixTableRanker } from '../../testing/dns/prefix-table-ranker.js';
import type { DnsServer } from './server/dns-server.js';

test('subnets: IPv4 /24 and IPv6 /56 by default, configurable', (t) => {
  const rrl = new ResponseRateLimiter({ responsesPerSecond: 1 });
  t.is(rrl.subnetOf('198.18.7.9'), rrl.subnetOf('198.18.7.200'));
  t.not(rrl.subnetOf('198.18.7.9'), rrl.subnetOf('198.18.8.9'));
  t.is(rrl.subnetOf('2001:db8:0:ff::1'), rrl.subnetOf('2001:db8:0:1::2'));
  t.not(rrl.subnetOf('2001:db8:0:100::1'), rrl.subnetOf('2001:db8:0:200::1'));
  const wide = new ResponseRateLimiter({ responsesPerSecond: 1, ipv4PrefixLen: 16 });
  t.is(wide.subnetOf('198.18.7.9'), wide.subnetOf('198.18.200.1'));
});

test('token bucket with slip 2: over the rate every second response is a TC slip, the rest dropped', (t) => {
  let now = 0;
  const rrl = new ResponseRateLimiter({ responsesPerSecond: 5, slip: 2, now: () => now });
  const verdicts = Array.from({ length: 15 }, () => rrl.check('198.18.7.1', 'positive', 'www/1'));
  t.deepEqual(verdicts.slice(0, 5), ['send', 'send', 'send', 'send', 'send']);
  t.deepEqual(verdicts.slice(5), ['drop', 'slip', 'drop', 'slip', 'drop', 'slip', 'drop', 'slip', 'drop', 'slip']);
  now += 1000;
  t.is(rrl.check('198.18.7.1', 'positive', 'www/1'), 'send', 'refilled after a second');
  const drop = new ResponseRateLimiter({ responsesPerSecond: 1, slip: 0, now: () => now });
  drop.check('198.18.7.1', 'positive', 'www/1');
  t.deepEqual([drop.check('198.18.7.1', 'positive', 'www/1'), drop.check('198.18.7.1', 'positive', 'www/1')], ['drop', 'drop']);
});

test('over sockets: a flooding /24 is limited and counted, another /24 and TCP are not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h5-rrl-'));
  const path = join(dir, 'data');
  writeFileSync(path, '.lab.example:198.18.0.1:a\n+www.lab.example:198.18.1.1\n');
  const server = await startDnsServer({ data: path, listen: { host: '127.0.0.1', port: 0 }, pollMs: 0, rrl: { responsesPerSecond: 1, burst: 10, slip: 2 } });
  t.teardown(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const q = () => buildQuery({ name: 'www.lab.example', type: 'A' });
  const results = await Promise.all(Array.from({ length: 60 }, (_, i) => queryUdp(server.address, q(), { from: `127.0.3.${1 + (i % 50)}`, timeoutMs: 1000 })));
  // The server's own counts are the truth (a slow reply is not a drop); the client must agree with them.
  const s = server.front.stats;
  const full = (s.responses.get('NOERROR') ?? 0) - s.rrlSlipped;
  // Burst 10, refilling 1/s: 10 (plus what refilled while the 60 came in) go out in full;
  // every other limited one slips (TC), the rest are dropped.
  t.true(full >= 10 && full <= 13, `full ${full}`);
  t.is(full + s.rrlSlipped + s.rrlDropped, 60);
  t.true(Math.abs(s.rrlSlipped - s.rrlDropped) <= 1, `slipped ${s.rrlSlipped}, dropped ${s.rrlDropped}`);
  t.is(results.filter((r) => r && normalize(r).flags.tc).length, s.rrlSlipped);
  t.is(results.filter((r) => r && !normalize(r).flags.tc).length, full);
  t.is(normalize((await queryUdp(server.address, q(), { from: '127.0.4.1' }))!).answer.length, 1);
  t.is(normalize((await queryTcp(server.address, q()))!).answer.length, 1);
});

test('keys: a name per positive answer, one bucket per zone for NXDOMAIN, one per network for errors', (t) => {
  const rrl = new ResponseRateLimiter({ responsesPerSecond: 1, slip: 0, now: () => 0 });
  t.is(rrl.check('198.18.7.1', 'positive', 'a/1'), 'send');
  t.is(rrl.check('198.18.7.2', 'positive', 'b/1'), 'send', 'another name: another bucket');
  t.is(rrl.check('198.18.7.3', 'positive', 'a/1'), 'drop', 'same /24, same name: same bucket');
  t.is(rrl.check('198.18.7.1', 'nodata', 'a/1'), 'send', 'another kind: another bucket');
  t.is(rrl.check('198.18.7.1', 'error', 'x'), 'send');
  t.is(rrl.check('198.18.7.1', 'error', 'y'), 'drop', 'errors share one bucket whatever the name');
});

test('bounded memory: 50,000 distinct keys leave at most maxBuckets buckets', (t) => {
  let now = 0;
  const rrl = new ResponseRateLimiter({ responsesPerSecond: 10, maxBuckets: 1000, now: () => now });
  for (let i = 0; i < 50_000; i++) {
    now += 0.01;
    rrl.check(`198.18.${(i >> 8) & 255}.${i & 255}`, 'positive', `n${i}/1`);
  }
  t.true(rrl.size <= 1000, `${rrl.size} buckets`);
  t.true(rrl.evictions > 0);
  t.throws(() => new ResponseRateLimiter({ maxBuckets: 0 }), { message: /RRL table size must be at least 1, got 0/ });
});

async function serve(t: { teardown(fn: () => Promise<void>): void }, data: string, host: string, ranker: PrefixTableRanker | null, rrl: object): Promise<DnsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ha14-rrl-'));
  const path = join(dir, 'data');
  writeFileSync(path, data);
  const server = await startDnsServer({ data: path, listen: { host, port: 0 }, pollMs: 0, ranker, rrl });
  t.teardown(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return server;
}

test('limited responses cost no sorter work; a random-subdomain NXDOMAIN flood shares the zone bucket', async (t) => {
  const ranker = new PrefixTableRanker([{ prefix: '127.0.0.0/8', prefer: ['198.18.1.2'] }]);
  const server = await serve(t, '.lab.example:198.18.0.1:a\n+www.lab.example:198.18.1.1\n+www.lab.example:198.18.1.2\n', '127.0.0.1', ranker, { responsesPerSecond: 1, burst: 5, slip: 2 });
  const o = server.orderer.stats;
  await Promise.all(Array.from({ length: 40 }, () => queryUdp(server.address, buildQuery({ name: 'www.lab.example', type: 'A' }), { from: '127.0.20.1', timeoutMs: 1000 })));
  const s = server.front.stats;
  const full = (s.responses.get('NOERROR') ?? 0) - s.rrlSlipped;
  t.true(full >= 5 && full <= 8, `full ${full}`);
  t.is(o.cacheHits + o.unrankedHits + o.cacheMisses, full, 'the orderer was consulted for full answers only');
  // 40 different names under the zone: NXDOMAIN keyed by the zone, so the same bucket for all.
  const nx = await Promise.all(Array.from({ length: 40 }, (_, i) => queryUdp(server.address, buildQuery({ name: `r${i}.lab.example`, type: 'A' }), { from: '127.0.21.1', timeoutMs: 1000 })));
  const nxFull = nx.filter((r) => r && !normalize(r).flags.tc).length;
  t.true(nxFull >= 5 && nxFull <= 8, `${nxFull} NXDOMAIN answers in full`);
});

test('IPv4-mapped clients on a dual-stack [::] socket count as IPv4: their own /24 bucket, % locations, sorter client', async (t) => {
  const ranker = new PrefixTableRanker([
    { prefix: '127.0.30.0/24', prefer: ['198.18.1.1'] },
    { prefix: '127.0.31.0/24', prefer: ['198.18.1.2'] },
  ]);
  const data = ['%lo:127.0.31', '.lab.example:198.18.0.1:a', '+www.lab.example:198.18.1.1', '+www.lab.example:198.18.1.2', "'where.lab.example:inside:::lo", "'where.lab.example:outside:::"].join('\n') + '\n';
  const server = await serve(t, data, '::', ranker, { responsesPerSecond: 1, burst: 5, slip: 0 });
  const at = { host: '127.0.0.1', port: server.address.port };
  // A flood from 127.0.30.0/24 is limited; 127.0.31.1 is another /24 (mapped, all would share one /56).
  await Promise.all(Array.from({ length: 30 }, () => queryUdp(at, buildQuery({ name: 'www.lab.example', type: 'A' }), { from: '127.0.30.1', timeoutMs: 1000 })));
  t.true(server.front.stats.rrlDropped >= 20);
  const www = await queryUdp(at, buildQuery({ name: 'www.lab.example', type: 'A' }), { from: '127.0.31.1' });
  t.truthy(www, 'another /24 is not limited');
  t.deepEqual(
    dnsPacket.decode(www!).answers!.map((a) => (a as { data: string }).data),
    ['198.18.1.2', '198.18.1.1'],
    'sorted for 127.0.31.1',
  );
  t.is(ranker.requests.at(-1)!.client, '127.0.31.1');
  const where = await queryUdp(at, buildQuery({ name: 'where.lab.example', type: 'TXT' }), { from: '127.0.31.1' });
  t.is(normalize(where!).answer.length, 2, 'the lo-only record is visible to 127.0.31.1');
  const elsewhere = await queryUdp(at, buildQuery({ name: 'where.lab.example', type: 'TXT' }), { from: '127.0.32.1' });
  t.is(normalize(elsewhere!).answer.length, 1, 'and not to 127.0.32.1');
});

/** Response-rate limiting per client subnet over real sockets: slip, drop, other subnets and TCP unaffected. */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDnsServer } from './server/dns-server.js';
import { buildQuery, normalize, queryTcp, queryUdp } from './testing/dns-client.js';
import { ResponseRateLimiter } from './server/rrl.js';

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
  const verdicts = Array.from({ length: 15 }, () => rrl.check('198.18.7.1'));
  t.deepEqual(verdicts.slice(0, 5), ['send', 'send', 'send', 'send', 'send']);
  t.deepEqual(verdicts.slice(5), ['drop', 'slip', 'drop', 'slip', 'drop', 'slip', 'drop', 'slip', 'drop', 'slip']);
  now += 1000;
  t.is(rrl.check('198.18.7.1'), 'send', 'refilled after a second');
  const drop = new ResponseRateLimiter({ responsesPerSecond: 1, slip: 0, now: () => now });
  drop.check('198.18.7.1');
  t.deepEqual([drop.check('198.18.7.1'), drop.check('198.18.7.1')], ['drop', 'drop']);
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

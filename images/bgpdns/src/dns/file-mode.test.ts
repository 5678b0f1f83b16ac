/** File mode end to end over loopback: ordering by the ranker, ECS, truncation, refusals, TCP, reload. */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { startDnsServer, type DnsServer } from './server/dns-server.js';
import { buildQuery, normalize, queryTcp, queryUdp } from '../../testing/dns/dns-client.js';
import { PrefixTableRanker } from '../../testing/dns/prefix-table-ranker.js';
import { DataParseError } from './tinydns-data/parse.js';
import type { FileBackend } from './server/file-backend.js';
import { waitUntil } from '../support/wait-until.js';

const zone = `.lab.example:198.18.0.1:a
+www.lab.example:198.18.1.1
+www.lab.example:198.18.2.1
+www.lab.example:198.18.3.1
3www.lab.example:20010db8000100000000000000000001
3www.lab.example:20010db8000200000000000000000001
${Array.from({ length: 12 }, (_, i) => `'big.lab.example:${'t'.repeat(60)}${i}`).join('\n')}
`;

async function serve(t: import('ava').ExecutionContext, data: string, ranker: PrefixTableRanker | null, extra: Partial<Parameters<typeof startDnsServer>[0]> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'h5-file-'));
  const path = join(dir, 'data');
  writeFileSync(path, data);
  const server = await startDnsServer({ data: path, listen: { host: '127.0.0.1', port: 0 }, ranker, pollMs: 0, ...extra });
  t.teardown(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { server, path, dir };
}

function ranker() {
  return new PrefixTableRanker([
    { prefix: '127.0.1.0/24', prefer: ['198.18.2.1', '2001:db8:2::1'] },
    { prefix: '127.0.2.0/24', prefer: ['198.18.3.1'] },
    { prefix: '198.18.64.0/20', prefer: ['198.18.1.1'] },
  ]);
}

const answers = (msg: Buffer | null) => dnsPacket.decode(msg!).answers!.map((a) => (a as { data: string }).data);

test('A and AAAA RRsets come out in the ranker order for the query source', async (t) => {
  const { server } = await serve(t, zone, ranker());
  for (let i = 0; i < 5; i++) {
    t.is(answers(await queryUdp(server.address, buildQuery({ name: 'www.lab.example', type: 'A' }), { from: '127.0.1.9' }))[0], '198.18.2.1');
    t.is(answers(await queryUdp(server.address, buildQuery({ name: 'www.lab.example', type: 'A' }), { from: '127.0.2.9' }))[0], '198.18.3.1');
    t.is(answers(await queryUdp(server.address, buildQuery({ name: 'www.lab.example', type: 'AAAA' }), { from: '127.0.1.3' }))[0], '2001:db8:2::1');
  }
  t.true(server.orderer.stats.cacheHits >= 10);
});

test('ECS: the subnet decides the order and is echoed with SCOPE = matched prefix length', async (t) => {
  const { server } = await serve(t, zone, ranker());
  const q = buildQuery({ name: 'www.lab.example', type: 'A', edns: { ecs: { family: 1, sourcePrefix: 24, address: '198.18.70.0' } } });
  const r = await queryUdp(server.address, q, { from: '127.0.2.9' });
  t.is(answers(r)[0], '198.18.1.1');
  const opt = dnsPacket.decode(r!).additionals!.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer;
  const ecs = opt.options.find((o) => o.code === 8) as unknown as { sourcePrefixLength: number; scopePrefixLength: number; ip: string };
  t.is(ecs.sourcePrefixLength, 24);
  t.is(ecs.scopePrefixLength, 20);
  t.is(ecs.ip, '198.18.70.0');
});

test('ECS: malformed options are answered FORMERR and counted', async (t) => {
  const { server } = await serve(t, zone, ranker());
  const base = buildQuery({ name: 'www.lab.example', type: 'A', edns: { ecs: { family: 1, sourcePrefix: 24, address: '198.18.70.0' } } });
  // The ECS option is the last 11 bytes: code(2) len(2) family(2) source(1) scope(1) addr(3).
  const mutate = (f: (b: Buffer) => void) => {
    const b = Buffer.from(base);
    f(b);
    return b;
  };
  const end = base.length;
  const cases = [
    mutate((b) => b.writeUInt16BE(5, end - 7)), // family 5
    mutate((b) => (b[end - 5] = 33)), // source /33
    mutate((b) => (b[end - 5] = 20)), // /20 but 198.18.70 has bits beyond it
    mutate((b) => (b[end - 5] = 16)), // 3 address bytes for /16
  ];
  for (const c of cases) {
    const r = await queryUdp(server.address, c);
    t.is(normalize(r!).rcode, 'FORMERR');
  }
  t.true(server.front.stats.garbageTotal >= 4);
});

test('over 512 bytes without EDNS: TC; with EDNS the whole answer fits', async (t) => {
  const { server } = await serve(t, zone, null);
  const plain = await queryUdp(server.address, buildQuery({ name: 'big.lab.example', type: 'TXT' }));
  t.true(normalize(plain!).flags.tc);
  t.is(plain!.readUInt16BE(6), 0);
  const edns = await queryUdp(server.address, buildQuery({ name: 'big.lab.example', type: 'TXT', edns: { udpSize: 1232 } }));
  t.false(normalize(edns!).flags.tc);
  t.is(normalize(edns!).answer.length, 12);
  const tcp = await queryTcp(server.address, buildQuery({ name: 'big.lab.example', type: 'TXT' }));
  t.is(normalize(tcp!).answer.length, 12);
  t.false(normalize(tcp!).flags.tc);
});

test('no recursion: out of zone REFUSED; AXFR and IXFR REFUSED; EDNS version 1 BADVERS', async (t) => {
  const { server } = await serve(t, zone, null);
  t.is(normalize((await queryUdp(server.address, buildQuery({ name: 'www.other.example', type: 'A', rd: true })))!).rcode, 'REFUSED');
  t.is(normalize((await queryTcp(server.address, buildQuery({ name: 'lab.example', type: 'AXFR' })))!).rcode, 'REFUSED');
  t.is(normalize((await queryUdp(server.address, buildQuery({ name: 'lab.example', type: 'IXFR' })))!).rcode, 'REFUSED');
  const v1 = buildQuery({ name: 'lab.example', type: 'SOA', edns: {} });
  v1[v1.length - 5] = 1; // OPT TTL = extended rcode, version, flags; rdlength 0 follows
  const r = await queryUdp(server.address, v1);
  t.is(r![3] & 0xf, 0);
  const opt = dnsPacket.decode(r!).additionals!.find((a) => a.type === 'OPT') as unknown as { extendedRcode: number };
  t.is(opt.extendedRcode, 1, 'BADVERS = 16: upper bits 1 in the OPT record');
});

test('reload on file change: new data served, no query dropped meanwhile; a broken file keeps the old data', async (t) => {
  const reloads: unknown[] = [];
  const { server, path, dir } = await serve(t, zone, null, { pollMs: 50, onReloadResult: (r) => reloads.push(r) });
  let stop = false;
  let sent = 0;
  let lost = 0;
  const hammer = (async () => {
    while (!stop) {
      sent++;
      const r = await queryUdp(server.address, buildQuery({ name: 'www.lab.example', type: 'A' }), { timeoutMs: 3000 });
      if (!r) lost++;
    }
  })();
  const tmp = join(dir, 'data.new');
  const started = performance.now();
  writeFileSync(tmp, zone + '+new.lab.example:198.18.9.1\n');
  renameSync(tmp, path);
  await waitUntil(() => server.front.stats.reloadsOk, (n) => n > 0, { what: 'the new data file loaded', timeout: 20_000, interval: 20 });
  t.log(`reload live after ${Math.round(performance.now() - started)} ms`);
  t.is(normalize((await queryUdp(server.address, buildQuery({ name: 'new.lab.example', type: 'A' })))!).answer.length, 1);
  writeFileSync(tmp, zone + '+broken.lab.example:198.18.9\n');
  renameSync(tmp, path);
  await waitUntil(() => server.front.stats.reloadsFailed, (n) => n > 0, { what: 'the broken data file refused', timeout: 20_000, interval: 20 });
  stop = true;
  await hammer;
  t.is(server.front.stats.reloadsFailed, 1);
  const failed = reloads.find((r) => !(r as { ok: boolean }).ok) as { error: DataParseError };
  t.true(failed.error instanceof DataParseError);
  t.regex(failed.error.message, /data:\d+:\d+: malformed IPv4 address "198.18.9"/);
  t.is(normalize((await queryUdp(server.address, buildQuery({ name: 'new.lab.example', type: 'A' })))!).answer.length, 1, 'old data still served');
  t.true(sent > 10);
  t.is(lost, 0);
});

test('a data file with an error is refused at start with file, line and column', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h5-file-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'data');
  writeFileSync(path, '.lab.example:198.18.0.1:a\n+www.lab.example:198.18.1.1:abc\n');
  const e = await t.throwsAsync(startDnsServer({ data: path, listen: { host: '127.0.0.1', port: 0 }, pollMs: 0 }));
  t.is(e!.message, `${path}:2:29: ttl must be a decimal number, got "abc"`);
});

test('IPv6: listens on ::1, orders AAAA for an IPv6 client and for an IPv6 client subnet', async (t) => {
  const r = new PrefixTableRanker([
    { prefix: '::1/128', prefer: ['2001:db8:2::1'] },
    { prefix: '2001:db8:1::/48', prefer: ['2001:db8:1::1', '198.18.1.1'] },
  ]);
  const { server } = await serve(t, zone, r, { listen: { host: '::1', port: 0 } });
  const aaaa = await queryUdp(server.address, buildQuery({ name: 'www.lab.example', type: 'AAAA' }));
  t.is(answers(aaaa)[0], '2001:db8:2::1');
  const viaEcs = await queryUdp(server.address, buildQuery({ name: 'www.lab.example', type: 'AAAA', edns: { ecs: { family: 2, sourcePrefix: 56, address: '2001:db8:1::' } } }));
  t.is(answers(viaEcs)[0], '2001:db8:1::1');
  t.deepEqual(r.requests.at(-1), { client: '2001:db8:1::', clientPrefixLen: 56, candidates: ['2001:db8:1::1', '2001:db8:2::1'], upstreams: true });
  const tcp = await queryTcp(server.address, buildQuery({ name: 'www.lab.example', type: 'A' }));
  t.is(normalize(tcp!).answer.length, 3);
});

test('a random-subdomain flood caches at most 10,000 NXDOMAIN answers; the rest are resolved per query, still right', async (t) => {
  const { server } = await serve(t, zone, null);
  const backend = server.backend as FileBackend;
  const source = { address: '127.0.5.1', port: 5353 };
  for (let i = 0; i < 12_000; i++) {
    const r = (await server.front.handle(buildQuery({ name: `r${i}.lab.example`, type: 'A' }), source, 'udp'))!;
    if ((r[3] & 0xf) !== 3) return t.fail(`r${i}.lab.example: rcode ${r[3] & 0xf}, expected NXDOMAIN`);
  }
  t.deepEqual(backend.cachedTemplates.nxdomain, 10_000);
  t.true(backend.cachedTemplates.all >= 10_000 && backend.cachedTemplates.all < 10_100);
  const www = (await server.front.handle(buildQuery({ name: 'www.lab.example', type: 'A' }), source, 'udp'))!;
  t.is(www[3] & 0xf, 0, 'other names still answered (and cached)');
});

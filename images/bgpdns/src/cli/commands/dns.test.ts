import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import dgram from 'node:dgram';
import { parseDnsArgs, DnsArgsError } from './dns.js';
import { buildQuery, normalize, queryUdp } from '../../../testing/dns/dns-client.js';
import { waitUntil } from '../../support/wait-until.js';

const dir = mkdtempSync(join(tmpdir(), 'h5-cli-'));
const keyFile = join(dir, 'key');
writeFileSync(keyFile, '7:' + '5a'.repeat(32) + '\n');
const badKey = join(dir, 'badkey');
writeFileSync(badKey, 'not a key');
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const errors: [string[], RegExp][] = [
  [[], /exactly one of --data FILE .* or --upstream/],
  [['--data', 'x', '--upstream', '127.0.0.1:53'], /exactly one of --data/],
  [['--upstream', '127.0.0.1'], /--upstream must be ADDR:PORT/],
  [['--upstream', 'ns.lab.example:53'], /--upstream must be ADDR:PORT with an IP address/],
  [['--data', 'x', '--listen', '127.0.0.1:99999'], /--listen must be ADDR:PORT/],
  [['--data', 'x', '--sorter', '127.0.0.1:179'], /--sorter needs --key FILE/],
  [['--data', 'x', '--sorter', '127.0.0.1:179', '--key', join(dir, 'missing')], /--key .*missing: cannot read/],
  [['--data', 'x', '--sorter', '127.0.0.1:179', '--key', badKey], /--key .*badkey: a key is "ID:HEX"/],
  [['--data', 'x', '--key', keyFile], /--key is only used with --sorter/],
  [['--data', 'x', '--sorter-timeout', '50ms'], /--sorter-timeout must be an integer/],
  [['--data', 'x', '--sorter-timeout', '0'], /--sorter-timeout must be at least 1 ms/],
  [['--data', 'x', '--rrl-ipv4-prefix', '33'], /--rrl-ipv4-prefix must be an integer from 0 to 32/],
  [['--data', 'x', '--unranked-ttl', '86401'], /--unranked-ttl must be an integer from 0 to 86400/],
  [['--data', 'x', '--bogus'], /Unknown option '--bogus'/],
  [['--data', 'x', '--tcp-per-client', '0'], /--tcp-per-client must be at least 1/],
  [['--data', 'x', '--rrl-table-size', '0'], /--rrl-table-size must be at least 1/],
  [['--data', 'x', '--tcp-idle', '5s'], /--tcp-idle must be an integer/],
  [['--data', 'x', '--packet-cache-size', '10'], /--packet-cache-size is only used in proxy mode/],
  [['--upstream', '127.0.0.1:53', '--packet-cache-size', '1e5'], /--packet-cache-size must be an integer from 0 to 10000000/],
  [['--upstream', '127.0.0.1:53', '--packet-cache-max-ttl', '1d'], /--packet-cache-max-ttl must be an integer/],
  [['--upstream', '127.0.0.1:53', '--packet-cache-min-ttl', '600'], /--packet-cache-min-ttl 600 is above --packet-cache-max-ttl 300/],
];

for (const [argv, message] of errors) {
  test(`bad flags are one clear error: ${argv.join(' ') || '(none)'}`, (t) => {
    const e = t.throws(() => parseDnsArgs(argv), { instanceOf: DnsArgsError });
    t.regex(e!.message, message);
  });
}

test('defaults and a full set of flags', (t) => {
  const a = parseDnsArgs(['--upstream', '[::1]:5353', '--sorter', '127.0.0.1:1179', '--key', keyFile, '--http', '127.0.0.1:9153', '--query-log', '--rrl-rate', '100']);
  t.deepEqual(a.upstream, { host: '::1', port: 5353 });
  t.deepEqual(a.listen, { host: '127.0.0.1', port: 53 });
  t.is(a.sorter!.keyId, 7);
  t.is(a.sorter!.key.length, 32);
  t.is(a.sorterTimeoutMs, 50);
  t.true(a.queryLog);
  t.deepEqual(a.rrl, { responsesPerSecond: 100, ipv4PrefixLen: 24, ipv6PrefixLen: 56, slip: 2, maxBuckets: 100_000 });
  t.deepEqual(a.tcp, { maxConnections: 512, maxPerClient: 16, idleMs: 10_000 });
  t.deepEqual(a.packetCache, { maxEntries: 100_000, maxTtl: 300, maxNegativeTtl: 60, minTtl: 0 });
  const off = parseDnsArgs(['--upstream', '127.0.0.1:53', '--packet-cache-size', '0', '--packet-cache-max-ttl', '30', '--packet-cache-max-negative-ttl', '5', '--packet-cache-min-ttl', '2']);
  t.deepEqual(off.packetCache, { maxEntries: 0, maxTtl: 30, maxNegativeTtl: 5, minTtl: 2 });
});

test('the daemon serves a data file, logs queries, answers /ready, stops on SIGTERM', async (t) => {
  const data = join(dir, 'data');
  writeFileSync(data, '.lab.example:198.18.0.1:a\n+www.lab.example:198.18.1.1\n');
  const free = async () => {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const p = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return p;
  };
  const port = await free();
  const httpPort = await free();
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'bgpdns.js');
  const child = spawn(process.execPath, [bin, 'dns', '--data', data, '--listen', `127.0.0.1:${port}`, '--http', `127.0.0.1:${httpPort}`, '--query-log'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  // Ends early when the process exits; the assertion below shows its output then.
  await waitUntil(() => err, (e) => e.includes('serving') || child.exitCode !== null, { what: 'bgpdns dns serving', timeout: 15_000, interval: 50 });
  t.regex(err, /serving file .* on 127\.0\.0\.1:\d+, no sorter \(random order\), http 127\.0\.0\.1:\d+/);
  const r = await queryUdp({ host: '127.0.0.1', port }, buildQuery({ name: 'www.lab.example', type: 'A' }));
  t.is(normalize(r!).answer.length, 1);
  t.is((await fetch(`http://127.0.0.1:${httpPort}/ready`)).status, 200);
  t.regex(await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text(), /bgpdns_dns_queries_total\{transport="udp"\} 1/);
  child.kill('SIGTERM');
  t.is(await exited, 0);
  const line = JSON.parse(out.trim().split('\n')[0]);
  t.like(line, { name: 'www.lab.example.', qtype: 1, rcode: 'NOERROR', transport: 'udp' });
});

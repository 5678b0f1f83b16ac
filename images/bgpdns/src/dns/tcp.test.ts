/**
 * DNS over TCP under abuse (RFC 7766 §6.2.3), against the front running as its
 * own process so its memory is read from /proc: a client that pipelines 10,000
 * queries for large answers and never reads; 1,000 idle connections from one
 * address; a full table of idle connections from many; the idle timeout.
 * Through all of it a well-behaved client gets its answer.
 */
import test from 'ava';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQuery, normalize, queryTcp } from '../../testing/dns/dns-client.js';
import { startFrontProcess, type FrontProcess } from '../../testing/dns/front-process.js';
import { TcpFramer } from './wire/tcp-framer.js';
import { waitUntil } from '../support/wait-until.js';

const dir = mkdtempSync(join(tmpdir(), 'ha14-tcp-'));
const data = join(dir, 'data');
// big.lab.example TXT: 14 records of 240 bytes, a ~3.6 kB answer, so 10,000 of them (36 MB)
// are far more than the kernel's socket buffers can hold for a client that does not read.
const txt = 'x'.repeat(240);
writeFileSync(data, ['.lab.example:198.18.0.1:a', '+www.lab.example:198.18.1.1', ...Array.from({ length: 14 }, (_, i) => `'big.lab.example:${i}${txt}`)].join('\n') + '\n');
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

async function front(t: { teardown(fn: () => Promise<unknown>): void }, args: string[] = []): Promise<FrontProcess> {
  const f = await startFrontProcess(data, args);
  t.teardown(() => f.stop());
  return f;
}

/** Closes every socket at teardown, even when the test failed half-way. */
function sockets(t: { teardown(fn: () => void): void }): net.Socket[] {
  const all: net.Socket[] = [];
  t.teardown(() => all.forEach((s) => s.destroy()));
  return all;
}

function connect(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(s));
    s.once('error', reject);
  });
}

/** The well-behaved client: one TCP query, answered within 1 s. */
async function wellBehaved(t: { true(v: boolean, m?: string): void; is(a: unknown, b: unknown, m?: string): void }, f: FrontProcess, from: string): Promise<void> {
  const started = performance.now();
  const r = await queryTcp(f.address, buildQuery({ name: 'www.lab.example', type: 'A' }), 1000, from);
  const ms = performance.now() - started;
  t.true(r !== null, `no TCP answer within 1 s (${ms.toFixed(0)} ms)`);
  t.is(normalize(r!).answer.length, 1);
}

test.serial('a client pipelining 10,000 queries without reading stalls itself, not the front: RSS bounded, all answered once it reads', async (t) => {
  const f = await front(t, ['--tcp-idle', '60000']);
  const all = sockets(t);
  // Warm up: the answer template and the TCP path exist before the baseline.
  for (let i = 0; i < 50; i++) await queryTcp(f.address, buildQuery({ name: 'big.lab.example', type: 'TXT' }), 2000, '127.0.7.1');
  const baselineKb = f.rssKb();

  const hog = await connect(f.address.port, '127.0.7.2');
  all.push(hog);
  hog.pause();
  const total = 10_000;
  const queries = Array.from({ length: total }, (_, i) => TcpFramer.frame(buildQuery({ name: 'big.lab.example', type: 'TXT', id: i })));
  hog.write(Buffer.concat(queries));

  // The front answers until the socket buffers are full, then stops reading: the count settles.
  let previous = -1;
  const settled = await waitUntil(
    async () => {
      const n = await f.metric('bgpdns_dns_queries_total', 'transport="tcp"');
      const stable = n === previous && n > 50;
      previous = n;
      return { n, stable };
    },
    (v) => v.stable || `still answering (${v.n} tcp queries)`,
    { what: 'the front to stop answering the client that does not read', timeout: 30_000, interval: 500 },
  );
  const answeredWhileStalled = settled.value.n - 50;
  const stalledKb = f.rssKb();
  t.log(`stalled after ${answeredWhileStalled} of ${total} queries; front RSS ${baselineKb} → ${stalledKb} kB`);
  t.true(answeredWhileStalled < total / 2, `the front kept reading: ${answeredWhileStalled} answered`);
  // 10,000 answers are 36 MB; holding them would show. What stays is the kernel's business.
  t.true(stalledKb - baselineKb < 16 * 1024, `front RSS grew ${stalledKb - baselineKb} kB`);
  await wellBehaved(t, f, '127.0.7.3');

  // Now the client reads: every answer arrives, in the order asked.
  let buf = Buffer.alloc(0);
  let next = 0;
  let outOfOrder = 0;
  const done = new Promise<void>((resolve) => {
    hog.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        if (buf.readUInt16BE(2) !== next) outOfOrder++;
        next++;
        buf = buf.subarray(2 + len);
      }
      if (next === total) resolve();
    });
  });
  hog.resume();
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${next} of ${total} answers arrived`)), 60_000))]);
  t.is(next, total);
  t.is(outOfOrder, 0);
});

test.serial('1,000 idle connections from one address: all but the per-client cap are closed, another client is answered within 1 s', async (t) => {
  const f = await front(t, ['--tcp-per-client', '16', '--tcp-idle', '60000']);
  const all = sockets(t);
  const closed: Promise<void>[] = [];
  for (let i = 0; i < 1000; i++) {
    const s = await connect(f.address.port, '127.0.8.1');
    all.push(s);
    s.on('error', () => undefined);
    closed.push(new Promise((r) => s.once('close', () => r())));
  }
  await waitUntil(() => f.metric('bgpdns_dns_tcp_closed_by_limit_total', 'reason="per_client_cap"'), (n) => n === 984 || `${n} closed`, {
    what: '984 connections over the per-client cap closed',
    timeout: 10_000,
  });
  t.is(await f.metric('bgpdns_dns_tcp_connections'), 16);
  await wellBehaved(t, f, '127.0.8.2');
});

test.serial('a full table of idle connections from many addresses: a new client takes the idlest one’s place', async (t) => {
  const f = await front(t, ['--tcp-max', '64', '--tcp-per-client', '4', '--tcp-idle', '60000']);
  const all = sockets(t);
  for (let i = 0; i < 64; i++) {
    const s = await connect(f.address.port, `127.0.9.${1 + Math.floor(i / 4)}`);
    s.on('error', () => undefined);
    all.push(s);
  }
  await waitUntil(() => f.metric('bgpdns_dns_tcp_connections'), (n) => n === 64 || `${n} open`, { what: '64 connections open' });
  await wellBehaved(t, f, '127.0.10.1');
  t.true((await f.metric('bgpdns_dns_tcp_closed_by_limit_total', 'reason="evicted_idle"')) >= 1);
  t.is(await f.metric('bgpdns_dns_tcp_closed_by_limit_total', 'reason="overall_cap"'), 0);
});

test.serial('an idle connection is closed after --tcp-idle', async (t) => {
  const f = await front(t, ['--tcp-idle', '300']);
  const all = sockets(t);
  const s = await connect(f.address.port, '127.0.11.1');
  all.push(s);
  const opened = performance.now();
  await new Promise<void>((r) => s.once('close', () => r()));
  const ms = performance.now() - opened;
  t.true(ms >= 250, `closed after ${ms.toFixed(0)} ms`);
  t.is(await f.metric('bgpdns_dns_tcp_closed_by_limit_total', 'reason="idle_timeout"'), 1);
});

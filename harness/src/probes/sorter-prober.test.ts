import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSorterProberArgs, runSorterProber, sorterFirst, type SorterSample } from './sorter-prober.js';
import { ProbeTimeoutError, SorterUdpClient, type SorterAsker } from './sorter-udp.js';
import { Rib, QueryServer, Sorter } from '@bgpdns-lab/bgpdns/sorter';
import { path, prefix } from '@bgpdns-lab/bgpdns/testing';

const dir = mkdtempSync(join(tmpdir(), 'sorter-prober-'));
const keyFile = join(dir, 'key');
writeFileSync(keyFile, `1:${'ab'.repeat(32)}\n`);
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const good = ['--server', '127.0.0.1:179', '--key', keyFile, '--client', '198.19.1.10', '198.18.16.10', '198.18.32.10'];

test('arguments: a full command line parses', (t) => {
  const o = parseSorterProberArgs(good);
  t.is(o.port, 179);
  t.is(o.keyId, 1);
  t.deepEqual(o.clients, ['198.19.1.10']);
  t.deepEqual(o.candidates, ['198.18.16.10', '198.18.32.10']);
  t.is(o.intervalMs, 20);
});

test('arguments: each bad input names the flag', (t) => {
  t.throws(() => parseSorterProberArgs(good.map((a) => (a === '127.0.0.1:179' ? '127.0.0.1' : a))), { message: /--server must be ADDR:PORT/ });
  t.throws(() => parseSorterProberArgs(good.map((a) => (a === keyFile ? join(dir, 'missing') : a))), { message: /--key .*missing/ });
  t.throws(() => parseSorterProberArgs(good.map((a) => (a === '198.19.1.10' ? 'h1' : a))), { message: /--client must be/ });
  t.throws(() => parseSorterProberArgs([...good, 'www']), { message: /candidates must be IP addresses/ });
  t.throws(() => parseSorterProberArgs([...good, '--interval', '0']), { message: /--interval must be a number/ });
});

test('sorterFirst: the single best candidate, none on ties or without a ranking', (t) => {
  const c = ['a', 'b', 'c'];
  const s = (status: SorterSample['status'], preferences: number[]): SorterSample => ({ at: 0, client: 'x', status, preferences, latencyMs: 0 });
  t.is(sorterFirst(s('ranked', [998, 1000, 999]), c), 'b');
  t.is(sorterFirst(s('ranked', [1000, 1000, 1]), c), undefined);
  t.is(sorterFirst(s('no-route', [0, 0, 0]), c), undefined);
  t.is(sorterFirst(s('timeout', []), c), undefined);
});

test('the loop asks about every client each interval and records timeouts as such', async (t) => {
  let n = 0;
  const ranker: SorterAsker = {
    rank: async (req) => {
      n++;
      if (req.client === '198.19.2.10') throw new ProbeTimeoutError('no answer within 200 ms');
      return { status: 'ranked', preferences: [1000, 999], generation: 3, neighborAs: 64501, matchedPrefix: '198.19.1.0/24' };
    },
  };
  const out: SorterSample[] = [];
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const loop = runSorterProber(ranker, { ...parseSorterProberArgs(good), clients: ['198.19.1.10', '198.19.2.10'], intervalMs: 5 }, (s) => out.push(s), stopped);
  await new Promise((r) => setTimeout(r, 60));
  stop();
  await loop;
  t.true(n >= 4);
  t.true(out.some((s) => s.client === '198.19.1.10' && s.status === 'ranked' && s.neighborAs === 64501));
  t.true(out.some((s) => s.client === '198.19.2.10' && s.status === 'timeout'));
});

test("the prober's own protocol client talks to the real sorter: ranked answers, and silence as a timeout", async (t) => {
  const key = Buffer.alloc(32, 0x5a);
  const rib = new Rib({ localAsn: 65010 });
  const isp1 = rib.addPeer({ address: '198.18.16.5', asn: 64501 });
  rib.peerUp(isp1, '198.18.255.1');
  rib.update(isp1, path([64501]), [prefix('198.18.16.0/20')]);
  rib.update(isp1, path([64501, 64521]), [prefix('198.19.1.0/24')]);
  const server = new QueryServer({ ranker: new Sorter(rib), keys: new Map([[1, key]]) });
  const { port } = await server.listen(0, '127.0.0.1');
  const client = await SorterUdpClient.open('127.0.0.1', port, 1, key);
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  const a = await client.rank({ client: '198.19.1.10', candidates: ['198.18.16.10', '198.18.99.1'] }, { timeoutMs: 2000 });
  t.like(a, { status: 'ranked', matchedPrefix: '198.19.1.0/24', scopeLength: 24, neighborAs: 64501, generation: rib.generation, preferences: [1000, 0] });
  const wrongKey = await SorterUdpClient.open('127.0.0.1', port, 2, key);
  t.teardown(() => wrongKey.close());
  await t.throwsAsync(wrongKey.rank({ client: '198.19.1.10', candidates: [] }, { timeoutMs: 200 }), { instanceOf: ProbeTimeoutError });
});

import test from 'ava';
import { createSocket, type Socket } from 'node:dgram';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import dnsPacket from 'dns-packet';
import { parseProberArgs, runProber } from './dns-prober.js';
import { clientOutage, instanceChanges, parseSamples, type DnsProbeSample } from './dns-samples.js';
import { monoNow } from '../clock.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';

/** A loopback DNS responder answering TXT with its current `site`, or staying silent while `mute`. */
async function responder(): Promise<{ socket: Socket; port: number; state: { site: string; mute: boolean } }> {
  const state = { site: 'site-a', mute: false };
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    if (state.mute) return;
    const q = dnsPacket.decode(msg);
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: q.questions,
      answers: [{ type: 'TXT', name: q.questions![0].name, ttl: 0, data: state.site }],
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { socket, port: socket.address().port, state };
}

test('samples every interval on a fixed schedule through an outage and a site switch', async (t) => {
  const dns = await responder();
  t.teardown(() => dns.socket.close());
  const samples: DnsProbeSample[] = [];
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const opts = parseProberArgs(['--server', '127.0.0.1', '--port', String(dns.port), '--name', 'whoami.anycast.lab', '--type', 'TXT', '--interval', '10', '--timeout', '250']);
  const startedAt = monoNow();
  const running = runProber(opts, (s) => samples.push(s), stopped);
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // Warm up until answers flow (a loaded machine can stall this process at start).
  await waitUntil(() => samples.slice(-5), (last) => (last.length === 5 && last.every((x) => x.outcome === 'answer')) || 'not 5 answers in a row yet', { what: 'answers flowing', timeout: 60_000, interval: 20 });
  await wait(100);
  const t0 = monoNow();
  dns.state.mute = true;
  await wait(300);
  dns.state.site = 'site-b';
  dns.state.mute = false;
  const unmutedAt = monoNow();
  await wait(200);
  const stoppedAt = monoNow();
  stop();
  const sent = await running;
  samples.sort((a, b) => a.at - b.at);
  const expected = (stoppedAt - startedAt) / 10;
  t.true(Math.abs(sent - expected) <= 3, `sent ${sent} queries in ${Math.round(stoppedAt - startedAt)} ms at 10 ms`);
  t.is(samples.length, sent, 'every query produced a sample');
  const o = clientOutage(samples, t0, monoNow());
  t.is(o.before, 'site-a');
  t.is(o.after, 'site-b');
  // Responder and prober share this process's event loop, so under load a send can lag
  // its timestamp: the outage is compared with the mute as the responder timed it.
  const muted = unmutedAt - t0;
  t.true(o.outageMs > muted - 120 && o.outageMs < muted + 150, `outage ${o.outageMs} ms for a ${muted} ms mute`);
  t.true(o.switchMs! > muted - 120 && o.switchMs! < muted + 150, `switch ${o.switchMs} ms for a ${muted} ms mute`);
  t.true(o.lost >= 25, `lost ${o.lost}`);
  t.deepEqual(
    instanceChanges(samples.filter((x) => x.at >= t0 - 50)).map((c) => [c.from, c.to]),
    [
      ['site-a', undefined],
      [undefined, 'site-b'],
    ],
  );
});

test('clientOutage: no failures means no outage; an unfinished outage runs to the window end', (t) => {
  const s = (at: number, site?: string): DnsProbeSample => ({
    at,
    seq: at,
    outcome: site ? 'answer' : 'timeout',
    rcode: site ? 'NOERROR' : undefined,
    answers: site ? [site] : [],
    latencyMs: 1,
  });
  const clean = [s(0, 'a'), s(10, 'a'), s(20, 'b'), s(30, 'b')];
  t.like(clientOutage(clean, 5, 40), { before: 'a', after: 'b', outageMs: 0, switchMs: 15, lost: 0, sent: 3 });
  const stuck = [s(0, 'a'), s(10), s(20), s(30)];
  t.like(clientOutage(stuck, 5, 40), { before: 'a', after: undefined, outageMs: 30, outageStart: 10, outageEnd: undefined, lost: 3 });
});

test('parseSamples names file and line of a malformed sample; tolerates a half-written last line', (t) => {
  t.throws(() => parseSamples('{"at":1,"outcome":"answer","answers":[]}\nnope\n{"at":2', 'p.jsonl'), { message: /^p\.jsonl:2: not a prober sample/ });
  t.is(parseSamples('{"at":1,"seq":0,"outcome":"answer","answers":[]}\n{"at":2,"ou', 'p.jsonl').length, 1);
  t.throws(() => parseSamples('{"x":1}\n', 'p.jsonl'), { message: 'p.jsonl:1: not a prober sample (needs at, outcome, answers): {"x":1}' });
});

test('bad prober arguments name the flag', (t) => {
  t.throws(() => parseProberArgs(['--server', 'dns.example', '--name', 'x']), { message: /--server must be an IP address, got "dns.example"/ });
  t.throws(() => parseProberArgs(['--server', '127.0.0.1', '--name', 'x', '--interval', '0']), { message: /--interval must be a number ≥ 1, got "0"/ });
  t.throws(() => parseProberArgs(['--server', '127.0.0.1', '--name', 'x', '--subnet', '198.19.1.0/33']), { message: /--subnet: client subnet must be ADDR\/LEN .* got "198.19.1.0\/33"/ });
});

test('the prober child process writes JSON lines with monotonic send times', async (t) => {
  const dns = await responder();
  t.teardown(() => dns.socket.close());
  const dir = mkdtempSync(join(tmpdir(), 'h8-prober-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'p.jsonl');
  const main = join(dirname(fileURLToPath(import.meta.url)), 'dns-prober-main.ts');
  const before = monoNow();
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', main, '--server', '127.0.0.1', '--port', String(dns.port), '--name', 'w.lab', '--type', 'TXT', '--interval', '20', '--duration', '300', '--out', out], (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  const samples = parseSamples(readFileSync(out, 'utf8'), out);
  t.true(samples.length >= 12 && samples.length <= 17, `${samples.length} samples`);
  t.true(samples[0].at > before && samples.at(-1)!.at < monoNow(), 'child send times are on the harness clock');
  t.true(samples.every((s) => s.outcome === 'answer' && s.answers[0] === 'site-a'));
});

test('with --subnet every query carries that EDNS client subnet; the answer TTL and the echoed scope are recorded', async (t) => {
  const seen: string[] = [];
  const socket = createSocket('udp4');
  t.teardown(() => socket.close());
  socket.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const opt = (q.additionals ?? []).find((a) => a.type === 'OPT') as dnsPacket.OptAnswer | undefined;
    const ecs = opt?.options.find((o) => o.code === 8) as unknown as { ip: string; sourcePrefixLength: number; family: number };
    seen.push(`${ecs.ip}/${ecs.sourcePrefixLength}`);
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id,
      questions: q.questions,
      answers: [{ type: 'A', name: q.questions![0].name, ttl: 42, data: '198.18.16.10' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [{ code: 'CLIENT_SUBNET', family: 1, sourcePrefixLength: ecs.sourcePrefixLength, scopePrefixLength: 25, ip: ecs.ip }] } as unknown as dnsPacket.Answer],
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const samples: DnsProbeSample[] = [];
  const opts = parseProberArgs(['--server', '127.0.0.1', '--port', String(socket.address().port), '--name', 'www.bgpdns.lab', '--subnet', '198.19.1.128/25', '--interval', '10', '--duration', '60']);
  await runProber(opts, (x) => samples.push(x), new Promise(() => undefined));
  t.true(samples.length > 0);
  t.deepEqual([...new Set(seen)], ['198.19.1.128/25']);
  const good = samples.filter((x) => x.outcome === 'answer');
  t.true(good.length > 0);
  for (const x of good) t.like(x, { answers: ['198.18.16.10'], ttl: 42, scope: 25 });
});

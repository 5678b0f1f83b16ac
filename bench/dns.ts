/**
 * `./bgpdns-lab bench dns [--quick]`: the DNS front against tinydns, with dnsperf.
 *
 * Same data, same run, all on loopback, one target at a time:
 *  1. tinydns (Debian package) serving the data (port 53 on its own 127.x address);
 *  2. `bgpdns dns --data` (file mode) with the sorter on: a real sorter query
 *     service (sorter/server.ts + Sorter over a RIB with three upstreams, in its
 *     own process) reached over authenticated UDP through sorter/client.ts;
 *  3. `bgpdns dns --upstream` (proxy mode) in front of that same tinydns, sorter on.
 * For each: a warm-up, a latency phase at a fixed rate below saturation
 * (dnsperf -Q RATE -v: p50/p99/max from every answer's latency), then a
 * throughput phase (dnsperf -c 4, as many queries as it can: qps, loss, mean latency).
 * Queries ask A for 1,000 names with three addresses each (one per upstream),
 * every query carrying the EDNS client subnet 198.18.64.0/24, so each answer
 * is ordered by the sorter's decision (cached per matched prefix and RRset).
 *
 * Last stdout line: one JSON object (docs/contracts.md).
 * Internal mode: `bench/dns.ts --sorter-service KEYHEX` runs the sorter service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, release, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { Rib } from '../images/bgpdns/src/rib/rib.js';
import { path as asPath, prefix } from '../images/bgpdns/src/rib/test-helpers.js';
import { QueryServer } from '../images/bgpdns/src/sorter/server.js';
import { Sorter } from '../images/bgpdns/src/sorter/sorter.js';
import { startTinydns, loopbackAddress, type TinydnsProcess } from '../images/bgpdns/src/dns/testing/tinydns-process.js';
import { buildQuery, queryUdp } from '../images/bgpdns/src/dns/testing/dns-client.js';
import { round } from './_figures.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '../images/bgpdns/bin/bgpdns.js');
const KEY_HEX = '68352d62656e63682d6b65792d68352d62656e63682d6b65792d68352d626e';
const NAMES = 1000;
/** EDNS option 8, family 1, /24, scope 0, 198.18.64 (dnsperf -E code:hex). */
const ECS_HEX = '00011800c61240';

// ------------------------------------------------------------------ sorter service (child process)

async function sorterService(keyHex: string): Promise<void> {
  const rib = new Rib({ localAsn: 64500 });
  const isps = [64501, 64502, 64503].map((asn, i) => {
    const peer = rib.addPeer({ address: `198.18.${i + 1}.1`, asn });
    rib.peerUp(peer, `198.18.255.${i + 1}`);
    rib.update(peer, asPath([asn]), [prefix(`198.18.${101 + i}.0/24`)]);
    return peer;
  });
  // The clients' network: best through ISP1 (shortest path); loopback clients best through ISP2.
  rib.update(isps[0], asPath([64501, 64510]), [prefix('198.18.64.0/20')]);
  rib.update(isps[1], asPath([64502, 64520, 64510]), [prefix('198.18.64.0/20')]);
  rib.update(isps[2], asPath([64503, 64530, 64540, 64510]), [prefix('198.18.64.0/20')]);
  rib.update(isps[1], asPath([64502, 64511]), [prefix('127.0.0.0/8')]);
  const server = new QueryServer({ ranker: new Sorter(rib), keys: new Map([[1, Buffer.from(keyHex, 'hex')]]), queueLimit: 4096 });
  const addr = await server.listen(0, '127.0.0.1');
  process.stdout.write(`port ${addr.port}\n`);
  await new Promise<void>((r) => process.once('SIGTERM', () => r()));
  await server.close();
}

// ------------------------------------------------------------------ helpers

interface Started {
  child: ChildProcess;
  stop(): Promise<void>;
}

function startChild(args: string[], readyLine: RegExp): Promise<Started & { match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = readyLine.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m, stop: () => stopChild(child) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} not ready within 20 s: ${out.trim()}`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}: ${out.trim()}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`${cmd} exited ${code}: ${Buffer.concat(chunks).toString().slice(-500)}`))));
  });
}

interface Throughput {
  qps: number;
  sent: number;
  lost: number;
  meanLatencyMs: number;
}

async function throughput(host: string, port: number, queries: string, seconds: number): Promise<Throughput> {
  const out = await run('dnsperf', ['-s', host, '-p', String(port), '-d', queries, '-l', String(seconds), '-c', '4', '-q', '200', '-E', `8:${ECS_HEX}`]);
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  return {
    qps: round(num(/Queries per second:\s+([\d.]+)/), 0),
    sent: num(/Queries sent:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    meanLatencyMs: round(num(/Average Latency \(s\):\s+([\d.]+)/) * 1000),
  };
}

interface Latency {
  rate: number;
  answered: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

async function latency(host: string, port: number, queries: string, seconds: number, rate: number): Promise<Latency> {
  const out = await run('dnsperf', ['-s', host, '-p', String(port), '-d', queries, '-l', String(seconds), '-Q', String(rate), '-c', '4', '-v', '-E', `8:${ECS_HEX}`]);
  const lat: number[] = [];
  for (const line of out.split('\n')) {
    const m = /^> \S+ .* ([\d.]+)$/.exec(line);
    if (m) lat.push(Number(m[1]) * 1000);
  }
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))];
  return { rate, answered: lat.length, p50Ms: round(pct(50)), p99Ms: round(pct(99)), maxMs: round(lat[lat.length - 1]) };
}

async function firstAddress(host: string, port: number, name: string): Promise<string> {
  const q = buildQuery({ name, type: 'A', edns: { ecs: { family: 1, sourcePrefix: 24, address: '198.18.64.0' } } });
  const r = await queryUdp({ host, port }, q, { timeoutMs: 1000 });
  if (!r) throw new Error(`${host}:${port} did not answer ${name} A`);
  return (dnsPacket.decode(r).answers![0] as { data: string }).data;
}

async function metricValue(httpPort: number, re: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = re.exec(line);
    if (m) sum += Number(m[1]);
  }
  return sum;
}

// ------------------------------------------------------------------ main

async function main(quick: boolean): Promise<void> {
  const phase = quick ? { warm: 1, throughput: 5, latency: 4, rate: 5000 } : { warm: 2, throughput: 15, latency: 10, rate: 10000 };
  // The machine is shared: the load average says how much the timings can be trusted.
  const loadStart = loadavg()[0];
  const dir = mkdtempSync(join(tmpdir(), 'h5-bench-dns-'));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const lines = ['.lab.example:198.18.0.1:a'];
    for (let i = 0; i < NAMES; i++) {
      const host = (i % 250) + 1;
      for (const isp of [101, 102, 103]) lines.push(`+www${i}.lab.example:198.18.${isp}.${host}`);
    }
    const data = lines.join('\n') + '\n';
    const dataPath = join(dir, 'data');
    writeFileSync(dataPath, data);
    const queries = join(dir, 'queries');
    writeFileSync(queries, Array.from({ length: NAMES * 4 }, (_, i) => `www${(i * 7919) % NAMES}.lab.example A`).join('\n') + '\n');
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, `1:${KEY_HEX}\n`);

    const sorter = await startChild([fileURLToPath(import.meta.url), '--sorter-service', KEY_HEX], /port (\d+)/);
    cleanups.push(sorter.stop);
    const sorterAddr = `127.0.0.1:${sorter.match[1]}`;

    const tinydns: TinydnsProcess = await startTinydns(data, loopbackAddress(40), { probeName: 'lab.example' });
    cleanups.push(tinydns.stop);

    const filePort = await freePort();
    const fileHttp = await freePort();
    const file = await startChild([bin, 'dns', '--data', dataPath, '--listen', `127.0.0.1:${filePort}`, '--sorter', sorterAddr, '--key', keyFile, '--http', `127.0.0.1:${fileHttp}`], /serving/);
    cleanups.push(file.stop);
    const proxyPort = await freePort();
    const proxyHttp = await freePort();
    const proxy = await startChild([bin, 'dns', '--upstream', `${tinydns.ip}:53`, '--listen', `127.0.0.1:${proxyPort}`, '--sorter', sorterAddr, '--key', keyFile, '--http', `127.0.0.1:${proxyHttp}`], /serving/);
    cleanups.push(proxy.stop);

    // Sanity: the client subnet's best path is ISP1, so 198.18.101.x comes first through the front.
    for (const [what, port] of [['file mode', filePort], ['proxy mode', proxyPort]] as const) {
      const first = await firstAddress('127.0.0.1', port, 'www7.lab.example');
      if (first !== '198.18.101.8') throw new Error(`${what} answered ${first} first, expected 198.18.101.8 (sorter order)`);
    }

    const targets = [
      { name: 'tinydns', host: tinydns.ip, port: 53 },
      { name: 'file', host: '127.0.0.1', port: filePort },
      { name: 'proxy', host: '127.0.0.1', port: proxyPort },
    ];
    const results: Record<string, { throughput: Throughput; latency: Latency }> = {};
    for (const t of targets) {
      // Warm up (answer cache, sorter decisions), measure latency below saturation, then saturate.
      await latency(t.host, t.port, queries, phase.warm, phase.rate);
      const lt = await latency(t.host, t.port, queries, phase.latency, phase.rate);
      const tp = await throughput(t.host, t.port, queries, phase.throughput);
      results[t.name] = { throughput: tp, latency: lt };
      process.stderr.write(`bench dns: ${t.name}: ${tp.qps} q/s (lost ${tp.lost}), at ${lt.rate} q/s p50 ${lt.p50Ms} ms p99 ${lt.p99Ms} ms\n`);
    }
    const sorterOk = await metricValue(fileHttp, /^bgpdns_dns_sorter_requests_total\{result="ok"\} (\d+)/);
    const sorterFail = await metricValue(fileHttp, /^bgpdns_dns_sorter_requests_total\{result="(?:timeout|error)"\} (\d+)/);
    const cacheHits = await metricValue(fileHttp, /^bgpdns_dns_decision_cache_total\{result="hit"\} (\d+)/);
    const fallbacks = await metricValue(fileHttp, /^bgpdns_dns_sorter_fallbacks_total\{reason="(?:timeout|error|defective|probe-in-flight)"\} (\d+)/);

    const t = results.tinydns;
    const f = results.file;
    const p = results.proxy;
    const fileRatio = round(f.throughput.qps / t.throughput.qps);
    const figures = {
      tinydns_qps: t.throughput.qps,
      file_qps: f.throughput.qps,
      proxy_qps: p.throughput.qps,
      file_vs_tinydns_qps: fileRatio,
      proxy_vs_tinydns_qps: round(p.throughput.qps / t.throughput.qps),
      tinydns_lost: t.throughput.lost,
      file_lost: f.throughput.lost,
      proxy_lost: p.throughput.lost,
      latency_rate_qps: phase.rate,
      tinydns_p50_ms: t.latency.p50Ms,
      tinydns_p99_ms: t.latency.p99Ms,
      file_p50_ms: f.latency.p50Ms,
      file_p99_ms: f.latency.p99Ms,
      proxy_p50_ms: p.latency.p50Ms,
      proxy_p99_ms: p.latency.p99Ms,
      file_p99_vs_tinydns: round(f.latency.p99Ms / t.latency.p99Ms),
      file_sorter_requests_ok: sorterOk,
      file_sorter_requests_failed: sorterFail,
      file_decision_cache_hits: cacheHits,
      file_sorter_fallbacks: fallbacks,
      sorter: 'real sorter query service (sorter/server.ts + Sorter, 3-upstream RIB) over authenticated UDP, own process',
      names: NAMES,
      addresses_per_name: 3,
      loadavg_1m_start: round(loadStart, 2),
      loadavg_1m_end: round(loadavg()[0], 2),
    };
    const report = {
      bench: 'dns',
      quick,
      machine: { cores: cpus().length, kernel: release() },
      figures,
      targets: [
        { name: 'file_vs_tinydns_qps', value: fileRatio, op: '>=', target: 1.0, met: fileRatio >= 1.0 },
        { name: 'file_p99_ms_below_saturation', value: f.latency.p99Ms, op: '<', target: 2, met: f.latency.p99Ms < 2 },
      ],
    };
    console.log(JSON.stringify(report));
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--sorter-service') {
  await sorterService(argv[1]);
} else {
  try {
    await main(argv.includes('--quick'));
  } catch (e) {
    console.log(`bench dns could not run: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}

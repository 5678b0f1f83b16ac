/**
 * Soak: the DNS front and the sorter, each its own process, for 10 minutes
 * (--quick: 1 minute) under everything at once —
 *   - a UDP flood over the rate limit (one /24, random subdomains and real names),
 *   - TCP slow clients: pipeliners that never read, idle connections up to the
 *     per-client cap, reconnecting whenever the front closes them,
 *   - BGP churn into the sorter: waves of announcements and withdrawals every
 *     200 ms and a session reset (full table again) every 60 s,
 * while a well-behaved client (its own address) asks over UDP every 100 ms and
 * over TCP every 500 ms, and the daemons' RSS is read from /proc every 5 s.
 * The flood and the slow clients run in a child process (`--load`), so the
 * well-behaved client's timings are not taken by the process generating load.
 * Targets: RSS bounded (the last half's peak against the RSS at the end of the
 * first minute, same run), 0 crashes, 0 internal errors, every well-behaved
 * query answered; p99s are reported.
 *   ./bgpdns-lab bench soak [--quick]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, release, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { BgpSpeaker, Afi, AsPathSegmentType, type Prefix, type Session } from '@bgpdns-lab/bgpdns/bgp';
import { buildQuery, queryTcp, queryUdp, bgpdnsBin, freePort, startFrontProcess, vmRssKb } from '@bgpdns-lab/bgpdns/testing';
import { TcpFramer } from '@bgpdns-lab/bgpdns';
import { percentileOrNaN, round } from './_figures.js';
import { waitUntil } from '@bgpdns-lab/harness';

const SECRET = '5a'.repeat(32);
const SORTER_AS = 64500;
const CHURN_AS = 64501;
const RRL_RATE = 50;
const GOOD_CLIENT = '127.0.70.1';

function zone(): string {
  const lines = ['.soak.lab:198.18.0.1:a', "'big.soak.lab:" + 'x'.repeat(200)];
  for (let i = 0; i < 50; i++) lines.push(`+www${i}.soak.lab:198.18.${100 + (i % 3)}.${1 + i}`, `+www${i}.soak.lab:198.18.${110 + (i % 3)}.${1 + i}`);
  return lines.join('\n') + '\n';
}

// ---------- the load child: UDP flood and TCP slow clients ----------

async function runLoad(port: number, seconds: number): Promise<void> {
  const end = Date.now() + seconds * 1000;
  const dgram = await import('node:dgram');
  const flood = dgram.createSocket('udp4');
  await new Promise<void>((r) => flood.bind(0, '127.0.60.1', () => r()));
  flood.on('message', () => undefined);
  let sent = 0;
  // ~2,000 q/s in bursts of 20 every 10 ms; a third to random names under the zone (NXDOMAIN).
  const floodTimer = setInterval(() => {
    for (let i = 0; i < 20; i++) {
      const name = sent % 3 === 0 ? `r${Math.floor(Math.random() * 1e9)}.soak.lab` : `www${sent % 50}.soak.lab`;
      flood.send(buildQuery({ name, type: 'A' }), port, '127.0.0.1');
      sent++;
    }
  }, 10);

  // Slow TCP clients: pipeliners that never read, and idle holders, from several addresses; reconnect when closed.
  const sockets = new Set<net.Socket>();
  let opened = 0;
  const keep = (from: string, pipeline: boolean) => {
    if (Date.now() > end) return;
    const s = net.connect({ port, host: '127.0.0.1', localAddress: from });
    opened++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => {
      sockets.delete(s);
      setTimeout(() => keep(from, pipeline), 200);
    });
    if (pipeline) {
      s.pause();
      s.on('connect', () => {
        const batch = Array.from({ length: 2000 }, (_, i) => TcpFramer.frame(buildQuery({ name: 'big.soak.lab', type: 'TXT', id: i })));
        s.write(Buffer.concat(batch));
      });
    }
  };
  for (let a = 0; a < 8; a++) for (let c = 0; c < 20; c++) keep(`127.0.61.${1 + a}`, c < 4);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(floodTimer);
  for (const s of sockets) s.destroy();
  flood.close();
  process.stdout.write(`${JSON.stringify({ udpFloodSent: sent, tcpConnectionsOpened: opened })}\n`);
}

// ---------- BGP churn into the sorter ----------

function churnPrefix(i: number): Prefix {
  // Table data only (the sorter installs nothing): /24s spread over 100.64.0.0/10-shaped space and the clients' 127/8.
  const bytes = i < 64 ? new Uint8Array([127, i, 0]) : new Uint8Array([100, 64 + ((i >> 8) & 63), i & 255]);
  return { afi: Afi.IPv4, bytes, len: 24 };
}

function startChurn(bgpPort: number, tableSize: number): { stats: { updates: number; resets: number; sessions: number }; stop: () => Promise<void> } {
  let speaker = new BgpSpeaker();
  const stats = { updates: 0, resets: 0, sessions: 0 };
  let session: Session | undefined;
  let wave = 0;
  let waveTimer: NodeJS.Timeout | undefined;
  const start = () => {
    session = speaker.addPeer({ address: '127.0.0.1', port: bgpPort, localAs: CHURN_AS, peerAs: SORTER_AS, routerId: '198.18.255.1', mode: 'active', holdTime: 9, connectRetryTime: 1 });
    session.on('established', () => {
      stats.sessions++;
      const all = Array.from({ length: tableSize }, (_, i) => churnPrefix(i));
      for (let i = 0; i < all.length; i += 200) {
        session!.sendUpdate({ nlri: all.slice(i, i + 200), attrs: { origin: 0, asPath: [{ type: AsPathSegmentType.AsSequence, asns: [CHURN_AS, 64510] }], nextHop: '127.0.0.1' } });
        stats.updates++;
      }
      session!.sendEndOfRib(Afi.IPv4);
    });
  };
  start();
  waveTimer = setInterval(() => {
    if (!session?.negotiated) return;
    // A wave: 100 prefixes withdrawn, the 100 withdrawn last time back with a longer path.
    const base = (wave * 100) % tableSize;
    const prev = ((wave - 1 + tableSize) * 100) % tableSize;
    const withdrawn = Array.from({ length: 100 }, (_, i) => churnPrefix((base + i) % tableSize));
    const back = Array.from({ length: 100 }, (_, i) => churnPrefix((prev + i) % tableSize));
    try {
      session.sendUpdate({ withdrawn });
      session.sendUpdate({ nlri: back, attrs: { origin: 0, asPath: [{ type: AsPathSegmentType.AsSequence, asns: [CHURN_AS, 64510 + (wave % 7), 64520] }], nextHop: '127.0.0.1' } });
      stats.updates += 2;
    } catch {
      // Session went down between the check and the send; the next wave will see it.
    }
    wave++;
    if (wave % 300 === 0) {
      // Every 60 s: reset the session; the sorter flushes and re-learns the table.
      stats.resets++;
      const old = speaker;
      session = undefined;
      void old.close().then(() => {
        speaker = new BgpSpeaker();
        start();
      });
    }
  }, 200);
  return {
    stats,
    async stop() {
      clearInterval(waveTimer);
      await speaker.close();
    },
  };
}

// ---------- the sorter daemon ----------

async function startSorter(dir: string): Promise<{ pid: number; bgpPort: number; queryPort: number; alive: () => boolean; stop: () => Promise<void> }> {
  const probe = new BgpSpeaker();
  const { port: bgpPort } = await probe.listen(0, '127.0.0.1');
  await probe.close();
  const queryPort = await freePort();
  const config = join(dir, 'sorter.json');
  writeFileSync(
    config,
    JSON.stringify({
      localAsn: SORTER_AS,
      routerId: '198.18.0.10',
      bgp: { address: '127.0.0.1', port: bgpPort },
      peers: [{ address: '127.0.0.1', asn: CHURN_AS, fastFailover: false }],
      query: { address: '127.0.0.1', port: queryPort, keys: [{ id: 1, secret: SECRET }] },
      statusFile: join(dir, 'sorter-status.json'),
    }),
  );
  const child = spawn(process.execPath, [bgpdnsBin, 'sorter', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Ends early when the sorter exits (the check below reports it).
  await waitUntil(() => err, (e) => e.includes('query service listening') || child.exitCode !== null, { what: 'the sorter listening', timeout: 20_000, interval: 50 }).catch(() => undefined);
  if (child.exitCode !== null) throw new Error(`sorter exited at start: ${err}`);
  return {
    pid: child.pid!,
    bgpPort,
    queryPort,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------- the well-behaved client ----------

interface ClientStats {
  ms: number[];
  unanswered: number;
  asked: number;
}

function wellBehaved(port: number, transport: 'udp' | 'tcp', everyMs: number): { stats: ClientStats; stop: () => Promise<void> } {
  const stats: ClientStats = { ms: [], unanswered: 0, asked: 0 };
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const ask = async () => {
    const q = buildQuery({ name: `www${stats.asked % 50}.soak.lab`, type: 'A' });
    stats.asked++;
    const started = performance.now();
    const r = transport === 'udp' ? await queryUdp({ host: '127.0.0.1', port }, q, { from: GOOD_CLIENT, timeoutMs: 1000 }) : await queryTcp({ host: '127.0.0.1', port }, q, 1000, GOOD_CLIENT);
    if (r && (r[3] & 0xf) === 0 && r.readUInt16BE(6) >= 1) stats.ms.push(performance.now() - started);
    else stats.unanswered++;
  };
  const timer = setInterval(() => {
    if (!stopped) inFlight = ask();
  }, everyMs);
  return {
    stats,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}

// ---------- main ----------

/** Every daemon and load process started, killed on any exit (an uncaught error included), by PID. */
const children: ChildProcess[] = [];
let workDir: string | undefined;
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

async function main(quick: boolean): Promise<void> {
  const seconds = quick ? 60 : 600;
  const warmS = quick ? 15 : 60;
  const loadStart = loadavg()[0];
  const dir = mkdtempSync(join(tmpdir(), 'ha14-soak-'));
  workDir = dir;
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const data = join(dir, 'data');
    writeFileSync(data, zone());
    writeFileSync(join(dir, 'key'), `1:${SECRET}\n`);
    const sorter = await startSorter(dir);
    cleanups.push(sorter.stop);
    const churn = startChurn(sorter.bgpPort, 4096);
    cleanups.push(churn.stop);
    const front = await startFrontProcess(data, ['--sorter', `127.0.0.1:${sorter.queryPort}`, '--key', join(dir, 'key'), '--rrl-rate', String(RRL_RATE), '--tcp-idle', '5000']);
    cleanups.push(front.stop);
    children.push(front.child);

    const load = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--load', String(front.address.port), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(load);
    let loadOut = '';
    load.stdout!.on('data', (d) => (loadOut += d));
    const loadDone = new Promise<void>((r) => load.once('exit', () => r()));
    cleanups.push(async () => {
      if (load.exitCode === null) load.kill('SIGKILL');
      await loadDone;
    });

    const udp = wellBehaved(front.address.port, 'udp', 100);
    const tcp = wellBehaved(front.address.port, 'tcp', 500);
    const rss: { t: number; front: number; sorter: number }[] = [];
    const t0 = performance.now();
    let crashed = '';
    while ((performance.now() - t0) / 1000 < seconds) {
      await new Promise((r) => setTimeout(r, 5000));
      if (front.child.exitCode !== null || front.child.signalCode !== null) crashed += `front exited (${front.child.exitCode ?? front.child.signalCode}); `;
      if (!sorter.alive()) crashed += 'sorter exited; ';
      if (crashed) break;
      rss.push({ t: (performance.now() - t0) / 1000, front: vmRssKb(front.pid), sorter: vmRssKb(sorter.pid) });
      const last = rss.at(-1)!;
      process.stderr.write(`bench soak: ${last.t.toFixed(0)} s: front ${(last.front / 1024).toFixed(1)} MB, sorter ${(last.sorter / 1024).toFixed(1)} MB, udp ${udp.stats.ms.length}/${udp.stats.asked}, tcp ${tcp.stats.ms.length}/${tcp.stats.asked}, bgp updates ${churn.stats.updates}\n`);
    }
    await Promise.all([udp.stop(), tcp.stop()]);
    await loadDone;
    const loadFigures = JSON.parse(loadOut.trim().split('\n').at(-1) || '{}') as { udpFloodSent?: number; tcpConnectionsOpened?: number };
    const metric = (name: string, labels?: string) => (crashed ? Promise.resolve(NaN) : front.metric(name, labels));
    const internalErrors = await metric('bgpdns_dns_internal_errors_total');
    const rrlDropped = await metric('bgpdns_dns_rrl_total', 'action="dropped"');
    const rrlSlipped = await metric('bgpdns_dns_rrl_total', 'action="slipped"');
    const tcpClosed = await metric('bgpdns_dns_tcp_closed_by_limit_total');
    const sorterOk = await metric('bgpdns_dns_sorter_requests_total', 'result="ok"');

    const reference = rss.filter((r) => r.t <= warmS).at(-1) ?? rss[0];
    const lateHalf = rss.filter((r) => r.t >= seconds / 2);
    const peak = (k: 'front' | 'sorter') => Math.max(...lateHalf.map((r) => r[k]));
    const frontGrowth = reference ? round(peak('front') / reference.front) : NaN;
    const sorterGrowth = reference ? round(peak('sorter') / reference.sorter) : NaN;
    const udpMs = [...udp.stats.ms].sort((a, b) => a - b);
    const tcpMs = [...tcp.stats.ms].sort((a, b) => a - b);
    const figures = {
      seconds,
      front_rss_mb_after_warmup: reference ? round(reference.front / 1024, 1) : NaN,
      front_rss_mb_peak_last_half: round(peak('front') / 1024, 1),
      sorter_rss_mb_after_warmup: reference ? round(reference.sorter / 1024, 1) : NaN,
      sorter_rss_mb_peak_last_half: round(peak('sorter') / 1024, 1),
      front_rss_growth: frontGrowth,
      sorter_rss_growth: sorterGrowth,
      crashes: crashed || 'none',
      front_internal_errors: internalErrors,
      good_udp_asked: udp.stats.asked,
      good_udp_unanswered: udp.stats.unanswered,
      good_udp_p50_ms: round(percentileOrNaN(udpMs, 50)),
      good_udp_p99_ms: round(percentileOrNaN(udpMs, 99)),
      good_udp_max_ms: round(udpMs.at(-1) ?? NaN),
      good_tcp_asked: tcp.stats.asked,
      good_tcp_unanswered: tcp.stats.unanswered,
      good_tcp_p50_ms: round(percentileOrNaN(tcpMs, 50)),
      good_tcp_p99_ms: round(percentileOrNaN(tcpMs, 99)),
      good_tcp_max_ms: round(tcpMs.at(-1) ?? NaN),
      udp_flood_sent: loadFigures.udpFloodSent ?? NaN,
      udp_flood_qps: round((loadFigures.udpFloodSent ?? NaN) / seconds, 0),
      rrl_rate_per_bucket: RRL_RATE,
      rrl_dropped: rrlDropped,
      rrl_slipped: rrlSlipped,
      tcp_slow_connections_opened: loadFigures.tcpConnectionsOpened ?? NaN,
      tcp_closed_by_limits: tcpClosed,
      bgp_updates_sent: churn.stats.updates,
      bgp_session_resets: churn.stats.resets,
      bgp_sessions_established: churn.stats.sessions,
      front_sorter_requests_ok: sorterOk,
      rss_samples: rss.map((r) => [round(r.t, 0), round(r.front / 1024, 1), round(r.sorter / 1024, 1)]),
      loadavg_1m_start: round(loadStart, 2),
      loadavg_1m_end: round(loadavg()[0], 2),
    };
    const target = (name: string, value: number, op: '<=' | '==' | '<', t: number) => ({ name, value, op, target: t, met: op === '<=' ? value <= t : op === '<' ? value < t : value === t });
    const report = {
      bench: 'soak',
      quick,
      machine: { cores: cpus().length, kernel: release() },
      figures,
      targets: [
        target('crashes', crashed ? 1 : 0, '==', 0),
        target('front_internal_errors', internalErrors, '==', 0),
        target('front_rss_growth_last_half_vs_after_warmup', frontGrowth, '<=', 1.5),
        target('sorter_rss_growth_last_half_vs_after_warmup', sorterGrowth, '<=', 1.5),
        target('good_udp_unanswered', udp.stats.unanswered, '==', 0),
        target('good_tcp_unanswered', tcp.stats.unanswered, '==', 0),
      ],
    };
    console.log(JSON.stringify(report));
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--load') await runLoad(Number(argv[1]), Number(argv[2]));
else await main(argv.includes('--quick'));

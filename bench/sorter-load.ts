/**
 * Query load generator for `bench/sorter.ts` (run inside the sorter's
 * namespace): authenticated BGPDNS queries over UDP, as lean as a client can
 * be so that the server, not the generator, is what gets measured. Each query
 * is a fresh datagram from a pre-encoded template (4,096 client addresses × the
 * same 3 candidates) with its own request id, timestamp and random nonce, signed
 * with HMAC-SHA256. An answer counts only when its MAC verifies, its timestamp
 * is within the window and it echoes the request id and nonce of a query in
 * flight — the checks SorterClient makes — without building the answer's
 * strings, which a load generator has no use for.
 *
 * Key id 1, secret KEYHEX:
 *   node --import tsx bench/sorter-load.ts HOST PORT KEYHEX throughput SECONDS [WINDOW]
 *     keeps WINDOW (default 64) queries in flight; prints {"mode":"throughput","answered","qps",…}
 *   node --import tsx bench/sorter-load.ts HOST PORT KEYHEX latency SECONDS RATE
 *     sends RATE queries/s in 1 ms batches (one timer tick each), after a 1 s warm-up at the same
 *     rate that is not counted; prints p50/p99 of the round trip of every query, the achieved
 *     rate and how many were lost (no answer within 1 s). SIGINT ends the measured part early
 *     (the bench runs it across a phase of unknown length, e.g. a peer's flush and re-learn).
 *   A last argument `spread` takes the clients at random over 1.0.0.0–223.255.255.255 instead
 *   of the lab range: against a DFZ-shaped table about 40 % of them lie in a prefix. They are
 *   query data only (the sorter looks them up); no packet is sent to them.
 */
import { randomFillSync } from 'node:crypto';
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { formatIPv4, encodeQuery, macValid, sign, DEFAULT_WINDOW_MS, HEADER_LENGTH, MAC_LENGTH } from '@bgpdns-lab/bgpdns';
import { literalLookup } from '@bgpdns-lab/bgpdns/sorter';
import { percentileOrNaN, round } from './_figures.js';
import { waitUntil } from '@bgpdns-lab/harness';

const CANDIDATES = ['198.19.201.10', '198.19.202.10', '2001:db8:c903::10'];
/** Query slots by request id modulo this; more than can be in flight within the 1 s loss timeout. */
const SLOTS = 1 << 17;
const LOST_AFTER_MS = 1000;
const WARMUP_S = 1;
const ANSWER_TYPE = 2;


class LoadGenerator {
  private readonly key: Buffer;
  private readonly templates: Buffer[];
  private readonly socket: dgram.Socket;
  private readonly sentAt = new Float64Array(SLOTS);
  private readonly nonceHi = new Uint32Array(SLOTS);
  private readonly nonceLo = new Uint32Array(SLOTS);
  private readonly pending = new Uint8Array(SLOTS);
  private readonly nonces = new Uint32Array(2 * 8192);
  private noncePos = this.nonces.length;
  private nextId = 1;
  /** Oldest request id that may still be in flight. */
  private oldestId = 1;
  sent = 0;
  answered = 0;
  lost = 0;
  rejected = 0;
  rtts: number[] = [];
  recordRtt = false;
  onAnswer: () => void = () => undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    keyHex: string,
    spread = false,
  ) {
    this.key = Buffer.from(keyHex, 'hex');
    // Spread: /8s 1..223 (a multiplicative hash of i picks the rest), else inside 198.18.0.0/15.
    const clientOf = (i: number): number => (spread ? (((1 + (i % 223)) << 24) | ((Math.imul(i, 2654435761) >>> 8) & 0xffffff)) >>> 0 : (0xc6120000 + ((i * 2654435761) >>> 15)) >>> 0);
    this.templates = Array.from({ length: 4096 }, (_, i) =>
      encodeQuery({
        requestId: 0,
        keyId: 1,
        timestamp: 0,
        nonce: 0n,
        client: formatIPv4(clientOf(i)),
        candidates: CANDIDATES,
      }),
    );
    // HOST is an address literal: answer dgram's per-send lookup at once, as the server does.
    this.socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 8 << 20, sendBufferSize: 8 << 20, lookup: literalLookup });
    this.socket.on('message', (msg) => this.onMessage(msg));
    this.socket.on('error', () => undefined);
  }

  async open(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.bind(0, resolve));
  }

  close(): void {
    this.socket.close();
  }

  send(): void {
    const id = this.nextId;
    this.nextId = (id + 1) >>> 0;
    const slot = id & (SLOTS - 1);
    if (this.pending[slot]) {
      // Still unanswered a full id cycle later: lost long ago.
      this.pending[slot] = 0;
      this.lost++;
    }
    const template = this.templates[id & 4095];
    const buf = Buffer.allocUnsafe(template.length);
    template.copy(buf);
    if (this.noncePos === this.nonces.length) {
      randomFillSync(this.nonces);
      this.noncePos = 0;
    }
    const hi = this.nonces[this.noncePos++];
    const lo = this.nonces[this.noncePos++];
    const now = Date.now();
    buf.writeUInt32BE(id, 4);
    buf.writeUInt32BE(Math.floor(now / 2 ** 32), 12);
    buf.writeUInt32BE(now % 2 ** 32, 16);
    buf.writeUInt32BE(hi, 20);
    buf.writeUInt32BE(lo, 24);
    sign(buf, this.key);
    this.nonceHi[slot] = hi;
    this.nonceLo[slot] = lo;
    this.pending[slot] = 1;
    this.sentAt[slot] = performance.now();
    this.sent++;
    this.socket.send(buf, this.port, this.host);
  }

  private onMessage(msg: Buffer): void {
    if (msg.length < HEADER_LENGTH + MAC_LENGTH || msg[3] !== ANSWER_TYPE || !macValid(msg, this.key)) {
      this.rejected++;
      return;
    }
    const skew = Date.now() - (msg.readUInt32BE(12) * 2 ** 32 + msg.readUInt32BE(16));
    const slot = msg.readUInt32BE(4) & (SLOTS - 1);
    if (Math.abs(skew) > DEFAULT_WINDOW_MS || !this.pending[slot] || msg.readUInt32BE(20) !== this.nonceHi[slot] || msg.readUInt32BE(24) !== this.nonceLo[slot]) {
      this.rejected++;
      return;
    }
    this.pending[slot] = 0;
    this.answered++;
    if (this.recordRtt) this.rtts.push(performance.now() - this.sentAt[slot]);
    this.onAnswer();
  }

  /** Counts queries older than the loss timeout as lost; returns how many were. */
  sweep(now: number): number {
    let found = 0;
    while (this.oldestId !== this.nextId) {
      const slot = this.oldestId & (SLOTS - 1);
      if (this.pending[slot]) {
        if (now - this.sentAt[slot] < LOST_AFTER_MS) break;
        this.pending[slot] = 0;
        this.lost++;
        found++;
      }
      this.oldestId = (this.oldestId + 1) >>> 0;
    }
    return found;
  }

  get inFlight(): number {
    return this.sent - this.answered - this.lost;
  }
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1e6;
}

async function throughput(gen: LoadGenerator, seconds: number, window: number) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  let running = true;
  gen.onAnswer = () => {
    if (running) gen.send();
  };
  for (let i = 0; i < window; i++) gen.send();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      // Refill the window for queries given up as lost.
      const lost = gen.sweep(now);
      for (let i = 0; i < lost && running; i++) gen.send();
      if (now >= until) {
        running = false;
        clearInterval(tick);
        resolve();
      }
    }, 20);
  });
  const elapsed = (performance.now() - t0) / 1000;
  const answered = gen.answered;
  const cpu = cpuSeconds(cpu0);
  // Let the last window drain so it is not counted as lost.
  await new Promise((r) => setTimeout(r, 200));
  return { mode: 'throughput', window, seconds: round(elapsed), sent: gen.sent, answered, qps: Math.round(answered / elapsed), lost: gen.lost, rejected: gen.rejected, client_cpu_s: round(cpu), client_us_per_query: round((cpu * 1e6) / answered, 2) };
}

/** Set by SIGINT: the measured phase ends at the next tick. */
let stopRequested = false;

/** Sends `rate` queries/s for `seconds` (or until SIGINT) in 1 ms batches; resolves when the last batch is out. */
function paced(gen: LoadGenerator, seconds: number, rate: number, stoppable = false): Promise<void> {
  const t0 = performance.now();
  const sent0 = gen.sent;
  return new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      const elapsed = now - t0;
      const due = sent0 + Math.floor(Math.min(elapsed, seconds * 1000) * (rate / 1000));
      while (gen.sent < due) gen.send();
      gen.sweep(now);
      if (elapsed >= seconds * 1000 || (stoppable && stopRequested)) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
}

async function latency(gen: LoadGenerator, seconds: number, rate: number) {
  // Warm-up at the same rate, not measured: this process's code is cold (the server's is warm from the
  // throughput phases), and the first few hundred ms of a fresh generator measure its JIT, not the server.
  await paced(gen, WARMUP_S, rate);
  while (gen.inFlight > 0) {
    await new Promise((r) => setTimeout(r, 5));
    gen.sweep(performance.now());
  }
  gen.sent = gen.answered = gen.lost = gen.rejected = 0;
  const cpu0 = process.cpuUsage();
  gen.recordRtt = true;
  const t0 = performance.now();
  await paced(gen, seconds, rate, true);
  const elapsed = (performance.now() - t0) / 1000;
  // Wait for the stragglers up to the loss timeout.
  // Whatever has not come back by then is counted lost by the sweep below.
  await waitUntil(() => gen.inFlight, (n) => n === 0, { what: 'every query answered', timeout: LOST_AFTER_MS + 50, interval: 10 }).catch(() => undefined);
  gen.sweep(performance.now() + LOST_AFTER_MS);
  const cpu = cpuSeconds(cpu0);
  const rtts = Float64Array.from(gen.rtts).sort();
  return {
    mode: 'latency',
    offered_qps: rate,
    rate: Math.round(gen.sent / elapsed),
    sent: gen.sent,
    answered: gen.answered,
    p50_ms: round(percentileOrNaN(rtts, 50)),
    p99_ms: round(percentileOrNaN(rtts, 99)),
    max_ms: round(rtts.length ? rtts[rtts.length - 1] : NaN),
    lost: gen.lost,
    rejected: gen.rejected,
    client_cpu_s: round(cpu),
  };
}

async function main(): Promise<void> {
  const [host, portText, keyHex, mode, secondsText, extra, clients] = process.argv.slice(2);
  process.on('SIGINT', () => (stopRequested = true));
  const port = Number(portText);
  const seconds = Number(secondsText);
  if (!host || !(port > 0) || !/^([0-9a-f]{2})+$/i.test(keyHex ?? '') || !(seconds > 0) || (mode !== 'throughput' && mode !== 'latency')) {
    console.log('usage: sorter-load.ts HOST PORT KEYHEX throughput|latency SECONDS [WINDOW|RATE] [spread]');
    process.exitCode = 2;
    return;
  }
  const gen = new LoadGenerator(host, port, keyHex, clients === 'spread');
  await gen.open();
  const result = mode === 'throughput' ? await throughput(gen, seconds, Number(extra ?? 64)) : await latency(gen, seconds, Number(extra ?? 20000));
  gen.close();
  console.log(JSON.stringify(result));
}

await main();

/**
 * Churn speaker for `bench sorter` (run in the speaker's namespace): a second BGP
 * session to the sorter, beside the injector's full table.
 *
 * 1. Once Established it announces the DNS clients' networks: CLIENT_NETS /24s
 *    inside 198.18.0.0/15 (the only place a client address may live in this lab),
 *    then prints {"event":"ready"}.
 * 2. On a line "churn SECONDS" on stdin it flaps prefixes of the injector's table
 *    (table data only: nothing is ever sent to them) at the rates of
 *    bench/sorter-churn-rates.ts: each flap announces a sampled prefix with a
 *    shorter path (its best path moves to this peer) or withdraws it again (back
 *    to the injector's). The clients' /24s are never flapped: what the churn
 *    measures is whether changes elsewhere in the table cost the clients their
 *    cached decisions. At the end it prints {"mode":"churn",…}.
 *
 *   node --import tsx bench/sorter-churn.ts PEER PORT LOCAL TABLE.mrt
 */
import { createInterface } from 'node:readline';
import { BgpSpeaker, Afi, Origin, type Prefix } from '@bgpdns-lab/bgpdns/bgp';
import { sampleIpv4Prefixes } from './_table-sample.js';
import { BURST, BURST_EVERY_S, CHURN_AS, CLIENT_NETS, STEADY_PER_S, clientNet } from './sorter-churn-rates.js';

/** Origin AS of the churned and client routes (documentation range). */
const ORIGIN_AS = 64999;
const TICK_MS = 100;
/** Prefixes the steady churn cycles through; the bursts use the next BURST ones. */
const STEADY_POOL = 1000;

const [peer, port, local, file] = process.argv.slice(2);
if (!peer || !port || !local || !file) {
  console.error('usage: sorter-churn.ts PEER PORT LOCAL TABLE.mrt');
  process.exit(2);
}
const prefixes = await sampleIpv4Prefixes(file, STEADY_POOL + BURST);
const speaker = new BgpSpeaker();
const session = speaker.addPeer({ address: peer, port: Number(port), localAddress: local, localAs: CHURN_AS, peerAs: 4200000001, routerId: '198.18.10.5', mode: 'active', holdTime: 90, connectRetryTime: 1 });
const attrs = { origin: Origin.Igp, asPath: [{ type: 2 as const, asns: [CHURN_AS, ORIGIN_AS] }], nextHop: '198.18.10.1' };
await new Promise<void>((resolve) => session.once('established', () => resolve()));
const clients: Prefix[] = Array.from({ length: CLIENT_NETS }, (_, i) => ({ afi: Afi.IPv4, len: 24, bytes: clientNet(i) }));
for (let i = 0; i < clients.length; i += 500) session.sendUpdate({ attrs, nlri: clients.slice(i, i + 500) });
console.log(JSON.stringify({ event: 'ready', clients: clients.length }));

/** Indices of the sampled prefixes announced by us right now (their best path is ours). */
const up = new Set<number>();
let updates = 0;
const flap = (i: number): void => {
  const p = prefixes[i % prefixes.length];
  if (up.has(i)) {
    session.sendUpdate({ withdrawn: [p] });
    up.delete(i);
  } else {
    session.sendUpdate({ attrs, nlri: [p] });
    up.add(i);
  }
  updates++;
};

async function churn(seconds: number): Promise<void> {
  updates = 0;
  let bursts = 0;
  let next = 0;
  let owed = 0;
  const started = performance.now();
  let lastBurst = started;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      if (now - started >= seconds * 1000) {
        clearInterval(timer);
        resolve();
        return;
      }
      owed += (STEADY_PER_S * TICK_MS) / 1000;
      for (; owed >= 1; owed--) flap(next++ % STEADY_POOL);
      if (now - lastBurst >= BURST_EVERY_S * 1000) {
        lastBurst = now;
        bursts++;
        // A burst announces BURST prefixes at once; the next burst withdraws them again.
        for (let k = 0; k < BURST; k++) flap(STEADY_POOL + k);
      }
    }, TICK_MS);
  });
  console.log(JSON.stringify({ mode: 'churn', updates, bursts, seconds: Math.round((performance.now() - started) / 100) / 10 }));
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const m = /^churn (\d+(?:\.\d+)?)$/.exec(line.trim());
  if (m) await churn(Number(m[1]));
}
await speaker.close();

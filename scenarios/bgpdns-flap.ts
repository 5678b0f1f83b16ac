/**
 * bgpdns-flap (labs/multihomed): the link between client AS 1 and its best ISP flaps —
 * a train of BGPDNS_FLAPS (default 3) down/up cycles with period BGPDNS_FLAP_PERIOD_MS
 * (default 6000 ms, down half of it), N trains (trials). Answers must track routing:
 * the sorter's best path for h1's network and h1's first answer move isp1 → isp3 → isp1
 * with the link; nothing crashes; after the last flap everything returns to isp1 within
 * the seed's 15 s. The record counts, per train, the sorter's best-path changes (BGP
 * plane) and h1's answer-order changes (DNS plane). No route-flap dampening is
 * configured anywhere in the lab (FRR's default): the counts show every flap passed on.
 *   BGPDNS_FLAPS=10 ./bgpdns-lab run bgpdns-flap
 */
import { defineScenario, waitUntil, monoNow, isGood, sorterFirst, readSorterStatus } from '@bgpdns-lab/harness';
import { BgpdnsObservers, CANDIDATES, LAB_PATH, SERVER_ADDR, client } from './bgpdns-lab.js';

function envInt(name: string, dflt: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return n;
}

/** How often a sequence changes value (undefined values skipped). */
function changes(values: (string | undefined)[]): number {
  let n = 0;
  let last: string | undefined;
  for (const v of values) {
    if (v === undefined) continue;
    if (last !== undefined && v !== last) n++;
    last = v;
  }
  return n;
}

const H1 = client('h1');
const DIRECT = { host: 'h1', via: 'front' as const };

export default defineScenario({
  name: 'bgpdns-flap',
  description: "Client AS 1's best upstream link flaps: answers track routing, nothing crashes, changes counted.",
  lab: { file: LAB_PATH, name: 'mh-flap' },
  parts: [
    {
      name: 'link c1–isp1 flapping: answers track routing, nothing crashes, back on isp1 within 15 s of the last flap',
      timeoutMs: 600_000,
      async run(s) {
        const flaps = envInt('BGPDNS_FLAPS', 3, 1);
        const periodMs = envInt('BGPDNS_FLAP_PERIOD_MS', 6000, 200);
        const o = await BgpdnsObservers.start(s, [DIRECT]);
        const settled = s.measurement(`flapping (${flaps} × ${periodMs} ms): h1 back on isp1 after the last flap`, { plane: 'dns', slo: { op: '<', value: 15_000 }, description: 'end of the train (link up) → h1 answered with the isp1 address first again' });
        const sorterChanges = s.measurement(`flapping (${flaps} × ${periodMs} ms): sorter best-path changes for h1 per train`, { plane: 'bgp', unit: 'count', description: `changes of the sorter's first-ranked address for 198.19.1.10 during a train and until settled (2 per flap when every flap is passed on)` });
        const dnsChanges = s.measurement(`flapping (${flaps} × ${periodMs} ms): h1 answer-order changes per train`, { plane: 'dns', unit: 'count', description: 'changes of the first address in h1\'s answers from the front (a query every 20 ms)' });
        const flapsBefore = (await readSorterStatus(s.lab.node('sorter').dir))?.peers.map((p) => p.flaps) ?? [];
        for (let trial = 1; trial <= s.trials; trial++) {
          const t = `flap train #${trial}`;
          await s.step(`${t}: steady on isp1`, async () => {
            await o.waitSorterFirst(H1, SERVER_ADDR.isp1, t, { timeout: 60_000 });
            await o.waitFirst(DIRECT, SERVER_ADDR.isp1, t, { timeout: 60_000 });
          });
          const train = s.faults.flap(s.faults.endpoint('isp1', 'c1'), { count: flaps, periodMs });
          const t0 = train.injected.at;
          await s.step(`${t}: ${flaps} flaps, period ${periodMs} ms`, () => train.done);
          const end = monoNow();
          await s.step(`${t}: back on isp1`, async () => {
            await o.waitSorterFirst(H1, SERVER_ADDR.isp1, t, { after: end, timeout: 30_000 });
            await o.waitFirst(DIRECT, SERVER_ADDR.isp1, t, { after: end, timeout: 30_000 });
          });
          const back = (await o.samples(DIRECT)).find((x) => x.at >= end && isGood(x) && x.answers[0] === SERVER_ADDR.isp1);
          settled.add(back!.at - end);
          await o.settle();
          const sorterSeq = (await o.sorterSamples(H1)).filter((x) => x.at >= t0).map((x) => sorterFirst(x, CANDIDATES));
          const dnsSeq = (await o.samples(DIRECT)).filter((x) => x.at >= t0 && isGood(x)).map((x) => x.answers[0]);
          sorterChanges.add(changes(sorterSeq));
          dnsChanges.add(changes(dnsSeq));
          s.log(`${t}: sorter best path changed ${changes(sorterSeq)}×, h1 first answer changed ${changes(dnsSeq)}× (${flaps} flaps)`);
          s.check(`${t}: the sorter followed the flaps`, changes(sorterSeq) >= 2, `sorter first-ranked sequence changed ${changes(sorterSeq)}×`);
          s.check(`${t}: h1's answers followed the sorter`, changes(dnsSeq) >= 2, `h1 first-answer sequence changed ${changes(dnsSeq)}×`);
        }
        // Nothing crashed: every daemon of the BGPDNS path still runs, and the sorter never lost a session.
        for (const node of ['sorter', 'dns', 'isp1', 'c1']) {
          const procs = s.lab.node(node).processes();
          const exited = await Promise.all(procs.map((p) => Promise.race([p.exited.then((code) => `${p.role} exited (${code})`), new Promise<undefined>((r) => setTimeout(() => r(undefined), 10))])));
          s.check(`${node}: every daemon still running after the flaps`, exited.every((e) => e === undefined), exited.filter(Boolean).join(', '));
        }
        const status = await waitUntil(() => readSorterStatus(s.lab.node('sorter').dir), (st) => !!st, { what: 'sorter status', timeout: 5000, interval: 100 });
        const flapsAfter = status.value!.peers.map((p) => p.flaps);
        s.check("sorter: its own sessions with the ISPs never flapped (the flapping link is c1's)", flapsAfter.every((f, i) => f === (flapsBefore[i] ?? f)), `flaps before ${flapsBefore.join(',')}, after ${flapsAfter.join(',')}`);
        s.expectSlo(settled);
      },
    },
  ],
});

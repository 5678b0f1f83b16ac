/**
 * bgpdns-sorter-failure (labs/multihomed): the failure cases of seed 001, slide 35.
 *   1. "BGPDNS server does not respond": the sorter is frozen (SIGSTOP). The DNS
 *      front keeps answering without waiting longer than its sorter timeout (50 ms),
 *      marks the sorter defective (metrics) after 3 timeouts in a row — from uncached
 *      queries or from its generation probe riding on cached ones — and then answers
 *      every client in random order, cached decisions included; after thaw, sorted again.
 *   2. "Loss of all BGP sessions": the sorter's three links go down; it answers
 *      every query with no preference and the front answers in random order.
 *   3. "Network not in table": a client subnet the sorter has no route for (EDNS
 *      client subnet 198.19.200.0/24) gets no preference and random order (scope 24: this question only).
 *   ./bgpdns-lab run bgpdns-sorter-failure
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import {
  defineScenario,
  type ScenarioContext,
  waitUntil,
  monoNow,
  isGood,
  type DnsProbeSample,
  BGPDNS_BIN,
  type FaultHandle,
  percentileOfSorted,
} from '@bgpdns-lab/harness';
import { BgpdnsObservers, CANDIDATES, CLAIMS, CLIENTS, FRONT_SORTER_TIMEOUT_MS, ISPS, LAB_PATH, SERVER_ADDR, SERVERS, client, frontState, shareFirst } from './bgpdns-lab.js';

const DIRECT = CLIENTS.map((c) => ({ host: c.host, via: 'front' as const }));
/** Slack on top of the front's sorter timeout for a 2-core machine shared with other labs. */
const LATENCY_SLACK_MS = 200;
/** Answers per client looked at to call the order random (3 candidates: all-equal by chance ≈ 3 × 3⁻³⁰). */
const RANDOM_SAMPLE = 30;
/** A client subnet no table prefix covers (slide 35: "network not in table"). */
const NOT_IN_TABLE = '198.19.200.0/24';

/** The first addresses of a client's last good answers after `after`. */
async function firsts(o: BgpdnsObservers, host: string, after: number, count = RANDOM_SAMPLE): Promise<string[]> {
  return (await o.samples({ host, via: 'front' }))
    .filter((x) => x.at >= after && isGood(x))
    .slice(-count)
    .map((x) => x.answers[0]);
}

/** Wait until every client has RANDOM_SAMPLE answers after `after`, and check they are not ordered (≥ 2 different first addresses). */
async function expectRandomOrder(s: ScenarioContext, o: BgpdnsObservers, after: number, label: string): Promise<void> {
  for (const c of CLIENTS) {
    const { value } = await waitUntil(() => firsts(o, c.host, after), (f) => f.length >= RANDOM_SAMPLE || `${f.length} answers so far`, {
      what: `${label}: ${RANDOM_SAMPLE} answers at ${c.host}`,
      timeout: 20_000,
      interval: 100,
    });
    const distinct = new Set(value);
    s.check(`${label}: ${c.host} answered in random order`, distinct.size >= 2, `first addresses of ${value.length} answers: ${[...distinct].join(', ')}`);
    s.log(`${label}: ${c.host} first addresses ${CANDIDATES.map((a) => `${a}×${value.filter((x) => x === a).length}`).join(' ')}`);
  }
}

async function waitSorted(s: ScenarioContext, o: BgpdnsObservers, label: string, after = 0, timeout = 60_000): Promise<void> {
  for (const c of CLIENTS) await s.step(`${label}: ${c.host} gets ${SERVER_ADDR[c.isp]} first`, () => o.waitFirst({ host: c.host, via: 'front' }, SERVER_ADDR[c.isp], label, { after, timeout }));
}

/** p99 (nearest rank) of the latencies of good answers, and how many queries got none. */
function latencyFacts(samples: DnsProbeSample[], from: number, to: number): { p99: number; max: number; lost: number; answers: number; latencies: number[] } {
  const w = samples.filter((x) => x.at >= from && x.at < to);
  const l = w.filter(isGood).map((x) => x.latencyMs).sort((a, b) => a - b);
  return { p99: l.length ? percentileOfSorted(l, 99) : NaN, max: l.at(-1) ?? NaN, lost: w.length - l.length, answers: l.length, latencies: l };
}

interface EcsAnswer {
  first?: string;
  scope?: string;
  ms: number;
}

/** `n` queries from h1 with an EDNS client subnet, one dig each: first address, echoed ECS, dig's query time. */
async function askWithEcs(s: ScenarioContext, subnet: string, n: number): Promise<EcsAnswer[]> {
  const r = await s.lab.node('h1').exec(['sh', '-c', `for i in $(seq ${n}); do dig +tries=1 +time=2 +subnet=${subnet} @${SERVERS.front.address} www.bgpdns.lab A | grep -E 'CLIENT-SUBNET|^www|Query time' | tr '\\n' ' '; echo; done`], { timeoutMs: 120_000 });
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => ({
      first: /www\.bgpdns\.lab\.\s+\d+\s+IN\s+A\s+(\S+)/.exec(l)?.[1],
      scope: /CLIENT-SUBNET: (\S+)/.exec(l)?.[1],
      ms: Number(/Query time: (\d+) msec/.exec(l)?.[1] ?? NaN),
    }));
}

/** Drop and restore the sorter's session with isp2: a new RIB generation, which flushes the front's cached decisions. */
async function bounceSorterSession(s: ScenarioContext, o: BgpdnsObservers): Promise<void> {
  const f = await s.faults.linkDown(s.faults.endpoint('isp2', 'sorter'));
  await f.revert();
  await o.waitSorterFirst(client('h2'), SERVER_ADDR.isp2, 'isp2 session back', { after: monoNow(), timeout: 60_000 });
}

export default defineScenario({
  name: 'bgpdns-sorter-failure',
  description: 'Slide 35: sorter frozen, all BGP sessions lost, client network not in the table — answers keep coming, without preference.',
  lab: { file: LAB_PATH, name: 'mh-sorterfail' },
  // The uncached-subnet queries are dig's (+subnet), from h1.
  hostNeeds: [{ executable: '/usr/bin/dig', package: 'bind9-dnsutils' }],
  parts: [
    {
      name: 'sorter frozen: answers keep coming within the timeout, defective marking, random order, sorted again after thaw',
      timeoutMs: 360_000,
      async run(s) {
        const o = await BgpdnsObservers.start(s, DIRECT, { sorter: false });
        const latency = s.measurement('sorter frozen: answer latency p95 while frozen (all queries)', {
          plane: 'dns',
          slo: { op: '<', value: FRONT_SORTER_TIMEOUT_MS + LATENCY_SLACK_MS },
          claim: CLAIMS.timeout,
          description: `95th percentile of query → answer over every query between freeze and thaw (client hosts every 20 ms + the uncached-subnet digs); the front waits at most ${FRONT_SORTER_TIMEOUT_MS} ms for the sorter (+${LATENCY_SLACK_MS} ms slack for this loaded 2-core machine)`,
        });
        const latencyMax = s.measurement('sorter frozen: answer latency max while frozen (all queries)', { plane: 'dns', description: 'slowest answer between freeze and thaw (includes scheduling noise of the shared machine)' });
        const lost = s.measurement('sorter frozen: queries without an answer (all clients)', { plane: 'dns', unit: 'count', slo: { op: '<=', value: 0 }, description: 'queries unanswered within 1 s between freeze and thaw' });
        const defective = s.measurement('sorter frozen: front marks the sorter defective', {
          plane: 'dns',
          slo: { op: '<', value: 15_000 },
          description: "freeze → bgpdns_dns_sorter_defective = 1 while every querying client has a cached decision: 3 timeouts in a row of the front's generation probe (one in flight at a time, riding on cached answers; each given up after 1 s)",
        });
        const randomShare = s.measurement('sorter frozen and marked defective: answers with the own ISP first (share, highest client)', {
          plane: 'dns',
          unit: 'ratio',
          description: `h1–h3 have cached decisions, but a defective sorter's decisions are not used: ${RANDOM_SAMPLE} answers per client after the marking, share with the client's own ISP first (random order over 3 addresses: about 1/3)`,
        });
        const recovered = s.measurement('sorter thawed: defective mark cleared', { plane: 'dns', description: 'thaw → bgpdns_dns_sorter_defective = 0 (after its back-off, which doubles per failed probe, the front probes the sorter on the next query)' });
        const resorted = s.measurement('sorter thawed: every client sorted again', { plane: 'dns', description: "thaw → every client's answers have its own ISP's address first again" });
        for (let trial = 1; trial <= s.trials; trial++) {
          const t = `sorter frozen #${trial}`;
          // A client subnet the front has no decision for (ECS inside one ISP's aggregate, reached best through that ISP).
          const isp = ISPS[(trial - 1) % ISPS.length];
          const subnet = `${SERVER_ADDR[isp].split('.').slice(0, 3).join('.')}.0/24`;
          if (trial > ISPS.length) await s.step(`${t}: new RIB generation (flushes the front's decisions)`, () => bounceSorterSession(s, o));
          await waitSorted(s, o, `${t}: before`);
          await s.step(`${t}: front trusts the sorter`, () => waitUntil(() => frontState(s), (f) => f.defective === 0 || `defective ${f.defective}`, { what: `${t}: front not marking the sorter defective`, timeout: 60_000, interval: 200 }));
          const fault: FaultHandle = await s.step(`${t}: freeze the sorter (SIGSTOP)`, () => s.faults.freeze('sorter', ['sorter']));
          const t0 = fault.injected.at;
          let asked: EcsAnswer[] = [];
          try {
            // Only cached clients query now: the front notices the frozen sorter through its generation probe.
            const { value } = await s.step(`${t}: front marks the sorter defective`, () =>
              waitUntil(async () => ({ at: monoNow(), f: await frontState(s) }), (x) => x.f.defective === 1 || `defective ${x.f.defective}`, { what: `${t}: bgpdns_dns_sorter_defective = 1`, timeout: 20_000, interval: 50 }),
            );
            defective.add(value.at - t0);
            s.check(`${t}: defective episode counted`, value.f.episodes >= trial, JSON.stringify(value.f));
            await expectRandomOrder(s, o, value.at + 100, t);
            asked = await s.step(`${t}: ${RANDOM_SAMPLE} queries from h1 with ECS ${subnet} (no cached decision)`, () => askWithEcs(s, subnet, RANDOM_SAMPLE));
            const f = await frontState(s);
            s.check(`${t}: defective fallbacks served`, (f.fallbacks.defective ?? 0) > 0, JSON.stringify(f.fallbacks));
            let highest = 0;
            for (const c of CLIENTS) highest = Math.max(highest, shareFirst(await o.samples({ host: c.host, via: 'front' }), value.at + 100, monoNow(), SERVER_ADDR[c.isp]).share);
            randomShare.add(highest);
          } finally {
            await s.step(`${t}: thaw`, () => fault.revert());
          }
          const thawed = monoNow();
          const firstsSeen = asked.map((a) => a.first);
          s.check(`${t}: every ECS query answered`, asked.length === RANDOM_SAMPLE && firstsSeen.every((f) => f !== undefined), JSON.stringify(asked.slice(0, 3)));
          s.check(`${t}: uncached subnet answered in random order`, new Set(firstsSeen).size >= 2, `first addresses: ${CANDIDATES.map((a) => `${a}×${firstsSeen.filter((x) => x === a).length}`).join(' ')}`);
          // The clients' own queries (every 20 ms) probe the sorter once its back-off is over.
          const { value: cleared } = await s.step(`${t}: defective mark cleared`, () =>
            waitUntil(async () => ({ at: monoNow(), f: await frontState(s) }), (x) => x.f.defective === 0 || `defective ${x.f.defective}`, { what: `${t}: bgpdns_dns_sorter_defective = 0`, timeout: 90_000, interval: 50 }),
          );
          recovered.add(cleared.at - thawed);
          await waitSorted(s, o, `${t}: after thaw`, thawed);
          resorted.add(monoNow() - thawed);
          await s.step(`${t}: ${subnet} gets ${SERVER_ADDR[isp]} first again`, () =>
            waitUntil(() => askWithEcs(s, subnet, 1), (a) => a[0]?.first === SERVER_ADDR[isp] || `first ${a[0]?.first}`, { what: `${t}: sorted again after thaw`, timeout: 30_000, interval: 200 }),
          );
          // The window ends at the thaw, long past by now: no wait unless the steps above were quicker than a query timeout.
          await o.settle(thawed);
          const all: number[] = asked.map((a) => a.ms);
          let lostTotal = 0;
          for (const c of CLIENTS) {
            const f = latencyFacts(await o.samples({ host: c.host, via: 'front' }), t0, thawed);
            s.log(`${t}: ${c.host} ${f.answers} answers while frozen, p99 ${f.p99.toFixed(1)} ms, max ${f.max.toFixed(1)} ms, ${f.lost} lost`);
            all.push(...f.latencies);
            lostTotal += f.lost;
          }
          all.sort((a, b) => a - b);
          s.log(`${t}: ECS ${subnet} while frozen: ${firstsSeen.join(' ')} (dig query times ${asked.map((a) => a.ms).join(' ')} ms)`);
          latency.add(percentileOfSorted(all, 95));
          latencyMax.add(all[all.length - 1]);
          lost.add(lostTotal);
        }
        s.expectSlo(latency);
        s.expectSlo(lost);
        s.expectSlo(defective);
      },
    },
    {
      name: 'all BGP sessions of the sorter lost: no preference, random order; ranked again once they return',
      timeoutMs: 240_000,
      async run(s) {
        const o = await BgpdnsObservers.start(s, DIRECT);
        const lostAll = s.measurement('all sessions lost: sorter answers "no-sessions" (BGP plane)', { plane: 'bgp', slo: { op: '<', value: 15_000 }, description: "links down at the ISPs' ends → first sorter answer with status no-sessions (fast failover on the sorter's interfaces)" });
        const back = s.measurement('sessions back: sorter ranks every client again (BGP plane)', { plane: 'bgp', description: 'links up → the sorter ranks every client with its own ISP first (sessions re-established, tables received)' });
        for (let trial = 1; trial <= s.trials; trial++) {
          const t = `all sessions lost #${trial}`;
          await waitSorted(s, o, `${t}: before`);
          for (const c of CLIENTS) await o.waitSorterFirst(c, SERVER_ADDR[c.isp], `${t}: before`);
          const faults: FaultHandle[] = [];
          try {
            await s.step(`${t}: cut the sorter's three ISP links`, async () => {
              for (const isp of ['isp1', 'isp2', 'isp3']) faults.push(await s.faults.linkDown(s.faults.endpoint(isp, 'sorter')));
            });
            const t0 = faults[0].injected.at;
            const { value } = await s.step(`${t}: sorter answers no-sessions`, () =>
              waitUntil(async () => (await o.sorterSamples(CLIENTS[0])).find((x) => x.at >= t0 && x.status === 'no-sessions'), (x) => !!x || 'still ranked', { what: `${t}: sorter status no-sessions`, timeout: 20_000, interval: 50 }),
            );
            lostAll.add(value!.at - t0);
            s.check(`${t}: no-sessions means no preference`, value!.preferences.every((p) => p === 0), JSON.stringify(value));
            await expectRandomOrder(s, o, value!.at + 2000, t);
            const f = await frontState(s);
            s.check(`${t}: front counts answers without preference`, (f.fallbacks['no-preference'] ?? 0) > 0, JSON.stringify(f.fallbacks));
          } finally {
            await s.step(`${t}: restore the links`, async () => {
              for (const f of faults.reverse()) await f.revert();
            });
          }
          const restored = monoNow();
          for (const c of CLIENTS) await o.waitSorterFirst(c, SERVER_ADDR[c.isp], `${t}: sessions back`, { after: restored, timeout: 60_000 });
          back.add(monoNow() - restored);
        }
        s.expectSlo(lostAll);
      },
    },
    {
      name: 'client network not in the table: no preference, random order (ECS 198.19.200.0/24)',
      timeoutMs: 180_000,
      async run(s) {
        const node = s.lab.node('sorter');
        const key = (await readFile(path.join(s.lab.model.dir, 'sorter.key'), 'utf8')).trim();
        const q = await node.exec([process.execPath, BGPDNS_BIN, 'sorter', 'query', '--server', '127.0.0.1:179', '--key', key, '--client', '198.19.200.1', ...CANDIDATES], { placement: 'beside', timeoutMs: 60_000 });
        const answer = JSON.parse(q.stdout.trim().split('\n').at(-1) ?? '{}') as { status?: string; preferences?: number[] };
        s.check('sorter: 198.19.200.1 is in no table prefix → status no-route, every preference 0', answer.status === 'no-route' && (answer.preferences ?? [1]).every((p) => p === 0), q.stdout + q.stderr);
        for (let trial = 1; trial <= s.trials; trial++) {
          const t = `not in table #${trial}`;
          const asked = await s.step(`${t}: ${RANDOM_SAMPLE} queries from h1 with ECS 198.19.200.0/24`, () => askWithEcs(s, NOT_IN_TABLE, RANDOM_SAMPLE));
          const firstsSeen = asked.map((a) => a.first);
          const scopes = new Set(asked.map((a) => a.scope));
          s.check(`${t}: every query answered`, asked.length === RANDOM_SAMPLE && firstsSeen.every((f) => f !== undefined), JSON.stringify(asked.slice(0, 3)));
          s.check(`${t}: ECS echoed with scope 24, the question's own source length (no matched prefix: never scope 0, docs/dns-front.md)`, scopes.size === 1 && scopes.has('198.19.200.0/24/24'), [...scopes].join(', '));
          s.check(`${t}: random order`, new Set(firstsSeen).size >= 2, `first addresses: ${CANDIDATES.map((a) => `${a}×${firstsSeen.filter((x) => x === a).length}`).join(' ')}`);
          s.measurement('not in table: answers with the isp1 address first (share)', { plane: 'dns', unit: 'ratio', description: 'ECS 198.19.200.0/24 from h1: share of answers with 198.18.16.10 first (random order: about 1/3)' }).add(firstsSeen.filter((a) => a === SERVER_ADDR.isp1).length / asked.length);
        }
        const direct = await BgpdnsObservers.start(s, [{ host: 'h1', via: 'front' }], { sorter: false });
        await s.step('h1 without ECS (its own network is in the table): isp1 first', () => direct.waitFirst({ host: 'h1', via: 'front' }, SERVER_ADDR.isp1, 'h1 without ECS'));
      },
    },
  ],
});

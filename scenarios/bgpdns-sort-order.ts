/**
 * bgpdns-sort-order (labs/multihomed): the BGPDNS promise (seed 001, slides 15–21)
 * — every client gets the server address of its own best ISP first:
 *   1. the sorter ranks each client network by its best path (BGP plane);
 *   2. asked directly, the DNS front (file mode) answers each client with its ISP first;
 *   3. so does the front in proxy mode in front of real tinydns;
 *   4. through unbound with client subnet (res1), each client still gets its own ISP first;
 *   5. through unbound without client subnet (res2), the front only sees the resolver's
 *      address: every client gets the resolver's ISP (isp2) first — the documented
 *      limit of BGPDNS behind a shared resolver.
 * Each check runs N trials of a 1 s window of queries every 20 ms per client; the
 * record holds the share of answers with the expected address first and the latency.
 *   ./bgpdns-lab run bgpdns-sort-order
 */
import { defineScenario, type ScenarioContext, waitUntil, monoNow, sorterFirst } from '@bgpdns-lab/harness';
import { BgpdnsObservers, CANDIDATES, CLAIMS, CLIENTS, ISP_ASN, LAB_PATH, SERVER_ADDR, SERVERS, medianLatency, shareFirst, type Client, type Via } from './bgpdns-lab.js';

const WINDOW_MS = 1000;

/** N one-second windows of every client's answers through `via`; `expected` says which address should come first. */
async function orderTrials(s: ScenarioContext, via: Via, expected: (c: Client) => string, label: string, sloOnShare: boolean): Promise<void> {
  const probes = CLIENTS.map((c) => ({ host: c.host, via }));
  const o = await BgpdnsObservers.start(s, probes, { sorter: false });
  for (const c of CLIENTS) {
    await s.step(`${c.host} via ${via}: answers arrive with ${expected(c)} first`, () => o.waitFirst({ host: c.host, via }, expected(c), label));
  }
  const share = s.measurement(`${label}: answers with the expected address first (worst client)`, {
    plane: 'dns',
    unit: 'ratio',
    ...(sloOnShare ? { slo: { op: '>=', value: 1 } } : {}),
    claim: CLAIMS.immediate,
    description: `share of answers from ${SERVERS[via].what} in a ${WINDOW_MS} ms window (a query every 20 ms per client) whose first A record is the expected one`,
  });
  const latency = s.measurement(`${label}: answer latency (median, worst client)`, { plane: 'dns', description: `median query → answer time at the client host, ${SERVERS[via].what}` });
  for (let trial = 1; trial <= s.trials; trial++) {
    const from = monoNow();
    await waitUntil(() => monoNow(), (now) => now - from >= WINDOW_MS, { what: `${label} #${trial}: a ${WINDOW_MS} ms window`, timeout: WINDOW_MS + 5000, interval: 50 });
    const to = await o.settle();
    let worstShare = 1;
    let worstLatency = 0;
    for (const c of CLIENTS) {
      const samples = await o.samples({ host: c.host, via });
      const w = shareFirst(samples, from, to, expected(c));
      s.check(`${label} #${trial}: ${c.host} got answers`, w.answers >= 10, `${w.answers} answers, ${w.lost} lost in ${Math.round(to - from)} ms`);
      s.log(`${label} #${trial}: ${c.host} ${Math.round(w.share * 100)} % of ${w.answers} answers with ${expected(c)} first`);
      worstShare = Math.min(worstShare, w.share);
      worstLatency = Math.max(worstLatency, medianLatency(samples, from, to) ?? 0);
    }
    share.add(worstShare);
    latency.add(worstLatency);
  }
  if (sloOnShare) s.expectSlo(share);
}

export default defineScenario({
  name: 'bgpdns-sort-order',
  description: 'Every client gets the server address of its own best ISP first: at the sorter, from the DNS front (file and proxy mode), through a resolver with and without client subnet.',
  lab: { file: LAB_PATH, name: 'mh-sort' },
  parts: [
    {
      name: 'the sorter ranks every client network by its best path (own ISP first)',
      timeoutMs: 120_000,
      async run(s) {
        const o = await BgpdnsObservers.start(s, []);
        for (const c of CLIENTS) {
          await s.step(`sorter: ${c.address} best via ${c.isp} (AS${ISP_ASN[c.isp]})`, () => o.waitSorterFirst(c, SERVER_ADDR[c.isp], 'converged', { timeout: 60_000 }));
          const last = (await o.sorterSamples(c)).at(-1)!;
          s.check(`sorter: ${c.address} matched ${last.matchedPrefix}, neighbour AS ${last.neighborAs}`, last.neighborAs === ISP_ASN[c.isp] && sorterFirst(last, CANDIDATES) === SERVER_ADDR[c.isp], JSON.stringify(last));
          s.log(`sorter: ${c.address} → ${last.matchedPrefix} via AS${last.neighborAs}, preferences ${CANDIDATES.map((a, i) => `${a}=${last.preferences[i]}`).join(' ')}`);
        }
      },
    },
    {
      name: 'DNS front (file mode), asked directly: every client gets its own ISP first',
      timeoutMs: 120_000,
      run: (s) => orderTrials(s, 'front', (c) => SERVER_ADDR[c.isp], 'direct to the front (file mode)', true),
    },
    {
      name: 'DNS front in proxy mode in front of tinydns: every client gets its own ISP first',
      timeoutMs: 120_000,
      run: (s) => orderTrials(s, 'proxy', (c) => SERVER_ADDR[c.isp], 'direct to the front (proxy mode → tinydns)', true),
    },
    {
      name: 'through unbound with client subnet: every client still gets its own ISP first',
      timeoutMs: 120_000,
      run: (s) => orderTrials(s, 'resolver-ecs', (c) => SERVER_ADDR[c.isp], 'via unbound with client subnet', true),
    },
    {
      name: "through unbound without client subnet: the resolver's own ISP (isp2) comes first for everyone",
      timeoutMs: 120_000,
      // The front sees only the resolver (198.19.2.53 in AS64522, best via isp2): that decides for all its clients.
      run: (s) => orderTrials(s, 'resolver', () => SERVER_ADDR.isp2, "via unbound without client subnet (resolver's ISP first)", true),
    },
  ],
});

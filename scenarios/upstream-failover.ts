/**
 * upstream-failover (labs/multihomed): client AS 1 loses its preferred upstream,
 * ISP 1, three ways, and we measure how long its router (c1) keeps a best path to
 * the server's isp1 prefix through the dead session:
 *   1. link cut (interface down at isp1's end): fast external failover;
 *   2. silent drop (nft blackhole on c1's interface, link stays up): only the
 *      BGP hold timer (12 s) notices;
 *   3. the same silent drop with BFD on the c1–isp1 session (300 ms × 3).
 * Each is timed from the fault to the moment c1's best path to 198.18.16.0/20
 * stops leaving through isp1, by a 20 ms vty poll and by FRR's own millisecond log,
 * over N trials; each trial restores the link and waits for the original path.
 */
import {
  defineScenario,
  type ScenarioContext,
  type ScenarioPart,
  waitUntil,
  asPathList,
  type FaultHandle,
  type RouteWatcher,
  type Slo,
} from '@bgpdns-lab/harness';

/** The server's three addresses live in these aggregates, one per ISP. */
export const SERVER_PREFIXES = { isp1: '198.18.16.0/20', isp2: '198.18.32.0/20', isp3: '198.18.48.0/20' } as const;
type Isp = keyof typeof SERVER_PREFIXES;
const ISP_ASN: Record<Isp, number> = { isp1: 64501, isp2: 64502, isp3: 64503 };
/** Each client AS's router and the ISP its shortest path to the server enters through. */
const CLIENTS: { router: string; isp: Isp; network: string }[] = [
  { router: 'c1', isp: 'isp1', network: '198.19.1.0/24' },
  { router: 'c2', isp: 'isp2', network: '198.19.2.0/24' },
  { router: 'c3', isp: 'isp3', network: '198.19.3.0/24' },
];

// The session under test: c1 eth1 (198.18.1.17) ↔ isp1 eth2 (198.18.1.18).
const CLIENT = 'c1';
const ISP = 'isp1';
const PREFIX = SERVER_PREFIXES.isp1;
const C1_ADDR = '198.18.1.17';
const ISP1_ADDR = '198.18.1.18';

/**
 * Link cut: interface down → session down within milliseconds (fast external failover)
 * → bestpath run. Measured ~0.1 s here; 1 s leaves room for a loaded 2-core machine.
 */
const LINK_CUT_SLO: Slo = { op: '<', value: 1000 };
/** Silent drop: the 12 s hold timer must fire; the seed's sub-15 s target. */
const HOLD_TIMER_SLO: Slo = { op: '<', value: 15_000 };
/** BFD 300 ms × 3 detects in ~0.9 s. */
const BFD_SLO: Slo = { op: '<', value: 2000 };

/** Leftmost AS of a router's best path to a prefix, and the path length. */
async function bestVia(s: ScenarioContext, router: string, prefix: string): Promise<number[] | undefined> {
  const best = await s.frr(router).bestPath(prefix);
  return best ? asPathList(best) : undefined;
}

/** At a client router: which server prefix has the strictly shortest AS path (or why none does). */
async function bestEntry(s: ScenarioContext, router: string): Promise<{ isp?: Isp; paths: Record<Isp, number[] | undefined> }> {
  const paths = {} as Record<Isp, number[] | undefined>;
  for (const isp of Object.keys(SERVER_PREFIXES) as Isp[]) paths[isp] = await bestVia(s, router, SERVER_PREFIXES[isp]);
  const lengths = (Object.entries(paths) as [Isp, number[] | undefined][]).filter(([, p]) => p).map(([isp, p]) => [isp, p!.length] as const);
  const shortest = Math.min(...lengths.map(([, l]) => l));
  const winners = lengths.filter(([, l]) => l === shortest);
  return { isp: winners.length === 1 ? winners[0][0] : undefined, paths };
}

const fmtPaths = (paths: Record<string, number[] | undefined>) =>
  Object.entries(paths)
    .map(([isp, p]) => `${isp}: ${p ? p.join(' ') : 'none'}`)
    .join(', ');

/** Wait until c1's best path to the isp1 prefix is the direct one again (after a restore). */
async function waitOriginalPath(s: ScenarioContext, what: string): Promise<void> {
  await waitUntil(
    () => bestVia(s, CLIENT, PREFIX),
    (p) => (p?.length === 1 && p[0] === ISP_ASN.isp1 ? true : `best path ${p ? p.join(' ') : 'none'}`),
    { what, timeout: 60_000, interval: 50 },
  );
}

/**
 * One fault kind, N trials: inject, time the best-path move (poll and FRR log),
 * check the client's best entry to the server moved to another ISP, restore.
 */
interface FailoverOptions {
  label: string;
  slo: Slo;
  timeoutMs: number;
  inject: (s: ScenarioContext) => Promise<FaultHandle>;
  afterRestore?: () => Promise<void>;
}

async function failoverTrials(s: ScenarioContext, opts: FailoverOptions): Promise<void> {
  const polled = s.measurement(`${opts.label}: c1 best path off isp1 (vty poll)`, {
    plane: 'bgp',
    slo: opts.slo,
    description: `fault → c1's best path to ${PREFIX} no longer via AS${ISP_ASN.isp1}, seen by a 20 ms vty poll`,
  });
  const logged = s.measurement(`${opts.label}: c1 best path off isp1 (FRR log)`, {
    plane: 'bgp',
    slo: opts.slo,
    description: `fault → bgpd hands c1's new best path for ${PREFIX} to zebra, FRR log millisecond timestamp`,
  });
  const watcher: RouteWatcher = await s.watch(CLIENT, [PREFIX]);
  for (let trial = 1; trial <= s.trials; trial++) {
    await s.step(`${opts.label} #${trial}: c1 prefers isp1`, () => waitOriginalPath(s, `c1 best path to ${PREFIX} direct via isp1`));
    const fault = await s.step(`${opts.label} #${trial}: inject`, () => opts.inject(s));
    const t0 = fault.injected.at;
    const moved = await s.step(`${opts.label} #${trial}: c1 best path moves off isp1`, () =>
      watcher.waitFor((c) => c.prefix === PREFIX && (c.type === 'prefix-removed' || c.to?.asPath?.[0] !== ISP_ASN.isp1), {
        what: `best path to ${PREFIX} off isp1 after ${opts.label}`,
        after: t0,
        timeout: opts.timeoutMs,
      }),
    );
    polled.add(moved.at - t0);
    const fromLog = await watcher.logCounterpart(moved, t0);
    s.check(`${opts.label} #${trial}: FRR log shows the move`, fromLog !== undefined, `no "Tx route" line for ${PREFIX} between the fault and ${Math.round(moved.at - t0)} ms`);
    logged.add(fromLog!.at - t0);
    s.log(`${opts.label} #${trial}: poll ${Math.round(moved.at - t0)} ms, FRR log ${Math.round(fromLog!.at - t0)} ms, new path ${moved.to?.asPath?.join(' ') ?? 'none'}`);
    const entry = await bestEntry(s, CLIENT);
    s.check(
      `${opts.label} #${trial}: c1's best entry to the server moved to another ISP`,
      entry.isp !== undefined && entry.isp !== 'isp1',
      fmtPaths(entry.paths),
    );
    await s.step(`${opts.label} #${trial}: restore`, () => fault.revert());
    if (opts.afterRestore) await opts.afterRestore();
  }
  s.expectSlo(polled);
  s.expectSlo(logged);
}

const failoverPart = (name: string, opts: FailoverOptions): ScenarioPart => ({ name, run: (s) => failoverTrials(s, opts) });

export default defineScenario({
  name: 'upstream-failover',
  description: 'A client AS loses its preferred upstream ISP (link cut, silent drop, silent drop with BFD); time until its best path moves.',
  lab: { file: 'labs/multihomed/multihomed.clab.yml', name: 'mh-failover' },
  parts: [
    {
      name: 'converged: each client AS enters the server through its own ISP',
      async run(s) {
        for (const c of CLIENTS) {
          const { value } = await s.step(`${c.router} prefers ${c.isp}`, () =>
            waitUntil(
              () => bestEntry(s, c.router),
              (e) => (e.isp === c.isp && e.paths[c.isp]?.length === 1 ? true : `best entry ${e.isp ?? 'tied/none'} (${fmtPaths(e.paths)})`),
              { what: `${c.router}: strictly shortest AS path to the server via ${c.isp}`, timeout: 60_000, interval: 100 },
            ),
          );
          s.check(`${c.router} enters the server through ${c.isp}`, value.isp === c.isp, fmtPaths(value.paths));
        }
        // And the other way round, as the BGPDNS sorter at the site will see it.
        for (const c of CLIENTS) {
          const { value } = await waitUntil(() => bestVia(s, 'site', c.network), (p) => p?.[0] === ISP_ASN[c.isp] && p.length === 2, {
            what: `site: best path to ${c.network} via ${c.isp}`,
            timeout: 60_000,
            interval: 100,
          });
          s.check(`site reaches ${c.network} through ${c.isp}`, value?.[0] === ISP_ASN[c.isp], value?.join(' '));
        }
      },
    },
    failoverPart('link cut between c1 and isp1: best path moves in < 1 s', {
      label: 'link cut',
      slo: LINK_CUT_SLO,
      timeoutMs: 10_000,
      inject: (s) => s.faults.linkDown(s.faults.endpoint(ISP, CLIENT)),
    }),
    failoverPart('silent drop between c1 and isp1: hold timer moves the best path in < 15 s', {
      label: 'silent drop',
      slo: HOLD_TIMER_SLO,
      timeoutMs: 30_000,
      inject: (s) => s.faults.silentDrop(s.faults.endpoint(CLIENT, ISP)),
    }),
    {
      name: 'silent drop with BFD on the c1–isp1 session: best path moves in < 2 s',
      async run(s) {
        // Pushed now that the sessions are up (FRR 8.4.4 flaps sessions with BFD in the startup config).
        const bfdUp = () =>
          s.step('BFD c1–isp1 up', () =>
            waitUntil(() => s.frr(CLIENT).bfdPeers(), (peers) => peers.some((p) => p.peer === ISP1_ADDR && p.status === 'up'), {
              what: `c1 BFD session to ${ISP1_ADDR} up`,
              timeout: 30_000,
              interval: 50,
            }),
          );
        const setBfd = async (on: boolean) => {
          const no = on ? '' : 'no ';
          await s.frr(CLIENT).configure(['router bgp 64521', `${no}neighbor ${ISP1_ADDR} bfd`]);
          await s.frr(ISP).configure(['router bgp 64501', `${no}neighbor ${C1_ADDR} bfd`]);
        };
        await s.step('enable BFD on c1–isp1', () => setBfd(true));
        s.cleanup(() => setBfd(false));
        await bfdUp();
        await failoverTrials(s, {
          label: 'silent drop with BFD',
          slo: BFD_SLO,
          timeoutMs: 20_000,
          inject: () => s.faults.silentDrop(s.faults.endpoint(CLIENT, ISP)),
          afterRestore: async () => {
            await bfdUp();
          },
        });
      },
    },
  ],
});

/**
 * bgpdns-full-tables (labs/sorter-interop, deployed as "mh-full"): the sorter holding
 * full tables. Route injectors feed each of the three FRR upstreams a seeded
 * synthetic table (BGPDNS_FULL_TABLE prefixes per upstream, default 100,000: half
 * IPv4 up to the lab range's cap of 262,143 — synthetic IPv4 lives in 198.18.0.0/15 —
 * the rest IPv6 in 2001:db8::/32); each upstream passes it to the sorter over an
 * IPv4 and an IPv6 session. Then, N times, the upstream isp1 hard-resets both of its
 * sessions with the sorter (`clear bgp`), and we time, RFC 7747 style, on the one
 * monotonic clock (the sorter's own status timestamps):
 *   reset → sessions Established again, → End-of-RIB processed (every prefix back),
 *   and → best paths stable (no RIB generation change for 2 s).
 * The documented longer run: BGPDNS_FULL_TABLE=1000000 ./bgpdns-lab run bgpdns-full-tables
 * (262,143 IPv4 + 737,857 IPv6 per upstream).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario, type ScenarioContext, waitUntil, monoNow } from '@bgpdns-lab/harness';
import type { SorterStatus } from '@bgpdns-lab/bgpdns';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BGPDNS = path.join(repoRoot, 'images', 'bgpdns', 'bin', 'bgpdns.js');
/** Synthetic IPv4 tables must stay inside 198.18.0.0/15 (images/bgpdns/src/inject/lab-range.ts). */
const IPV4_CAP = 262_143;

const ISPS = [
  { name: 'isp1', asn: 64501, n: 1, injAsn: 65541 },
  { name: 'isp2', asn: 64502, n: 2, injAsn: 65542 },
  { name: 'isp3', asn: 4200000001, n: 3, injAsn: 65543 },
] as const;
type Isp = (typeof ISPS)[number];
/**
 * The lab's link addressing (labs/sorter-interop/README.md): ispN reaches the sorter on
 * 198.19.24N.0/30 and 2001:db8:ff0N::/64, its injector on 198.19.24(N+6).0/30 and
 * 2001:db8:ff0(N+6)::/64; the ISP is .1 / ::1, the other end .2 / ::2.
 */
const sorterAt = (isp: Isp) => ({ v4: `198.19.24${isp.n}.2`, v6: `2001:db8:ff0${isp.n}::2` });
const injectorLink = (isp: Isp) => ({ isp: `198.19.24${isp.n + 6}.1`, injector: `198.19.24${isp.n + 6}.2`, injectorV6: `2001:db8:ff0${isp.n + 6}::2` });
const SORTER_AT_ISP1 = Object.values(sorterAt(ISPS[0]));
/** The step both parts begin with when they run alone. */
const HOLDS_EVERY_TABLE = 'the sorter holds every table (FRR: injector End-of-RIB in, all advertised, all held)';

export function tableSize(env = process.env): { total: number; ipv4: number; ipv6: number } {
  const raw = env.BGPDNS_FULL_TABLE;
  const total = raw === undefined || raw === '' ? 100_000 : Number(raw);
  if (!Number.isInteger(total) || total < 2) throw new Error(`BGPDNS_FULL_TABLE must be a whole number of prefixes ≥ 2, got "${raw}"`);
  const ipv4 = Math.min(Math.floor(total / 2), IPV4_CAP);
  return { total, ipv4, ipv6: total - ipv4 };
}

/** The sorter's status from its HTTP endpoint inside the node (fresher than the once-a-second status file). */
async function status(s: ScenarioContext): Promise<SorterStatus> {
  const r = await s.lab.node('sorter').exec(['curl', '-sf', '--max-time', '5', 'http://127.0.0.1:9179/status']);
  if (r.exitCode !== 0) throw new Error(`sorter /status: curl exit ${r.exitCode} ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as SorterStatus;
}

type PeerStatus = SorterStatus['peers'][number];
/** When the session's own family (isp1-v4: IPv4, isp1-v6: IPv6) saw its End-of-RIB, sorter's monotonic ms. */
const eorOf = (p: PeerStatus): number | undefined => (p.name.endsWith('-v4') ? p.endOfRibMono.ipv4 : p.endOfRibMono.ipv6);

/** Prefixes per sorter session once everything arrived (peer name → its own family's count). */
type Baseline = Map<string, number>;
const countOf = (p: PeerStatus): number => (p.name.endsWith('-v4') ? p.prefixes.ipv4 : p.prefixes.ipv6);

/** What FRR at an upstream says about one family: the injector's table in, what it passes to the sorter out. */
interface UpstreamFamily {
  /** FRR processed the injector's End-of-RIB for this family: every prefix of the table is in. */
  injectorEor: boolean;
  fromInjector: number;
  toSorter: number;
}

/** FRR 8.4 `show bgp neighbors X json`: End-of-RIB seen per family (printed whether or not GR is negotiated). */
type NeighborJson = Record<string, { bgpState?: string; gracefulRestartInfo?: { endOfRibRecv?: Record<string, boolean> } }>;

async function upstreamFamilies(s: ScenarioContext, isp: Isp): Promise<Record<'v4' | 'v6', UpstreamFamily>> {
  const frr = s.frr(isp.name);
  const { injector } = injectorLink(isp);
  const sorter = sorterAt(isp);
  const [summary, neighbor] = await Promise.all([frr.bgpSummary(), frr.json<NeighborJson>(`show bgp neighbors ${injector} json`)]);
  const eor = neighbor[injector]?.bgpState === 'Established' ? (neighbor[injector]?.gracefulRestartInfo?.endOfRibRecv ?? {}) : {};
  const family = (af: 'ipv4Unicast' | 'ipv6Unicast', to: string): UpstreamFamily => ({
    injectorEor: eor[af] === true,
    fromInjector: summary[af]?.peers[injector]?.pfxRcd ?? 0,
    toSorter: summary[af]?.peers[to]?.pfxSnt ?? 0,
  });
  return { v4: family('ipv4Unicast', sorter.v4), v6: family('ipv6Unicast', sorter.v6) };
}

/**
 * The injected tables as the sorter ends up holding them. A synthetic table may name a
 * prefix more than once, and each upstream keeps its own links out of what it accepts, so
 * the reference is what FRR says, per upstream and family: it processed the injector's
 * End-of-RIB (the whole table is in), it advertises the sorter at least every prefix it
 * accepted (everything is passed on), and the sorter's session holds exactly that many.
 * (Counts merely unchanged for a while is no proof: a loaded upstream can pause longer
 * than any quiet window between passing on one family and the next.)
 */
async function waitBaseline(s: ScenarioContext, timeoutMs: number): Promise<{ baseline: Baseline; st: SorterStatus }> {
  const { value } = await waitUntil(
    async () => {
      const upstreams = await Promise.all(ISPS.map(async (i) => [i.name, await upstreamFamilies(s, i)] as const));
      return { st: await status(s), upstreams: new Map(upstreams) };
    },
    ({ st, upstreams }) => {
      const short: string[] = [];
      for (const [isp, fams] of upstreams) {
        for (const fam of ['v4', 'v6'] as const) {
          const f = fams[fam];
          const peer = st.peers.find((p) => p.name === `${isp}-${fam}`);
          const held = peer?.state === 'Established' ? countOf(peer) : 0;
          if (!f.injectorEor || f.toSorter < f.fromInjector || held !== f.toSorter) {
            short.push(`${isp}-${fam}: injector End-of-RIB ${f.injectorEor ? 'in' : 'not yet'}, ${f.fromInjector} accepted, ${f.toSorter} advertised, sorter ${peer?.state ?? 'no session'} ${held}`);
          }
        }
      }
      return short.length === 0 || short.join('; ');
    },
    { what: 'every upstream has the whole injected table and the sorter holds all it advertised', timeout: timeoutMs, interval: 500 },
  );
  return { baseline: new Map(value.st.peers.map((p) => [p.name, countOf(p)])), st: value.st };
}

function tablesComplete(st: SorterStatus, baseline: Baseline): true | string {
  const short = st.peers.filter((p) => p.state !== 'Established' || countOf(p) < (baseline.get(p.name) ?? Infinity));
  return short.length === 0 || short.map((p) => `${p.name} ${p.state} ${countOf(p)} of ${baseline.get(p.name)}`).join('; ');
}

/** Set by the first part, measured again by the second when it runs alone. */
let measured: Baseline | undefined;

export default defineScenario({
  name: 'bgpdns-full-tables',
  description: 'Upstreams fed synthetic full tables by the injector; time for the sorter to converge after a session reset (RFC 7747 style).',
  lab: { file: 'labs/sorter-interop/sorter-interop.clab.yml', name: 'mh-full' },
  parts: [
    {
      name: 'full tables: every upstream passes the injected table to the sorter',
      timeoutMs: 900_000,
      async run(s) {
        const table = tableSize();
        s.log(`table per upstream: ${table.ipv4} IPv4 + ${table.ipv6} IPv6 prefixes`);
        const t0 = monoNow();
        for (const i of ISPS) {
          await s.step(`start the injector into ${i.name}`, () =>
            s.lab.node(`inj${i.n}`).spawn(
              [
                process.execPath, BGPDNS, 'inject', '--peer', injectorLink(i).isp, '--local-as', String(i.injAsn), '--peer-as', String(i.asn),
                '--router-id', `198.19.255.2${i.n}`, '--hold-time', '90', '--synthetic', '--ipv4', String(table.ipv4), '--ipv6', String(table.ipv6),
                '--seed', '11', '--next-hop6', injectorLink(i).injectorV6,
              ],
              { role: 'inject', placement: 'beside', cwd: repoRoot },
            ),
          );
        }
        const { baseline, st } = await s.step(HOLDS_EVERY_TABLE, () => waitBaseline(s, 840_000));
        measured = baseline;
        s.measurement('full tables: injection start → the sorter holds all three tables', { plane: 'bgp', description: `three upstreams × (${table.ipv4} IPv4 + ${table.ipv6} IPv6 injected), each through FRR; complete when each upstream's FRR has processed the injector's End-of-RIB and the sorter holds every prefix FRR advertised it` }).add(monoNow() - t0);
        s.log(`distinct prefixes per session (what FRR passes on): ${[...baseline].map(([k, v]) => `${k} ${v}`).join(', ')}`);
        s.log(`sorter RIB: ${st.rib.ipv4.prefixes} IPv4 / ${st.rib.ipv6.prefixes} IPv6 prefixes, ${st.rib.ipv4.paths + st.rib.ipv6.paths} paths, RSS ${Math.round(st.rssBytes / 2 ** 20)} MB`);
        s.check('the sorter holds a table of the injected size class from every upstream', [...baseline.values()].every((n) => n > Math.min(table.ipv4, table.ipv6) / 2), JSON.stringify([...baseline]));
      },
    },
    {
      name: 'session reset at isp1: sorter re-converges (Established, End-of-RIB, best paths stable), RFC 7747 style',
      timeoutMs: 900_000,
      async run(s) {
        const table = tableSize();
        const baseline = measured ?? (await s.step(HOLDS_EVERY_TABLE, () => waitBaseline(s, 840_000))).baseline;
        const spec = (what: string) => ({ plane: 'bgp' as const, description: `${what} (${table.ipv4} IPv4 + ${table.ipv6} IPv6 prefixes per session pair; sorter's own monotonic timestamps)` });
        const established = s.measurement('full tables: reset → isp1 sessions Established', spec('`clear bgp` of both isp1–sorter sessions at isp1 → both Established again'));
        const eor = s.measurement('full tables: reset → End-of-RIB processed (all prefixes back)', spec('reset → the later End-of-RIB of the two isp1 sessions, every prefix received again'));
        const ingest = s.measurement('full tables: first UPDATE → End-of-RIB (ingest)', spec("isp1's first UPDATE after the reset → its End-of-RIB, slower of the two families"));
        const stable = s.measurement('full tables: reset → best paths stable', spec('reset → the last RIB generation change before 2 s without one'));
        for (let trial = 1; trial <= s.trials; trial++) {
          const t = `reset #${trial}`;
          await s.step(`${t}: tables complete`, () => waitUntil(() => status(s), (x) => tablesComplete(x, baseline), { what: `${t}: every session complete`, timeout: 300_000, interval: 500 }));
          const t0 = monoNow();
          await s.step(`${t}: clear bgp at isp1 (both sessions with the sorter)`, async () => {
            for (const peer of SORTER_AT_ISP1) await s.frr('isp1').command(`clear bgp ${peer}`);
          });
          s.recorder.fault({ at: t0, fault: 'session-reset', target: 'isp1→sorter', action: 'inject', args: { peers: SORTER_AT_ISP1 } });
          const back = await s.step(`${t}: isp1 sessions back with End-of-RIB`, async () => {
            const { value } = await waitUntil(
              () => status(s),
              (x) => {
                const mine = x.peers.filter((p) => p.name.startsWith('isp1-'));
                const done = mine.every((p) => p.state === 'Established' && (p.establishedMono ?? 0) > t0 && (eorOf(p) ?? 0) > t0);
                return (done && tablesComplete(x, baseline) === true) || mine.map((p) => `${p.name} ${p.state} ${countOf(p)} of ${baseline.get(p.name)} eor ${eorOf(p) ?? '-'}`).join('; ');
              },
              { what: `${t}: isp1 re-established with its whole table`, timeout: 300_000, interval: 200 },
            );
            return value.peers.filter((p) => p.name.startsWith('isp1-'));
          });
          established.add(Math.max(...back.map((p) => p.establishedMono!)) - t0);
          eor.add(Math.max(...back.map((p) => eorOf(p)!)) - t0);
          ingest.add(Math.max(...back.map((p) => eorOf(p)! - (p.firstUpdateMono ?? eorOf(p)!))));
          // Best paths stable: poll the generation until it has not moved for 2 s.
          let lastGen = -1;
          let lastChange = t0;
          await s.step(`${t}: best paths stable`, () =>
            waitUntil(
              async () => {
                const st = await status(s);
                if (st.rib.generation !== lastGen) {
                  lastGen = st.rib.generation;
                  lastChange = st.mono;
                }
                return st.mono - lastChange;
              },
              (quiet) => quiet >= 2000 || `generation ${lastGen} changed ${Math.round(quiet)} ms ago`,
              { what: `${t}: no best-path change for 2 s`, timeout: 300_000, interval: 200 },
            ),
          );
          stable.add(lastChange - t0);
          s.log(`${t}: Established ${Math.round(Math.max(...back.map((p) => p.establishedMono!)) - t0)} ms, End-of-RIB ${Math.round(Math.max(...back.map((p) => eorOf(p)!)) - t0)} ms, stable ${Math.round(lastChange - t0)} ms`);
        }
      },
    },
  ],
});

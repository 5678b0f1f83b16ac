/**
 * sorter-interop (labs/sorter-interop): the BGPDNS sorter with three real FRR
 * upstreams (one with a 4-octet ASN), each over an IPv4 and an IPv6 session,
 * and an FRR listener receiving exactly the same sessions as the reference.
 *
 *   1. tables arrive: injectors feed each ISP the same seeded table; every
 *      sorter session holds exactly what the listener's matching session holds;
 *   2. differential: for every prefix the sorter's best path (neighbour AS, and
 *      next hop as the upstream router it designates) equals FRR's;
 *   3. the query protocol answers inside the lab;
 *   4. link cut (isp1's end of its link to the sorter): the sorter drops isp1's
 *      routes through its own link watcher, timed by the sorter's own monotonic
 *      clock against the fault's (same clock), SLO < 2 s;
 *   5. silent failure (nft drop on the sorter's interface to isp2): only the
 *      hold timer (9 s) can notice, SLO < 15 s;
 *   6. session reset (`clear bgp` at isp3): the sorter recovers the full table;
 *   7. graceful restart (isp3's bgpd killed and started again, `bgp graceful-restart`):
 *      the sorter keeps isp3's routes as stale, its best paths do not change while
 *      isp3 is away, and what isp3 no longer announces is gone after its End-of-RIB.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineScenario, type ScenarioContext, waitUntil, readSorterStatus, type Slo, type FaultHandle } from '@bgpdns-lab/harness';
import { type SorterStatus, formatIPv4, parsePrefix } from '@bgpdns-lab/bgpdns';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BGPDNS = path.join(repoRoot, 'images', 'bgpdns', 'bin', 'bgpdns.js');

const ISPS = [
  { name: 'isp1', asn: 64501, n: 1, injAsn: 65541 },
  { name: 'isp2', asn: 64502, n: 2, injAsn: 65542 },
  { name: 'isp3', asn: 4200000001, n: 3, injAsn: 65543 },
] as const;
type IspName = (typeof ISPS)[number]['name'];

/** Per-ISP table size: the same seeded table goes into every ISP. */
const TABLE = { ipv4: 4000, ipv6: 1500, seed: 11 };
const QUERY_KEY = '1:6c61622d6f6e6c792d6b65792d6e6f742d612d7365637265742d383838383838';

const LINK_CUT_SLO: Slo = { op: '<', value: 2000 };
const SILENT_SLO: Slo = { op: '<', value: 15_000 };

/** Next hop → the ISP router it designates (the sorter and the listener reach each ISP over their own link). */
const NEXT_HOP_ISP = new Map<string, IspName>();
for (const i of ISPS) {
  NEXT_HOP_ISP.set(`198.19.24${i.n}.1`, i.name);
  NEXT_HOP_ISP.set(`2001:db8:ff0${i.n}::1`, i.name);
  NEXT_HOP_ISP.set(`198.19.24${i.n + 3}.1`, i.name);
  NEXT_HOP_ISP.set(`2001:db8:ff0${i.n + 3}::1`, i.name);
}

async function status(s: ScenarioContext): Promise<SorterStatus> {
  const st = await readSorterStatus(s.lab.node('sorter').dir);
  if (!st) throw new Error('the sorter has written no status yet');
  return st;
}

function peerOf(st: SorterStatus, name: string) {
  const p = st.peers.find((x) => x.name === name);
  if (!p) throw new Error(`sorter status has no peer ${name}`);
  return p;
}

/** Prefixes the listener holds from each ISP session, keyed like the sorter's peer names ("isp1-v4"). */
async function listenerCounts(s: ScenarioContext): Promise<Record<string, number>> {
  const peers = await s.frr('listener').bgpPeers();
  const out: Record<string, number> = {};
  for (const i of ISPS) {
    const v4 = peers.get(`ipv4Unicast 198.19.24${i.n + 3}.1`);
    const v6 = peers.get(`ipv6Unicast 2001:db8:ff0${i.n + 3}::1`);
    out[`${i.name}-v4`] = v4?.state === 'Established' ? (v4.pfxRcd ?? 0) : -1;
    out[`${i.name}-v6`] = v6?.state === 'Established' ? (v6.pfxRcd ?? 0) : -1;
  }
  return out;
}

/**
 * Every sorter session Established and holding what the listener's twin session
 * holds — the injected table (at least half of it survives the loop and link
 * filters) — unchanged over two consecutive looks half a second apart.
 */
async function waitTablesMatch(s: ScenarioContext, what: string, timeout = 90_000): Promise<Record<string, number>> {
  let previous = '';
  const { value } = await waitUntil(
    async () => ({ sorter: await status(s), listener: await listenerCounts(s) }),
    ({ sorter, listener }) => {
      const problems: string[] = [];
      for (const [name, want] of Object.entries(listener)) {
        const p = peerOf(sorter, name);
        const have = name.endsWith('-v4') ? p.prefixes.ipv4 : p.prefixes.ipv6;
        const table = name.endsWith('-v4') ? TABLE.ipv4 : TABLE.ipv6;
        if (p.state !== 'Established') problems.push(`${name}: sorter session ${p.state}`);
        else if (want < table / 2) problems.push(`${name}: listener holds ${want < 0 ? 'no session' : `only ${want}`}`);
        else if (have !== want) problems.push(`${name}: sorter ${have}, listener ${want}`);
      }
      if (problems.length > 0) {
        previous = '';
        return problems.join('; ');
      }
      const now = JSON.stringify(listener);
      const stable = now === previous;
      previous = now;
      return stable || 'equal; checking that it is stable';
    },
    { what, timeout, interval: 500 },
  );
  return value.listener;
}

interface BestView {
  neighborAs: number;
  isp: IspName | string;
}

async function sorterBest(s: ScenarioContext, family: 'ipv4' | 'ipv6'): Promise<Map<string, BestView>> {
  const r = await s.lab.node('sorter').exec(['curl', '-sf', `http://127.0.0.1:9179/routes/${family}`], { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new Error(`sorter /routes/${family}: curl exit ${r.exitCode}: ${r.stderr}`);
  const out = new Map<string, BestView>();
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const route = JSON.parse(line) as { prefix: string; neighborAs: number; nextHop: string };
    out.set(route.prefix, { neighborAs: route.neighborAs, isp: NEXT_HOP_ISP.get(route.nextHop) ?? `next hop ${route.nextHop}` });
  }
  return out;
}

interface FrrTablePath {
  bestpath?: boolean;
  path: string;
  nexthops?: { ip: string; scope?: string }[];
}

async function listenerBest(s: ScenarioContext, family: 'ipv4' | 'ipv6'): Promise<Map<string, BestView>> {
  const table = await s.frr('listener').json<{ routes: Record<string, FrrTablePath[]> }>(`show bgp ${family} unicast json`);
  const out = new Map<string, BestView>();
  for (const [prefix, paths] of Object.entries(table.routes ?? {})) {
    const best = paths.find((p) => p.bestpath);
    if (!best) continue;
    const hop = (best.nexthops ?? []).find((h) => h.scope !== 'link-local') ?? best.nexthops?.[0];
    const first = Number(best.path.split(/\s+/).find((x) => /^\d+$/.test(x)));
    out.set(prefix, { neighborAs: first, isp: (hop && NEXT_HOP_ISP.get(hop.ip)) ?? `next hop ${hop?.ip}` });
  }
  return out;
}

/** The sorter's time of dropping a peer's routes, minus the fault's time (both on the shared monotonic clock). */
async function waitPeersDown(s: ScenarioContext, names: string[], after: number, timeout: number): Promise<number> {
  const { value } = await waitUntil(
    () => status(s),
    (st) => {
      const open = names.filter((n) => {
        const p = peerOf(st, n);
        return !(p.state !== 'Established' && p.prefixes.ipv4 + p.prefixes.ipv6 === 0 && (p.lastDownMono ?? 0) > after);
      });
      return open.length === 0 ? true : `still up or holding routes: ${open.join(', ')}`;
    },
    { what: `sorter drops ${names.join(' and ')}`, timeout, interval: 20 },
  );
  return Math.max(...names.map((n) => peerOf(value, n).lastDownMono!)) - after;
}

/** N trials of one fault: inject, time the sorter dropping both sessions of an ISP, restore, wait for the tables. */
async function failureTrials(
  s: ScenarioContext,
  o: { label: string; isp: IspName; slo: Slo; description: string; timeoutMs: number; inject: () => Promise<FaultHandle> },
): Promise<void> {
  const peers = [`${o.isp}-v4`, `${o.isp}-v6`];
  const dropped = s.measurement(`${o.label}: sorter drops ${o.isp} routes`, { plane: 'bgp', slo: o.slo, description: o.description });
  for (let trial = 1; trial <= s.trials; trial++) {
    const fault = await s.step(`${o.label} #${trial}: inject`, o.inject);
    const ms = await s.step(`${o.label} #${trial}: sorter drops ${peers.join(' and ')}`, () => waitPeersDown(s, peers, fault.injected.at, o.timeoutMs));
    dropped.add(ms);
    s.log(`${o.label} #${trial}: ${o.isp} routes gone after ${Math.round(ms)} ms`);
    await s.step(`${o.label} #${trial}: restore`, () => fault.revert());
    await s.step(`${o.label} #${trial}: ${o.isp} tables back`, () => waitTablesMatch(s, `tables back after the ${o.label}`));
  }
  s.expectSlo(dropped);
}

/** Both best-path tables of the sorter, keyed "family prefix". */
async function sorterTables(s: ScenarioContext): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const family of ['ipv4', 'ipv6'] as const) {
    for (const [prefix, v] of await sorterBest(s, family)) out.set(`${family} ${prefix}`, `AS${v.neighborAs} via ${v.isp}`);
  }
  return out;
}

/** What differs between two best-path tables (at most `limit` lines). */
function tableDiff(want: Map<string, string>, have: Map<string, string>, limit = 5): string[] {
  const out: string[] = [];
  for (const [k, v] of want) if (have.get(k) !== v) out.push(`${k}: ${v} → ${have.get(k) ?? 'no route'}`);
  for (const k of have.keys()) if (!want.has(k)) out.push(`${k}: new`);
  return out.slice(0, limit);
}

/**
 * Prefixes isp3 announces only until its bgpd restarts (added by vty, not in its
 * configuration file): after the restart they are what must be swept as stale.
 * The first of each family that the (synthetic) table does not hold already.
 */
function pickExtra(table: Map<string, string>): { ipv4: string; ipv6: string } {
  const v4 = Array.from({ length: 200 }, (_, i) => `198.19.${213 + (i % 20)}.${77 + Math.floor(i / 20)}/32`).find((p) => !table.has(`ipv4 ${p}`));
  const v6 = Array.from({ length: 200 }, (_, i) => `2001:db8:c913::${(0x77 + i).toString(16)}/128`).find((p) => !table.has(`ipv6 ${p}`));
  if (!v4 || !v6) throw new Error('no free prefix for the graceful restart check');
  return { ipv4: v4, ipv6: v6 };
}

async function grPart(s: ScenarioContext): Promise<void> {
  const isp3 = s.frr('isp3');
  const GR_EXTRA = pickExtra(await sorterTables(s));
  s.log(`isp3 will announce ${GR_EXTRA.ipv4} and ${GR_EXTRA.ipv6} until its restart`);
  await s.step('isp3 announces two more prefixes (vty only: gone after a restart)', async () => {
    await isp3.configure([`ip route ${GR_EXTRA.ipv4} blackhole`, `ipv6 route ${GR_EXTRA.ipv6} blackhole`], 'staticd');
    await isp3.configure([
      'router bgp 4200000001', 'address-family ipv4 unicast', `network ${GR_EXTRA.ipv4}`, 'exit-address-family',
      'address-family ipv6 unicast', `network ${GR_EXTRA.ipv6}`, 'exit-address-family',
    ]);
  });
  const { value: before } = await s.step('the sorter has them via isp3', () =>
    waitUntil(() => sorterTables(s), (t) => (t.get(`ipv4 ${GR_EXTRA.ipv4}`)?.endsWith('via isp3') && t.get(`ipv6 ${GR_EXTRA.ipv6}`)?.endsWith('via isp3')) || 'not yet', {
      what: 'the extra isp3 prefixes in the sorter', timeout: 20_000, interval: 200,
    }),
  );
  const st0 = await status(s);
  for (const n of ['isp3-v4', 'isp3-v6']) {
    s.check(`${n}: isp3's Graceful Restart capability read (restart time 120 s)`, peerOf(st0, n).gracefulRestart.peerRestartTime === 120, JSON.stringify(peerOf(st0, n).gracefulRestart));
  }
  const counts0 = { v4: peerOf(st0, 'isp3-v4').prefixes.ipv4, v6: peerOf(st0, 'isp3-v6').prefixes.ipv6 };
  const killed = await s.step("kill isp3's bgpd", () => s.faults.kill('isp3', 'bgpd'));
  const away = await s.step('the sorter keeps isp3 routes as stale', () =>
    waitUntil(() => status(s), (st) => ['isp3-v4', 'isp3-v6'].every((n) => peerOf(st, n).state !== 'Established' && peerOf(st, n).gracefulRestart.stale.length === 1) || 'isp3 sessions not yet in restart', {
      what: 'isp3 sessions lost, routes stale', timeout: 20_000, interval: 50,
    }),
  );
  const stale = { v4: peerOf(away.value, 'isp3-v4').gracefulRestart.stalePaths.ipv4, v6: peerOf(away.value, 'isp3-v6').gracefulRestart.stalePaths.ipv6 };
  s.log(`stale while isp3 is away: ${JSON.stringify(stale)} (held before: ${JSON.stringify(counts0)})`);
  // The status file may predate the two extra prefixes by a second: at least what it showed, and all of what is held now.
  const held = { v4: peerOf(away.value, 'isp3-v4').prefixes.ipv4, v6: peerOf(away.value, 'isp3-v6').prefixes.ipv6 };
  s.check('every isp3 path is kept, marked stale', stale.v4 === held.v4 && stale.v6 === held.v6 && held.v4 >= counts0.v4 && held.v6 >= counts0.v6, JSON.stringify({ stale, held, counts0 }));
  // Three looks, half a second apart, while isp3's bgpd is not running.
  const during: string[] = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 500));
    during.push(...tableDiff(before, await sorterTables(s)));
  }
  s.check('best paths unchanged while isp3 is away (3 looks over 1 s)', during.length === 0, during.join('\n'));
  await s.step("start isp3's bgpd again", () => killed.revert());
  // From the restart to the sweep: every look at the tables equals the one before the kill.
  let looks = 0;
  const changes: string[] = [];
  const { value: after } = await s.step('isp3 back, End-of-RIB, stale swept', () =>
    waitUntil(
      async () => ({ st: await status(s), tables: await sorterTables(s) }),
      ({ st, tables }) => {
        const restarting = ['isp3-v4', 'isp3-v6'].filter((n) => peerOf(st, n).gracefulRestart.stale.length > 0);
        if (restarting.length > 0) {
          looks++;
          const diff = tableDiff(before, tables);
          // A look may straddle the sweep (status read, then the tables): only a look still inside the restart counts.
          if (diff.length > 0) changes.push(`look ${looks} (${restarting.join(', ')} still stale): ${diff.join('; ')}`);
          return `${restarting.join(', ')} still stale`;
        }
        return ['isp3-v4', 'isp3-v6'].every((n) => peerOf(st, n).state === 'Established') || 'isp3 sessions not Established';
      },
      { what: 'isp3 re-established and its stale routes swept', timeout: 90_000, interval: 20 },
    ),
  );
  s.log(`${looks} looks at the sorter's tables during the restart`);
  const inside = changes.filter((c) => !c.includes(GR_EXTRA.ipv4) && !c.includes(GR_EXTRA.ipv6));
  s.check('best paths unchanged during the restart (apart from the two prefixes isp3 dropped, once swept)', inside.length === 0, inside.slice(0, 5).join('\n'));
  const settled = await s.step('tables back', () => waitTablesMatch(s, 'tables back after the graceful restart'));
  s.log(`prefixes per session after the restart: ${JSON.stringify(settled)}`);
  const final = await sorterTables(s);
  s.check('the prefixes isp3 no longer announces are gone (swept at End-of-RIB)', !final.has(`ipv4 ${GR_EXTRA.ipv4}`) && !final.has(`ipv6 ${GR_EXTRA.ipv6}`));
  const expected = new Map([...before].filter(([k]) => k !== `ipv4 ${GR_EXTRA.ipv4}` && k !== `ipv6 ${GR_EXTRA.ipv6}`));
  const diff = tableDiff(expected, final);
  s.check('every other best path is what it was before the restart', diff.length === 0, diff.join('\n'));
  const st = after.st;
  for (const n of ['isp3-v4', 'isp3-v6']) {
    const p = peerOf(st, n);
    const fam = n.endsWith('v4') ? 'ipv4' : 'ipv6';
    s.check(`${n}: End-of-RIB received after the restart and nothing left stale`, (p.endOfRibMono[fam] ?? 0) > killed.injected.at && p.gracefulRestart.stalePaths[fam] === 0, JSON.stringify(p.gracefulRestart));
  }
}

export default defineScenario({
  name: 'sorter-interop',
  description: 'The BGPDNS sorter with three FRR upstreams over IPv4 and IPv6: tables, FRR-equal best paths, queries, link cut, silent failure, session reset.',
  lab: { file: 'labs/sorter-interop/sorter-interop.clab.yml', name: 'h4-interop' },
  parts: [
    {
      name: 'tables arrive on all six sessions, including the 4-octet ASN upstream',
      timeoutMs: 180_000,
      async run(s) {
        for (const i of ISPS) {
          await s.step(`start the injector into ${i.name}`, () =>
            s.lab.node(`inj${i.n}`).spawn(
              [
                process.execPath, BGPDNS, 'inject', '--peer', `198.19.24${i.n + 6}.1`, '--local-as', String(i.injAsn), '--peer-as', String(i.asn),
                '--router-id', `198.19.255.2${i.n}`, '--hold-time', '90', '--synthetic', '--ipv4', String(TABLE.ipv4), '--ipv6', String(TABLE.ipv6),
                '--seed', String(TABLE.seed), '--next-hop6', `2001:db8:ff0${i.n + 6}::2`,
              ],
              { role: 'inject', placement: 'beside', cwd: repoRoot },
            ),
          );
        }
        const counts = await s.step('every sorter session holds what the listener holds', () => waitTablesMatch(s, 'sorter sessions = listener sessions'));
        s.log(`prefixes per session: ${JSON.stringify(counts)}`);
        const st = await status(s);
        s.check('isp3 (AS4200000001) sessions are up', ['isp3-v4', 'isp3-v6'].every((n) => peerOf(st, n).state === 'Established' && peerOf(st, n).asn === 4200000001));
        s.check('every session carries routes', Object.values(counts).every((c) => c > 100), JSON.stringify(counts));
      },
    },
    {
      name: 'differential: the sorter picks the same best path as FRR for every prefix',
      timeoutMs: 120_000,
      async run(s) {
        for (const family of ['ipv4', 'ipv6'] as const) {
          const [ours, frr] = await s.step(`${family}: read both tables`, () => Promise.all([sorterBest(s, family), listenerBest(s, family)]));
          const mismatches: string[] = [];
          for (const [prefix, f] of frr) {
            const o = ours.get(prefix);
            if (!o) mismatches.push(`${prefix}: sorter has no route (FRR AS${f.neighborAs} via ${f.isp})`);
            else if (o.neighborAs !== f.neighborAs || o.isp !== f.isp) mismatches.push(`${prefix}: sorter AS${o.neighborAs} via ${o.isp}, FRR AS${f.neighborAs} via ${f.isp}`);
          }
          for (const prefix of ours.keys()) if (!frr.has(prefix)) mismatches.push(`${prefix}: only the sorter has it`);
          const perIsp: Record<string, number> = {};
          for (const f of frr.values()) perIsp[f.isp] = (perIsp[f.isp] ?? 0) + 1;
          s.log(`${family}: ${frr.size} prefixes compared; FRR best via ${JSON.stringify(perIsp)}; ${mismatches.length} mismatches`);
          s.check(`${family}: same prefixes and best paths (${frr.size} prefixes)`, frr.size > 1000 && mismatches.length === 0, mismatches.slice(0, 10).join('\n'));
          s.check(`${family}: the choice is not trivial (every ISP wins more than 10 prefixes)`, ISPS.every((i) => (perIsp[i.name] ?? 0) > 10), JSON.stringify(perIsp));
        }
      },
    },
    {
      name: 'the query protocol answers inside the lab',
      async run(s) {
        const frrRoutes = await listenerBest(s, 'ipv4');
        // A client whose longest match in the table is a prefix FRR reaches through isp2.
        const covering = (addr: number) =>
          [...frrRoutes.keys()]
            .map((p) => parsePrefix(p))
            .filter((p) => p.len === 0 || ((addr ^ p.words[0]) & (~0 << (32 - p.len))) === 0)
            .sort((a, b) => b.len - a.len)[0];
        let client = '';
        for (const [p, v] of frrRoutes) {
          if (v.isp !== 'isp2') continue;
          const pp = parsePrefix(p);
          const addr = (pp.words[0] + (pp.len < 32 ? 1 : 0)) >>> 0;
          const longest = covering(addr);
          if (longest && longest.len === pp.len && longest.words[0] === pp.words[0]) {
            client = formatIPv4(addr);
            break;
          }
        }
        s.check('found a client address whose longest match is best via isp2', client !== '');
        const r = await s.lab.node('sorter').exec(
          [process.execPath, BGPDNS, 'sorter', 'query', '--server', '127.0.0.1:179', '--key', QUERY_KEY, '--client', client, '198.19.201.10', '198.19.202.10', '2001:db8:c903::10'],
          { placement: 'beside', cwd: repoRoot, timeoutMs: 30_000 },
        );
        s.check('sorter query exits 0', r.exitCode === 0, r.stderr);
        const answer = JSON.parse(r.stdout.trim().split('\n').pop()!) as { status: string; preferences: number[]; neighborAs: number; matchedPrefix: string };
        s.log(`query for ${client}: ${r.stdout.trim()}`);
        s.check('ranked', answer.status === 'ranked', r.stdout);
        s.check(`best path to ${client} enters through isp2 (AS64502)`, answer.neighborAs === 64502, r.stdout);
        s.check("isp2's candidate comes first", answer.preferences[1] > answer.preferences[0] && answer.preferences[1] > answer.preferences[2], r.stdout);
      },
    },
    {
      name: 'link cut at isp1: the sorter drops isp1 within 2 s',
      timeoutMs: 240_000,
      run: (s) =>
        failureTrials(s, {
          label: 'link cut',
          isp: 'isp1',
          slo: LINK_CUT_SLO,
          description: "ip link set down at isp1's end → the sorter removed isp1's routes (sorter monotonic time of removal − fault time)",
          timeoutMs: 20_000,
          inject: () => s.faults.linkDown(s.faults.endpoint('isp1', 'sorter')),
        }),
    },
    {
      name: 'silent failure towards isp2: the hold timer drops isp2 within 15 s',
      timeoutMs: 300_000,
      run: (s) =>
        failureTrials(s, {
          label: 'silent drop',
          isp: 'isp2',
          slo: SILENT_SLO,
          description: "nft drop on the sorter's interface to isp2 → hold timer (9 s) → isp2's routes removed",
          timeoutMs: 30_000,
          inject: () => s.faults.silentDrop(s.faults.endpoint('sorter', 'isp2')),
        }),
    },
    {
      name: 'session reset at isp3: the sorter re-learns the full table',
      timeoutMs: 120_000,
      async run(s) {
        const before = await status(s);
        const flaps = peerOf(before, 'isp3-v4').flaps + peerOf(before, 'isp3-v6').flaps;
        await s.step('clear both isp3 sessions to the sorter', async () => {
          await s.frr('isp3').command('clear bgp 198.19.243.2');
          await s.frr('isp3').command('clear bgp 2001:db8:ff03::2');
        });
        await s.step('the sorter saw both sessions go down', () =>
          waitUntil(() => status(s), (st) => peerOf(st, 'isp3-v4').flaps + peerOf(st, 'isp3-v6').flaps >= flaps + 2 || 'no flap yet', {
            what: 'isp3 flaps counted by the sorter',
            timeout: 20_000,
            interval: 50,
          }),
        );
        await s.step('isp3 tables back', () => waitTablesMatch(s, 'tables back after clear bgp'));
      },
    },
    {
      name: "graceful restart of isp3's bgpd: rankings unchanged, stale routes gone after End-of-RIB",
      timeoutMs: 180_000,
      run: grPart,
    },
  ],
});

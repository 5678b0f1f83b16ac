/**
 * bgpdns-more-specific (labs/multihomed): answers that stay right behind real resolvers.
 *   1. A more-specific leaks into a client network. Client AS 1's 198.19.1.0/24 is best
 *      via isp1. Partner AS64522 (c2) leaks 198.19.1.128/25 — inside it — through its own
 *      ISP, isp2 (AS path 64502 64522: shorter than anything else the sorter has for it).
 *      Clients inside the /25 (ECS 198.19.1.200/32 from h1) must move to isp2's address
 *      first; clients outside it (h1 itself, 198.19.1.10) must not move — asked directly
 *      at the front, at the proxy-mode front and through unbound with client subnet (res1
 *      sends /25s). unbound caches by the front's ECS scope: the outside answer is scoped
 *      to 198.19.1.0/25 (where the /24 is still the longest match), so unbound may never
 *      serve the inside order to the outside client or back. Time from the leak to the
 *      first re-ordered inside answer per path, SLO < 15 s (the seed's failover bound);
 *      then the withdrawal, timed the same way.
 *   2. Sorter outage behind a resolver. The sorter is frozen while a client behind unbound
 *      with client subnet asks a name whose records carry a day's TTL (a fresh name per
 *      trial under long.bgpdns.lab, so nothing is cached). The freeze stays well inside the
 *      BGP hold time, and the scenario checks that the sorter kept its sessions: losing them
 *      is another story (bgpdns-sorter-failure). The front answers unranked with
 *      its capped TTL (5 s), so unbound asks again soon: the client is sorted again within
 *      the cap + 2 s of the thaw (SLO).
 *   ./bgpdns-lab run bgpdns-more-specific
 */
import {
  defineScenario,
  type ScenarioContext,
  waitUntil,
  monoNow,
  frr,
  isGood,
  type DnsProbeSample,
  type FaultHandle,
} from '@bgpdns-lab/harness';
import { BgpdnsObservers, CLAIMS, LAB_PATH, SERVER_ADDR, SERVERS, client, firstSorterChange, frontState, shareFirst, type ProbeSpec } from './bgpdns-lab.js';

/** The leaked more-specific: the upper half of client AS 1's 198.19.1.0/24. */
const LEAK = '198.19.1.128/25';
/** The partner that leaks it, and where it enters the sorter's view. */
const LEAKER = { node: 'c2', asn: 64522 };
/** A client inside the leak (as an EDNS client subnet from h1: no host needs to live there). */
const INSIDE_ADDRESS = '198.19.1.200';
const INSIDE_SUBNET = `${INSIDE_ADDRESS}/32`;
const OUTSIDE = client('h1');
const BEFORE = SERVER_ADDR.isp1;
const LEAKED = SERVER_ADDR.isp2;
const PATHS = ['front', 'proxy', 'resolver-ecs'] as const;
type Path = (typeof PATHS)[number];
/** The DNS front node each path's answers are ordered by (through unbound: the file-mode front, res1's stub). */
const FRONT_NODE: Record<Path, string> = { front: 'dns', proxy: 'dnsproxy', 'resolver-ecs': 'dns' };
const inside = (via: Path): ProbeSpec => ({ host: 'h1', via, subnet: INSIDE_SUBNET });
const outside = (via: Path): ProbeSpec => ({ host: 'h1', via });
/** The front's default TTL cap of unranked answers (bgpdns dns --unranked-ttl). */
const UNRANKED_TTL_S = 5;
/** The record TTL of www.bgpdns.lab (labs/multihomed/dns/data): how long unbound may keep an answer. */
const RECORD_TTL_MS = 1000;
/** The isp1 address of the names under long.bgpdns.lab (a day's TTL; labs/multihomed/dns/data). */
const LONG_ISP1 = '198.18.16.11';

/**
 * The leak as configuration of c2: a blackhole route for the /25 (so bgpd has a route
 * to announce), the /25 allowed by its outbound filter, and the announcement.
 */
function leak(s: ScenarioContext): Promise<FaultHandle> {
  return s.faults.frrConfig(
    LEAKER.node,
    'route-leak',
    [
      { daemon: 'staticd', apply: [`ip route ${LEAK} blackhole`], undo: [`no ip route ${LEAK} blackhole`] },
      { apply: [`ip prefix-list own-network seq 10 permit ${LEAK}`], undo: [`no ip prefix-list own-network seq 10 permit ${LEAK}`] },
      { apply: [`router bgp ${LEAKER.asn}`, 'address-family ipv4 unicast', `network ${LEAK}`], undo: [`router bgp ${LEAKER.asn}`, 'address-family ipv4 unicast', `no network ${LEAK}`] },
    ],
    { prefix: LEAK, asn: LEAKER.asn },
  );
}

/** Answers a front sent unranked because the sorter did not answer in time (or was skipped): random order, by design. */
async function unrankedServed(s: ScenarioContext, node: string): Promise<number> {
  const f = (await frontState(s, node)).fallbacks;
  return (f.timeout ?? 0) + (f.error ?? 0) + (f.defective ?? 0) + (f['probe-in-flight'] ?? 0);
}

/** First good answer at or after t0 with `first` first whose next good answer has it first too (a random order seldom does twice). */
function firstSteady(samples: DnsProbeSample[], t0: number, first: string): DnsProbeSample | undefined {
  const good = samples.filter((x) => x.at >= t0 && isGood(x));
  return good.find((x, i) => x.answers[0] === first && good[i + 1]?.answers[0] === first);
}

/** Good answers in [from, to) whose first address is not `first`. */
function others(samples: DnsProbeSample[], from: number, to: number, first: string): DnsProbeSample[] {
  return samples.filter((x) => x.at >= from && x.at < to && isGood(x) && x.answers[0] !== first);
}

async function moreSpecificTrials(s: ScenarioContext): Promise<void> {
  const probes = PATHS.flatMap((via) => [inside(via), outside(via)]);
  const o = await BgpdnsObservers.start(s, probes, { sorterClients: [INSIDE_ADDRESS] });
  const watcher = await s.watch('site', [LEAK, '198.19.1.0/24']);
  const spec = (plane: 'bgp' | 'dns', description: string) => ({ plane, slo: { op: '<' as const, value: 15_000 }, claim: CLAIMS.subFifteen, description });
  const sorter = s.measurement('leak: sorter ranks isp2 first for the inside client (BGP plane)', spec('bgp', `leak → first sorter answer (asked every 20 ms) for ${INSIDE_ADDRESS} with ${LEAKED} first`));
  const moved = Object.fromEntries(
    PATHS.map((via) => [via, s.measurement(`leak: inside client re-ordered, ${SERVERS[via].what} (DNS plane)`, spec('dns', `leak → first of two answers in a row for ECS ${INSIDE_SUBNET} from h1 with ${LEAKED} first (a query every 20 ms)`))]),
  ) as Record<Path, ReturnType<ScenarioContext['measurement']>>;
  const back = Object.fromEntries(
    PATHS.map((via) => [via, s.measurement(`withdrawal: inside client back on isp1, ${SERVERS[via].what} (DNS plane)`, spec('dns', `withdrawal → first of two answers in a row for ECS ${INSIDE_SUBNET} with ${BEFORE} first again`))]),
  ) as Record<Path, ReturnType<ScenarioContext['measurement']>>;
  for (let trial = 1; trial <= s.trials; trial++) {
    const t = `more-specific #${trial}`;
    const steadyFrom = await s.step(`${t}: steady — inside and outside on isp1 on every path`, async () => {
      await o.waitSorterFirst(INSIDE_ADDRESS, BEFORE, t, { timeout: 60_000 });
      for (const p of probes) await o.waitFirst(p, BEFORE, t, { timeout: 30_000 });
      // MRAI (advertisement-interval 1) still running from the last change would delay the next update.
      await waitUntil(() => monoNow() - Math.max(0, ...watcher.changes.map((c) => c.at)), (quiet) => quiet >= 1500 || `last change ${Math.round(quiet)} ms ago`, { what: `${t}: routing quiet`, timeout: 30_000, interval: 50 });
      return monoNow();
    });
    const unrankedBefore = Object.fromEntries(await Promise.all(['dns', 'dnsproxy'].map(async (n) => [n, await unrankedServed(s, n)] as const)));
    const fault = await s.step(`${t}: AS${LEAKER.asn} leaks ${LEAK} via isp2`, () => leak(s));
    const t0 = fault.injected.at;
    let leakEnd = t0;
    try {
      const allMoved = await s.step(`${t}: inside client moves to isp2 on every path`, async () => {
        await o.waitSorterFirst(INSIDE_ADDRESS, LEAKED, t, { after: t0, timeout: 20_000 });
        for (const via of PATHS) await o.waitFirst(inside(via), LEAKED, t, { after: t0, timeout: 20_000 });
        return monoNow();
      });
      // Keep the leak up a while once every path moved: unbound now holds both orders (one per /25) and must keep them
      // apart. Counted from the last move, not from the leak: the checks below look at the inside client's answers from
      // its move plus the record TTL until the withdrawal, and a slow move (seen: > 3 s on a loaded machine) must not
      // leave that window empty.
      await s.step(`${t}: leak held 3 s after every path moved (both orders cached side by side)`, () =>
        waitUntil(() => monoNow(), (now) => now - allMoved > 3000 + RECORD_TTL_MS || 'holding', { what: `${t}: hold`, timeout: 10_000, interval: 100 }),
      );
      leakEnd = monoNow();
    } finally {
      await s.step(`${t}: withdraw the leak`, () => fault.revert());
    }
    const t1 = monoNow();
    await s.step(`${t}: inside client back on isp1 on every path`, async () => {
      for (const via of PATHS) await o.waitFirst(inside(via), BEFORE, t, { after: t1, timeout: 20_000 });
    });
    await o.settle();
    const checkedUntil = monoNow() - 1100;
    const unranked = Object.fromEntries(await Promise.all(['dns', 'dnsproxy'].map(async (n) => [n, (await unrankedServed(s, n)) - unrankedBefore[n]] as const)));
    const sorterMoved = firstSorterChange(await o.sorterSamples(INSIDE_ADDRESS), t0, BEFORE);
    s.check(`${t}: the sorter saw the leak`, sorterMoved !== undefined && sorterMoved.neighborAs === 64502, JSON.stringify(sorterMoved));
    if (sorterMoved) sorter.add(sorterMoved.at - t0);
    const figures: string[] = [];
    // Answers in random order, per front: a sorter query of that front timed out on this loaded machine, which is
    // allowed (random order by design) and counted by the front; a leak reaching the wrong client is not: it would
    // reorder every answer of that client, hundreds per trial, not the few a front sent unranked.
    const stray: Record<string, string[]> = { dns: [], dnsproxy: [] };
    for (const via of PATHS) {
      const inSamples = await o.samples(inside(via));
      const outSamples = await o.samples(outside(via));
      const first = firstSteady(inSamples, t0, LEAKED);
      s.check(`${t}: ${via}: the inside client moved to isp2 first`, first !== undefined, `no two answers in a row with ${LEAKED} first after the leak`);
      if (first) moved[via].add(first.at - t0);
      const returned = firstSteady(inSamples, t1, BEFORE);
      if (returned) back[via].add(returned.at - t1);
      // Outside: from the steady state through the withdrawal, isp1 first.
      for (const x of others(outSamples, steadyFrom, checkedUntil, BEFORE)) stray[FRONT_NODE[via]].push(`outside via ${via}: ${x.answers.join(' ')}`);
      // Inside, once moved and past the record TTL (unbound may keep the pre-leak answer that long): isp2 first.
      const settledFrom = (first?.at ?? t0) + (via === 'resolver-ecs' ? RECORD_TTL_MS + 100 : 100);
      const share = shareFirst(inSamples, settledFrom, leakEnd, LEAKED);
      s.check(`${t}: ${via}: the inside client was answered while the leak lasted`, share.answers > 0, JSON.stringify(share));
      for (const x of others(inSamples, settledFrom, leakEnd, LEAKED)) stray[FRONT_NODE[via]].push(`inside via ${via}: ${x.answers.join(' ')}`);
      if (via === 'front') {
        const scopes = inSamples.filter((x) => x.at >= settledFrom && x.at < leakEnd && isGood(x) && x.answers[0] === LEAKED).map((x) => x.scope);
        s.check(`${t}: front: the inside client's ranked answers carry ECS scope 25 (the leaked /25)`, scopes.length > 0 && scopes.every((x) => x === 25), [...new Set(scopes)].join(', '));
      }
      figures.push(`${via} ${first ? Math.round(first.at - t0) : '—'} ms / back ${returned ? Math.round(returned.at - t1) : '—'} ms`);
    }
    for (const node of ['dns', 'dnsproxy']) {
      s.check(
        `${t}: ${node}: inside kept isp2 first and outside isp1 first, but for answers the front sent unranked`,
        stray[node].length <= unranked[node],
        `${stray[node].length} answers in another order, ${unranked[node]} sent unranked by ${node}; e.g. ${JSON.stringify(stray[node].slice(0, 3))}`,
      );
      if (stray[node].length > 0) s.log(`${t}: ${node}: ${stray[node].length} answers in random order, ${unranked[node]} sent unranked (sorter timeouts under load)`);
    }
    s.log(`${t}: sorter ${sorterMoved ? Math.round(sorterMoved.at - t0) : '—'} ms; inside client ${figures.join('; ')}`);
  }
  s.expectSlo(sorter);
  for (const via of PATHS) {
    s.expectSlo(moved[via]);
    s.expectSlo(back[via]);
  }
}

/** How long the outage is held after the first unranked answer reached h1 through unbound. */
const OUTAGE_HOLD_MS = 2000;
const UPSTREAMS = ['isp1', 'isp2', 'isp3'];

/** FRR's count of dropped connections to the sorter, per upstream. */
async function sorterSessionDrops(s: ScenarioContext): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const isp of UPSTREAMS) {
    const neighbors = await frr(s.lab.node(isp)).json<Record<string, { nbrDesc?: string; connectionsDropped?: number }>>('show bgp neighbors json');
    const sorter = Object.values(neighbors).find((n) => n.nbrDesc === 'sorter');
    if (!sorter) throw new Error(`${isp}: no neighbor described as "sorter" in show bgp neighbors`);
    out[isp] = sorter.connectionsDropped ?? 0;
  }
  return out;
}

async function outageTrials(s: ScenarioContext): Promise<void> {
  const recovered = s.measurement('sorter outage behind unbound+ECS: h1 sorted again after the thaw (DNS plane)', {
    plane: 'dns',
    slo: { op: '<', value: UNRANKED_TTL_S * 1000 + 2000 },
    description: `thaw → first answer at h1 through unbound with client subnet that is ranked again (isp1 first, TTL above the ${UNRANKED_TTL_S} s cap: the day-long TTL of a sorted answer counting down in unbound's cache); SLO = the front's TTL cap of unranked answers + 2 s`,
  });
  for (let trial = 1; trial <= s.trials; trial++) {
    const t = `sorter outage #${trial}`;
    // A fresh name: neither unbound nor the front has anything cached for it.
    const name = `t${trial}-${Date.now().toString(36)}.long.bgpdns.lab`;
    const probe: ProbeSpec = { host: 'h1', via: 'resolver-ecs', name };
    // h2 asks the front directly all along: its cached answers carry the generation probe that notices the outage.
    const load = await BgpdnsObservers.start(s, [{ host: 'h2', via: 'front' }], { sorter: false });
    await s.step(`${t}: h2 sorted (front trusts the sorter)`, () => load.waitFirst({ host: 'h2', via: 'front' }, SERVER_ADDR.isp2, t, { timeout: 60_000 }));
    const dropsBefore = await sorterSessionDrops(s);
    const fault: FaultHandle = await s.step(`${t}: freeze the sorter (SIGSTOP)`, () => s.faults.freeze('sorter', ['sorter']));
    const frozenAt = fault.injected.at;
    let o: BgpdnsObservers | undefined;
    let thawed = 0;
    try {
      // Until the front marks the sorter defective it may still serve its cached decision for this RRset (right, and
      // kept by unbound for a day); the outage that matters is the one the front knows of.
      await s.step(`${t}: front marks the sorter defective`, () =>
        waitUntil(() => frontState(s), (f) => f.defective === 1 || `defective ${f.defective}`, { what: `${t}: bgpdns_dns_sorter_defective = 1`, timeout: 20_000, interval: 50 }),
      );
      o = await BgpdnsObservers.start(s, [probe], { sorter: false });
      const during = await s.step(`${t}: answers for ${name} come unranked, TTL capped at ${UNRANKED_TTL_S} s`, async () => {
        const { value } = await waitUntil(async () => (await o!.samples(probe)).filter(isGood), (g) => g.length >= 25 || `${g.length} answers`, { what: `${t}: answers while frozen`, timeout: 20_000, interval: 100 });
        return value;
      });
      const ttls = [...new Set(during.map((x) => x.ttl))];
      s.check(`${t}: every answer during the outage has a TTL ≤ ${UNRANKED_TTL_S} s (not the record's day)`, during.every((x) => (x.ttl ?? Infinity) <= UNRANKED_TTL_S), `TTLs seen: ${ttls.join(', ')}`);
      // Hold the outage a little, then thaw: the whole freeze must stay well inside the BGP hold
      // time (12 s; FRR also counts the up to 3 s since the sorter's last keepalive), or the
      // upstreams drop the sorter and this becomes the lost-sessions story of bgpdns-sorter-failure.
      const since = during[0].at;
      await s.step(`${t}: outage held ${OUTAGE_HOLD_MS / 1000} s`, () => waitUntil(() => monoNow(), (now) => now - since > OUTAGE_HOLD_MS || 'holding', { what: `${t}: hold`, timeout: 20_000, interval: 100 }));
    } finally {
      await s.step(`${t}: thaw`, () => fault.revert());
      thawed = monoNow();
    }
    const sorted = (x: DnsProbeSample) => isGood(x) && x.answers[0] === LONG_ISP1 && (x.ttl ?? 0) > UNRANKED_TTL_S;
    const { value: first } = await s.step(`${t}: h1 sorted again through unbound`, () =>
      waitUntil(async () => (await o!.samples(probe)).find((x) => x.at >= thawed && sorted(x)), (x) => !!x || 'not yet', { what: `${t}: ranked answer after thaw`, timeout: 30_000, interval: 50 }),
    );
    recovered.add(first!.at - thawed);
    const dropsAfter = await sorterSessionDrops(s);
    s.check(`${t}: the sorter kept its BGP sessions through the outage (an outage, not a lost session)`, JSON.stringify(dropsAfter) === JSON.stringify(dropsBefore), `connections dropped per upstream before ${JSON.stringify(dropsBefore)}, after ${JSON.stringify(dropsAfter)}; frozen ${Math.round(thawed - frozenAt)} ms`);
    s.log(`${t}: ${name}: sorted again ${Math.round(first!.at - thawed)} ms after the thaw (frozen ${Math.round(thawed - frozenAt)} ms)`);
    await o!.stop();
    await load.stop();
  }
  s.expectSlo(recovered);
}

export default defineScenario({
  name: 'bgpdns-more-specific',
  description: 'A leaked more-specific moves only the clients inside it (front, proxy, unbound+ECS); after a sorter outage, clients behind a resolver are sorted again within the capped TTL.',
  lab: { file: LAB_PATH, name: 'm13-ms' },
  parts: [
    {
      name: `a partner leaks ${LEAK} via isp2: clients inside move to isp2 in < 15 s, clients outside never move; withdrawal moves them back`,
      timeoutMs: 240_000,
      run: moreSpecificTrials,
    },
    {
      name: `sorter outage behind a resolver: unranked answers carry the ${UNRANKED_TTL_S} s cap, sorted again within cap + 2 s of the thaw`,
      timeoutMs: 180_000,
      run: outageTrials,
    },
  ],
});

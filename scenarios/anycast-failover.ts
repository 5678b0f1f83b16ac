/**
 * anycast-failover (labs/anycast): site A of the telecom anycast design fails in
 * different ways and every partner's clients must end up answered by site B.
 * Each part runs N trials (--trials / BGPDNS_TRIALS, default 3) and records, per
 * trial, the client-observed outage, the site before and after, the BGP-plane time
 * at each partner router and what the health agent did — next to the seed's claims
 * (partner failover 8–15 s, route convergence 5–8 s, DNS resolution 3–8 ms).
 *   ./bgpdns-lab run anycast-failover
 */
import { writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defineScenario,
  type ScenarioContext,
  MAINTENANCE_FILE,
  waitUntil,
  monoNow,
  type FaultHandle,
  type Slo,
} from '@bgpdns-lab/harness';
import { AnycastObservers, CLAIMS, DNS_HOST_PEER, LAB_PATH, PARTNERS, SIG_PEER, worst, type TrialFacts } from './anycast-lab.js';

/** Record one trial's figures and check what every client saw. */
function recordTrial(o: AnycastObservers, story: string, slo: Slo, facts: TrialFacts): void {
  const s = o.s;
  const switchMs = worst(Object.values(facts.clients).map((c) => c.switchMs));
  const bgpMs = worst(Object.values(facts.bgpMs));
  for (const [client, c] of Object.entries(facts.clients)) {
    s.check(`${story}: ${client} answered by site A before, site B after`, c.before === 'site-a' && c.after === 'site-b', `before ${c.before}, after ${c.after}`);
  }
  s.check(`${story}: every client switched`, switchMs !== undefined, JSON.stringify(facts.clients));
  s.check(`${story}: every partner router moved its best path`, Object.values(facts.bgpMs).every((v) => v !== undefined), JSON.stringify(facts.bgpMs));
  o.measure(`${story}: client failover to site B (worst partner)`, { plane: 'dns', slo, claim: CLAIMS.partnerFailover, description: 'fault → first answer from site B at the slowest partner client (queries every 20 ms)' }, switchMs!);
  o.measure(`${story}: best path moved at partner routers (worst)`, { plane: 'bgp', claim: CLAIMS.routeConvergence, description: 'fault → partner router best path for 198.18.53.53/32 via site B (vty poll every 20 ms)' }, bgpMs!);
  o.measure(`${story}: client outage window (worst partner)`, { plane: 'dns', description: 'longest run of unanswered queries after the fault' }, worst(Object.values(facts.clients).map((c) => c.outageMs)) ?? 0);
  const withdrawn = facts.health.find((h) => h.node === 'dns-a' && h.event === 'withdraw');
  if (withdrawn) {
    o.measure(`${story}: health agent withdrew the /32 at site A`, { plane: 'dns', description: 'fault → the agent\'s "no network" accepted by bgpd (agent log)' }, (withdrawn.done ?? withdrawn.at) - facts.t0);
  }
}

/** N trials of one failure of site A: inject, clients on site B, revert, clients back on site A. */
async function storyTrials(s: ScenarioContext, story: string, slo: Slo, inject: (o: AnycastObservers) => Promise<FaultHandle>, timeout: number): Promise<void> {
  const o = await AnycastObservers.start(s);
  for (let trial = 1; trial <= s.trials; trial++) {
    let fault: FaultHandle | undefined;
    try {
      const facts = await o.observeMove({
        story,
        trial,
        to: 'site-b',
        timeout,
        inject: async () => {
          fault = await inject(o);
          return fault.injected.at;
        },
      });
      recordTrial(o, story, slo, facts);
    } finally {
      await s.step(`${story} #${trial}: revert`, () => fault?.revert());
    }
    await s.step(`${story} #${trial}: back to site A`, () => o.waitSteady('site-a', `${story} #${trial} recovered`, 40_000));
  }
  s.expectSlo(s.measurement(`${story}: client failover to site B (worst partner)`, { plane: 'dns', slo }));
}

export default defineScenario({
  name: 'anycast-failover',
  description: 'site A of the anycast DNS design fails; partners must be answered by site B',
  lab: { file: LAB_PATH, name: 'anycast-fo' },
  parts: [
    {
      name: 'DNS process killed at site A → partners switch to site B in < 2 s',
      timeoutMs: 120_000,
      run: (s) => storyTrials(s, 'DNS killed at site A', { op: '<', value: 2000 }, (o) => o.faults.kill('dns-a', 'dns'), 10_000),
    },
    {
      name: 'DNS process hung (SIGSTOP) at site A → withdrawn by health timeout in < 3 s',
      timeoutMs: 120_000,
      run: (s) => storyTrials(s, 'DNS hung at site A', { op: '<', value: 3000 }, (o) => o.faults.freeze('dns-a', ['dns']), 10_000),
    },
    {
      name: 'signalling link of site A cut → partners switch to site B in < 2 s',
      timeoutMs: 120_000,
      run: (s) => storyTrials(s, 'signalling link cut at site A', { op: '<', value: 2000 }, (o) => o.faults.linkDown(o.faults.endpoint('sig-a', 'dns-a')), 10_000),
    },
    {
      name: 'drain via the maintenance file → traffic moves to site B without losing a query',
      timeoutMs: 120_000,
      run: async (s) => {
        const o = await AnycastObservers.start(s);
        const story = 'drain site A';
        const file = join(s.lab.node('dns-a').dir, MAINTENANCE_FILE);
        s.cleanup(() => unlink(file).catch(() => undefined));
        for (let trial = 1; trial <= s.trials; trial++) {
          const facts = await o.observeMove({
            story,
            trial,
            to: 'site-b',
            timeout: 10_000,
            inject: async () => {
              const at = monoNow();
              await writeFile(file, 'scenario drain\n');
              s.recorder.fault({ at, fault: 'drain', target: 'dns-a', action: 'inject', args: { file } });
              return at;
            },
          });
          const lost = Object.values(facts.clients).reduce((n, c) => n + c.lost, 0);
          o.measure(`${story}: queries lost while draining (all partners)`, { plane: 'dns', unit: 'count', slo: { op: '<=', value: 0 } }, lost);
          o.measure(`${story}: traffic on site B (worst partner)`, { plane: 'dns', description: 'maintenance file created → first answer from site B (graceful: MED 1000 first, withdrawal after 3 s)' }, worst(Object.values(facts.clients).map((c) => c.switchMs))!);
          const back = monoNow();
          await unlink(file);
          s.recorder.fault({ at: back, fault: 'drain', target: 'dns-a', action: 'revert', args: { file } });
          await s.step(`${story} #${trial}: back to site A`, () => o.waitSteady('site-a', `${story} #${trial} undrained`));
          const returned = await o.facts(`${story} (undrain)`, trial, back);
          o.measure(`${story}: queries lost when site A returns (all partners)`, { plane: 'dns', unit: 'count', slo: { op: '<=', value: 0 } }, Object.values(returned.clients).reduce((n, c) => n + c.lost, 0));
        }
        s.expectSlo(s.measurement(`${story}: queries lost while draining (all partners)`, { plane: 'dns' }));
        s.expectSlo(s.measurement(`${story}: queries lost when site A returns (all partners)`, { plane: 'dns' }));
      },
    },
    {
      name: 'whole site A frozen (silent) → hold timer withdraws it in < 15 s',
      timeoutMs: 240_000,
      // The seed's own claim for this failure: "sub-15 second failover" from timers 3 12.
      run: (s) => storyTrials(s, 'site A frozen (hold timer)', { op: '<', value: 15_000 }, (o) => o.faults.freeze('dns-a'), 20_000),
    },
    {
      name: 'whole site A frozen with BFD (100 ms × 3) → withdrawn in < 2 s',
      timeoutMs: 180_000,
      run: async (s) => {
        await s.step('enable BFD between sig-a and dns-a (after the session is up: FRR 8.4 flaps sessions with BFD in the startup config)', async () => {
          for (const [node, peer] of [['sig-a', DNS_HOST_PEER['sig-a']], ['dns-a', SIG_PEER['dns-a']]] as const) {
            const f = s.frr(node);
            await f.vty('bfdd').configure(['bfd', 'profile fast', 'transmit-interval 100', 'receive-interval 100', 'detect-multiplier 3']);
            await f.vty('bgpd').configure(['router bgp 64600', `neighbor ${peer} bfd profile fast`]);
          }
          await waitUntil(
            () => s.frr('sig-a').json<{ peer: string; status: string }[]>('show bfd peers json', 'bfdd'),
            (peers) => peers.some((p) => p.peer === DNS_HOST_PEER['sig-a'] && p.status === 'up') || `bfd peers: ${JSON.stringify(peers)}`,
            { what: 'BFD session sig-a ↔ dns-a up', timeout: 10_000, interval: 50 },
          );
        });
        s.cleanup(async () => {
          for (const [node, peer] of [['sig-a', DNS_HOST_PEER['sig-a']], ['dns-a', SIG_PEER['dns-a']]] as const) {
            await s.frr(node).vty('bgpd').configure(['router bgp 64600', `no neighbor ${peer} bfd`]);
          }
        });
        await storyTrials(s, 'site A frozen (BFD)', { op: '<', value: 2000 }, (o) => o.faults.freeze('dns-a'), 10_000);
      },
    },
    {
      name: 'steady-state DNS resolution time at every partner client (site A tinydns, site B the bgpdns DNS front)',
      timeoutMs: 60_000,
      run: async (s) => {
        const o = await AnycastObservers.start(s);
        const window = async (site: 'site-a' | 'site-b', service: string) => {
          const from = monoNow();
          await o.waitClientsOn(site, from, 10_000);
          await waitUntil(() => monoNow(), (now) => now - from >= 3000, { what: `3 s of answers from ${site}`, timeout: 5000, interval: 100 });
          const name = `DNS resolution time seen by partner clients, ${site} (${service}; median of 3 s, per partner)`;
          for (const p of PARTNERS) o.measure(name, { plane: 'dns', claim: CLAIMS.dnsResolution, slo: { op: '<', value: 8 } }, await o.resolutionMs(p.client, from, monoNow()));
          s.expectSlo(s.measurement(name, { plane: 'dns' }));
        };
        await window('site-a', 'tinydns');
        // Drain site A (no loss, see the drain part) to let every partner reach site B.
        const file = join(s.lab.node('dns-a').dir, MAINTENANCE_FILE);
        s.cleanup(() => unlink(file).catch(() => undefined));
        await writeFile(file, 'measure site B\n');
        await window('site-b', 'bgpdns dns');
        await unlink(file);
        await o.waitSteady('site-a', 'site A undrained');
      },
    },
  ],
});

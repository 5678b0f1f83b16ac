/**
 * anycast-flap (labs/anycast): what partners see when things flap — a DNS service
 * whose health flaps, with and without route-flap dampening at the partners; a
 * reset of a partner's primary session; one partner losing both its links while
 * the others must not notice.
 *   ./bgpdns-lab run anycast-flap
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineScenario, type ScenarioContext, HEALTH_STATUS_FILE, waitUntil, monoNow } from '@bgpdns-lab/harness';
import { AnycastObservers, LAB_PATH, PARTNERS, SERVICE, type Partner, type TrialFacts } from './anycast-lab.js';

/** Flaps per flapping part (ANYCAST_FLAPS, default 4). */
const FLAPS = Number(process.env.ANYCAST_FLAPS ?? 4);

async function healthState(o: AnycastObservers): Promise<string> {
  return (await healthStatus(o)).state;
}

async function healthStatus(o: AnycastObservers): Promise<{ state: string; announcement: string; inSync: boolean }> {
  return JSON.parse(await readFile(join(o.lab.node('dns-a').dir, HEALTH_STATUS_FILE), 'utf8')) as { state: string; announcement: string; inSync: boolean };
}

/**
 * Hang and resume site A's DNS service `count` times. Each hang lasts until the health
 * agent noticed it and bgpd holds the drain (or withdrawal); after each resume the next hang waits for `until` — the partners back
 * on site A (every flap then reaches them whole), or, with dampening where they may never
 * come back, only the agent up — and for the routers to be quiet for longer than the MRAI.
 */
async function flapHealth(lab: AnycastObservers, count: number, until: 'partners-back' | 'agent-up'): Promise<{ from: number; to: number }> {
  await lab.waitQuiet(1500);
  const from = monoNow();
  for (let k = 1; k <= count; k++) {
    const hung = await lab.faults.freeze('dns-a', ['dns']);
    try {
      // Noticed is not enough: on a loaded machine the agent may report "down" before bgpd
      // holds its drain/withdrawal, and a hang released then is a flap no partner can see.
      await waitUntil(() => healthStatus(lab), (s) => (s.state === 'down' && s.announcement !== 'announce' && s.inSync) || `state ${s.state}, announcement ${s.announcement}, in bgpd ${s.inSync}`, { what: `flap ${k}: health agent sees the hang and bgpd holds its drain`, timeout: 10_000, interval: 20 });
      // Without dampening each flap is to reach the partners whole: the hang lasts until they are
      // on site B. Released as soon as bgpd held the drain, a flap could be undone before the
      // partners' best path (polled over the vty) ever showed it (gate of 7 Dec: comfone counted
      // 6 changes for 4 flaps). A flap that never reaches a partner fails here, by name.
      if (until === 'partners-back') await lab.waitSteady('site-b', `flap ${k}: partners on site B`);
    } finally {
      await hung.revert();
    }
    await waitUntil(() => healthState(lab), (s) => s === 'up' || `state ${s}`, { what: `flap ${k}: health agent sees the recovery`, timeout: 10_000, interval: 20 });
    if (until === 'partners-back') await lab.waitSteady('site-a', `flap ${k}: partners back on site A`);
    // A withdrawal less than advertisement-interval (1 s) after the last update to a partner
    // waits for the MRAI timer and can cancel out with the next announcement: flap only once
    // the routers have been quiet for longer than that.
    await lab.waitQuiet(1500);
  }
  await lab.waitQuiet(2500);
  return { from, to: monoNow() };
}

function changesAt(o: AnycastObservers, router: string, from: number, to: number): number {
  return o.watchers.get(router)!.changes.filter((c) => c.source === 'vty-poll' && c.at >= from && c.at <= to).length;
}

async function setDampening(o: AnycastObservers, on: boolean): Promise<void> {
  const asOf: Record<string, number> = { comfone: 64512, sparkle: 64513, future: 4200000512 };
  for (const p of PARTNERS) {
    const f = o.s.frr(p.router);
    // half-life 1 min, reuse 750, suppress 1500, max 4 min: the second withdrawal in a row suppresses.
    if (!on) {
      // Forget the penalties, then ask both sites to resend (route refresh): a path that was
      // suppressed only becomes best again when it is re-evaluated.
      await f.command('clear ip bgp dampening');
    }
    await f.vty().configure([`router bgp ${asOf[p.router]}`, 'address-family ipv4 unicast', on ? 'bgp dampening 1 750 1500 4' : 'no bgp dampening']);
    if (!on) await f.command('clear bgp * soft in');
  }
}

/** The other partners saw nothing: no lost query, still site A, best path unchanged. */
function checkUntouched(o: AnycastObservers, facts: TrialFacts, others: Partner[], t0: number): void {
  for (const p of others) {
    const c = facts.clients[p.client];
    o.s.check(`${p.client} lost nothing and stayed on site A`, c.lost === 0 && c.after === 'site-a', `lost ${c.lost}, after ${c.after}`);
    const n = changesAt(o, p.router, t0, monoNow());
    o.s.check(`${p.router}'s best path untouched`, n === 0, `${n} change(s)`);
  }
}

async function flapping(s: ScenarioContext, dampening: boolean): Promise<void> {
  const o = await AnycastObservers.start(s);
  const label = `health flapping ×${FLAPS}, ${dampening ? 'dampening' : 'no dampening'}`;
  if (dampening) {
    await setDampening(o, true);
    s.cleanup(async () => {
      await setDampening(o, false);
      await o.waitSteady('site-a', 'dampening cleared');
    });
  }
  const w = await s.step(`hang/resume site A's DNS ${FLAPS} times${dampening ? ' (dampening on)' : ''}`, () => flapHealth(o, FLAPS, dampening ? 'agent-up' : 'partners-back'));
  for (const p of PARTNERS) {
    const n = changesAt(o, p.router, w.from, w.to);
    o.measure(`${label}: best-path changes at a partner`, { plane: 'bgp', unit: 'count', description: dampening ? 'bgp dampening 1 750 1500 4 at the partner; one value per partner' : 'one value per partner' }, n);
    if (dampening) {
      s.check(`${p.router}: fewer changes than the ${2 * FLAPS} without dampening`, n < 2 * FLAPS, `${n} change(s)`);
      const best = await s.frr(p.router).bestPath(SERVICE);
      s.check(`${p.router}: site A suppressed, stays on site B`, best?.nexthops[0]?.ip === p.viaSite['site-b'], `best via ${best?.nexthops[0]?.ip}`);
    } else {
      s.check(`${p.router}: to site B and back for every flap`, n === 2 * FLAPS, `${n} change(s)`);
    }
  }
  const facts = await o.facts(label, 1, w.from);
  for (const [client, c] of Object.entries(facts.clients)) {
    o.measure(`${label}: unanswered queries at a client`, { plane: 'dns', unit: 'count' }, c.lost);
    const want = dampening ? 'site-b' : 'site-a';
    s.check(`${client} on ${want} after the flapping`, c.after === want, `after ${c.after}`);
  }
}

export default defineScenario({
  name: 'anycast-flap',
  description: 'flapping health with and without partner dampening; partner session reset; one partner cut off',
  lab: { file: LAB_PATH, name: 'anycast-flap' },
  parts: [
    {
      name: 'health flapping without dampening: every flap reaches every partner',
      timeoutMs: 120_000,
      run: (s) => flapping(s, false),
    },
    {
      name: 'health flapping with route-flap dampening at the partners: the flapping site is suppressed',
      timeoutMs: 120_000,
      run: (s) => flapping(s, true),
    },
    {
      name: "resetting a partner's primary session moves only that partner, briefly",
      timeoutMs: 60_000,
      run: async (s) => {
        const o = await AnycastObservers.start(s);
        const comfone = PARTNERS[0];
        await o.waitQuiet();
        const t0 = monoNow();
        await s.frr('comfone').command(`clear bgp ${comfone.viaSite['site-a']}`);
        s.recorder.fault({ at: t0, fault: 'session-reset', target: 'comfone', action: 'inject', args: { peer: comfone.viaSite['site-a'] } });
        const watcher = o.watchers.get('comfone')!;
        await s.step('comfone moves to site B', () => watcher.waitFor((c) => c.to?.nexthop === comfone.viaSite['site-b'], { what: 'best path via site B', after: t0, timeout: 10_000 }));
        await s.step('comfone back on site A', () => watcher.waitFor((c) => c.to?.nexthop === comfone.viaSite['site-a'], { what: 'best path via site A again', after: t0, timeout: 30_000 }));
        await o.waitSteady('site-a', 'after the reset', 30_000, [comfone]);
        await o.waitQuiet();
        const facts = await o.facts('partner session reset', 1, t0);
        const changes = changesAt(o, 'comfone', t0, monoNow());
        o.measure('comfone session reset: unanswered queries at cl-comfone', { plane: 'dns', unit: 'count' }, facts.clients['cl-comfone'].lost);
        o.measure('comfone session reset: best-path changes at comfone', { plane: 'bgp', unit: 'count' }, changes);
        s.check('comfone went to site B and came back', changes === 2, `${changes} change(s)`);
        s.check('cl-comfone outage under 500 ms', facts.clients['cl-comfone'].outageMs < 500, `${Math.round(facts.clients['cl-comfone'].outageMs)} ms`);
        checkUntouched(o, facts, PARTNERS.slice(1), t0);
      },
    },
    {
      name: "one partner's outage leaves the other partners' service untouched",
      timeoutMs: 60_000,
      run: async (s) => {
        const o = await AnycastObservers.start(s);
        await o.waitQuiet();
        const cutA = await s.faults.linkDown('comfone:eth1');
        const cutB = await s.faults.linkDown('comfone:eth2');
        const t0 = cutA.injected.at;
        try {
          await waitUntil(() => s.frr('comfone').bestPath(SERVICE), (b) => b === undefined || 'still has a route', { what: 'comfone lost the service', timeout: 5000, interval: 20 });
          await o.waitClientsOn('site-a', monoNow(), 5000, PARTNERS.slice(1));
        } finally {
          await cutA.revert();
          await cutB.revert();
        }
        await o.waitSteady('site-a', 'comfone back', 30_000);
        const facts = await o.facts('one partner down', 1, t0);
        o.measure("comfone cut off: cl-comfone's outage", { plane: 'dns', description: 'both comfone links down until comfone lost the route, then up again' }, facts.clients['cl-comfone'].outageMs);
        for (const c of ['cl-sparkle', 'cl-future']) o.measure('comfone cut off: unanswered queries at the other partners', { plane: 'dns', unit: 'count', slo: { op: '<=', value: 0 } }, facts.clients[c].lost);
        s.check('comfone itself saw the outage', facts.clients['cl-comfone'].lost > 0, `${facts.clients['cl-comfone'].lost} lost`);
        checkUntouched(o, facts, PARTNERS.slice(1), t0);
        s.expectSlo(s.measurement('comfone cut off: unanswered queries at the other partners', { plane: 'dns' }));
      },
    },
  ],
});

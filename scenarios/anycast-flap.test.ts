/**
 * What partners see when things flap (labs/anycast): a DNS service whose health
 * flaps, with and without route-flap dampening at the partners; a reset of a
 * partner's primary session; one partner losing both its links while the others
 * must not notice.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AnycastLab, PARTNERS, type Partner } from './anycast-lab.js';
import { HEALTH_STATUS_FILE } from '../harness/src/kinds/bgpdns-health.js';
import { frr } from '../harness/src/frr/frr-control.js';
import { waitUntil } from '../harness/src/wait/wait-until.js';
import { monoNow } from '../harness/src/clock.js';

const FLAPS = Number(process.env.ANYCAST_FLAPS ?? 4);
let any: AnycastLab | undefined;

test.before(async () => {
  any = await AnycastLab.start('anycast-flap', 'anycast-flap');
});

test.after.always(async () => {
  if (!any) return;
  const { path } = await any.close();
  if (path) console.log(`run record: ${path}`);
});

async function healthState(): Promise<string> {
  const s = JSON.parse(await readFile(join(any!.lab.node('dns-a').dir, HEALTH_STATUS_FILE), 'utf8')) as { state: string };
  return s.state;
}

/**
 * Hang and resume site A's DNS service `count` times. Each hang lasts until the health
 * agent noticed it; after each resume the next hang waits for `until`: the partners back
 * on site A (every flap then reaches them whole), or — with dampening, where they may
 * never come back — the agent up and the routers quiet for longer than the MRAI.
 */
async function flapHealth(count: number, until: 'partners-back' | 'agent-up'): Promise<{ from: number; to: number }> {
  const lab = any!;
  const from = monoNow();
  for (let k = 1; k <= count; k++) {
    const hung = await lab.faults.freeze('dns-a', ['dns']);
    try {
      await waitUntil(healthState, (s) => s === 'down' || `state ${s}`, { what: `flap ${k}: health agent sees the hang`, timeout: 10_000, interval: 20 });
    } finally {
      await hung.revert();
    }
    await waitUntil(healthState, (s) => s === 'up' || `state ${s}`, { what: `flap ${k}: health agent sees the recovery`, timeout: 10_000, interval: 20 });
    if (until === 'partners-back') await lab.waitSteady('site-a', `flap ${k}: partners back on site A`);
    else await lab.waitQuiet(1500);
  }
  await lab.waitQuiet(2500);
  return { from, to: monoNow() };
}

function changesAt(router: string, from: number, to: number): number {
  return any!.watchers.get(router)!.changes.filter((c) => c.source === 'vty-poll' && c.at >= from && c.at <= to).length;
}

async function setDampening(on: boolean): Promise<void> {
  const asOf: Record<string, number> = { comfone: 64512, sparkle: 64513, future: 4200000512 };
  for (const p of PARTNERS) {
    const f = frr(any!.lab.node(p.router));
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

test.serial('health flapping without dampening: every flap reaches every partner', async (t) => {
  t.timeout(120_000);
  const lab = any!;
  lab.recorder.scenario = 'anycast-flap: health flapping, no dampening';
  await lab.waitSteady('site-a', 'before flapping');
  const w = await lab.recorder.step(`hang/resume site A's DNS ${FLAPS} times`, () => flapHealth(FLAPS, 'partners-back'));
  for (const p of PARTNERS) {
    const n = changesAt(p.router, w.from, w.to);
    lab.measure(`health flapping ×${FLAPS}, no dampening: best-path changes at a partner`, { plane: 'bgp', unit: 'count', description: 'per partner router (one value each)' }, n);
    t.is(n, 2 * FLAPS, `${p.router}: to site B and back for every flap`);
  }
  const facts = await lab.facts('health flapping (no dampening)', 1, w.from);
  for (const [client, o] of Object.entries(facts.clients)) {
    lab.measure(`health flapping ×${FLAPS}, no dampening: unanswered queries at a client`, { plane: 'dns', unit: 'count' }, o.lost);
    t.is(o.after, 'site-a', `${client} back on site A`);
  }
  await lab.waitSteady('site-a', 'after flapping');
});

test.serial('health flapping with route-flap dampening at the partners: the flapping site is suppressed', async (t) => {
  t.timeout(120_000);
  const lab = any!;
  lab.recorder.scenario = 'anycast-flap: health flapping, dampening';
  await lab.waitSteady('site-a', 'before flapping');
  await setDampening(true);
  t.teardown(() => setDampening(false).catch(() => undefined));
  const w = await lab.recorder.step(`hang/resume site A's DNS ${FLAPS} times (dampening on)`, () => flapHealth(FLAPS, 'agent-up'));
  for (const p of PARTNERS) {
    const n = changesAt(p.router, w.from, w.to);
    lab.measure(`health flapping ×${FLAPS}, dampening: best-path changes at a partner`, { plane: 'bgp', unit: 'count', description: 'bgp dampening 1 750 1500 4 at the partner' }, n);
    t.true(n < 2 * FLAPS, `${p.router}: ${n} changes, fewer than the ${2 * FLAPS} without dampening`);
    const best = await frr(lab.lab.node(p.router)).bestPath('198.18.53.53/32');
    t.is(best?.nexthops[0]?.ip, p.viaSite['site-b'], `${p.router}: site A suppressed, stays on site B`);
  }
  const facts = await lab.facts('health flapping (dampening)', 1, w.from);
  for (const [client, o] of Object.entries(facts.clients)) {
    lab.measure(`health flapping ×${FLAPS}, dampening: unanswered queries at a client`, { plane: 'dns', unit: 'count' }, o.lost);
    t.is(o.after, 'site-b', `${client} stays on site B while site A is suppressed`);
  }
  await setDampening(false);
  await lab.waitSteady('site-a', 'dampening cleared');
});

test.serial("resetting a partner's primary session moves only that partner, briefly", async (t) => {
  t.timeout(60_000);
  const lab = any!;
  lab.recorder.scenario = 'anycast-flap: partner session reset';
  const comfone = PARTNERS[0];
  await lab.waitSteady('site-a', 'before the reset');
  await lab.waitQuiet();
  const t0 = monoNow();
  await frr(lab.lab.node('comfone')).command(`clear bgp ${comfone.viaSite['site-a']}`);
  lab.recorder.fault({ at: t0, fault: 'session-reset', target: 'comfone', action: 'inject', args: { peer: comfone.viaSite['site-a'] } });
  const watcher = lab.watchers.get('comfone')!;
  await lab.recorder.step('comfone moves to site B', () =>
    watcher.waitFor((c) => c.to?.nexthop === comfone.viaSite['site-b'], { what: 'best path via site B', after: t0, timeout: 10_000 }),
  );
  await lab.recorder.step('comfone back on site A', () =>
    watcher.waitFor((c) => c.to?.nexthop === comfone.viaSite['site-a'], { what: 'best path via site A again', after: t0, timeout: 30_000 }),
  );
  await lab.waitSteady('site-a', 'after the reset', 30_000, [comfone]);
  await lab.waitQuiet();
  const facts = await lab.facts('partner session reset', 1, t0);
  lab.measure('comfone session reset: unanswered queries at cl-comfone', { plane: 'dns', unit: 'count' }, facts.clients['cl-comfone'].lost);
  lab.measure('comfone session reset: best-path changes at comfone', { plane: 'bgp', unit: 'count' }, changesAt('comfone', t0, monoNow()));
  t.is(changesAt('comfone', t0, monoNow()), 2, 'comfone went to site B and came back');
  t.true(facts.clients['cl-comfone'].outageMs < 500, `cl-comfone outage ${facts.clients['cl-comfone'].outageMs} ms`);
  assertUntouched(t, facts, [PARTNERS[1], PARTNERS[2]], t0);
});

test.serial("one partner's outage leaves the other partners' service untouched", async (t) => {
  t.timeout(60_000);
  const lab = any!;
  lab.recorder.scenario = 'anycast-flap: one partner down';
  await lab.waitSteady('site-a', 'before the outage');
  await lab.waitQuiet();
  const cutA = await lab.faults.linkDown('comfone:eth1');
  const cutB = await lab.faults.linkDown('comfone:eth2');
  const t0 = cutA.injected.at;
  try {
    await waitUntil(() => frr(lab.lab.node('comfone')).bestPath('198.18.53.53/32'), (b) => b === undefined || 'still has a route', {
      what: 'comfone lost the service',
      timeout: 5000,
      interval: 20,
    });
    const others = PARTNERS.slice(1);
    await lab.waitClientsOn('site-a', monoNow(), 5000, others);
  } finally {
    await cutA.revert();
    await cutB.revert();
  }
  await lab.waitSteady('site-a', 'comfone back', 30_000);
  const facts = await lab.facts('one partner down', 1, t0);
  lab.measure("comfone cut off: cl-comfone's outage", { plane: 'dns', description: 'both comfone links down until comfone lost the route, then up again' }, facts.clients['cl-comfone'].outageMs);
  for (const c of ['cl-sparkle', 'cl-future']) lab.measure('comfone cut off: unanswered queries at the other partners', { plane: 'dns', unit: 'count', slo: { op: '<=', value: 0 } }, facts.clients[c].lost);
  t.true(facts.clients['cl-comfone'].lost > 0, 'comfone itself saw the outage');
  assertUntouched(t, facts, PARTNERS.slice(1), t0);
});

function assertUntouched(t: { is(a: unknown, b: unknown, m?: string): void }, facts: Awaited<ReturnType<AnycastLab['facts']>>, others: Partner[], t0: number): void {
  for (const p of others) {
    t.is(facts.clients[p.client].lost, 0, `${p.client} lost nothing`);
    t.is(facts.clients[p.client].after, 'site-a', `${p.client} still on site A`);
    t.is(changesAt(p.router, t0, monoNow()), 0, `${p.router}'s best path untouched`);
  }
}

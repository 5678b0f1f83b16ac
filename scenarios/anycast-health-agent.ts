/**
 * anycast-health-agent (labs/anycast, lab "ha14-anycast-health"): the health agent
 * against bgpd restarts and its own death, on the real lab.
 *  1. bgpd of site A restarts from a config saved while the route was withdrawn
 *     (no `network` line): the agent's next round starts within one interval of bgpd's
 *     vty answering and puts the route back within an apply budget (from its log).
 *  2. Site A's DNS is dead and bgpd restarts from the template (which announces):
 *     the agent withdraws the dead route again, with the same two bounds.
 *  3. The agent is killed: its watchdog withdraws the route; sig-a loses site A's path.
 *   ./bgpdns-lab run anycast-health-agent
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineScenario, type ScenarioContext, waitUntil, monoNow } from '@bgpdns-lab/harness';
import { LAB_PATH, SERVICE, DNS_HOST_PEER } from './anycast-lab.js';

/** The agent's probe interval in this lab (labs/anycast/anycast.clab.yml, HEALTH_INTERVAL_MS). */
const INTERVAL_MS = 500;
/**
 * What the agent may take to make bgpd hold the wanted state once its round has seen the
 * mismatch: a vty read of bgpd's state and one config change (tens of ms on a quiet machine),
 * with headroom for a loaded 2-core one.
 */
const APPLY_BUDGET_MS = 200;
/** How late a loaded 2-core machine may fire the agent's round timer. */
const TIMER_SLACK_MS = 50;
/** The lab's poll of bgpd's table (each poll is a vty round trip itself). */
const POLL_MS = 20;

/** One change the agent logged (health.log): its round's start, the apply's start and end. */
interface AgentApply {
  round: number;
  at: number;
  done: number;
}

/** The first `event` the agent applied after `since` (monotonic ms; the agent's clock is the host's). */
async function agentAppliedAfter(s: ScenarioContext, event: 'announce' | 'withdraw', since: number): Promise<AgentApply> {
  const log = await readFile(join(s.lab.node('dns-a').dir, 'health.log'), 'utf8');
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as Partial<AgentApply> & { event?: string };
    if (e.event === event && typeof e.round === 'number' && typeof e.at === 'number' && typeof e.done === 'number' && e.at > since) {
      return { round: e.round, at: e.at, done: e.done };
    }
  }
  throw new Error(`health.log of dns-a: no "${event}" applied after ${since.toFixed(0)} ms`);
}

/**
 * The agent's share of one recovery, as three measurements: its detection (the round that acts
 * starts within one interval of bgpd answering; a round already under way when bgpd came up
 * counts as 0), its apply, and the whole path as the lab sees it.
 */
function measureRecovery(s: ScenarioContext, what: string, bgpdUp: number, apply: AgentApply, observed: number): void {
  s.measurement(`${what}: agent round after bgpd answers`, { plane: 'bgp', slo: { op: '<=', value: INTERVAL_MS + TIMER_SLACK_MS }, description: `bgpd's vty answers → the agent's probe round that acts on it starts (interval ${INTERVAL_MS} ms, timer slack ${TIMER_SLACK_MS} ms)` }).add(Math.max(0, apply.round - bgpdUp));
  s.measurement(`${what}: agent apply`, { plane: 'bgp', slo: { op: '<=', value: APPLY_BUDGET_MS }, description: 'the agent\'s vty read and config change, from its log' }).add(apply.done - apply.at);
  s.measurement(`${what}: after bgpd answers`, { plane: 'bgp', slo: { op: '<=', value: INTERVAL_MS + TIMER_SLACK_MS + APPLY_BUDGET_MS + 2 * POLL_MS }, description: `bgpd's vty answers → seen in bgpd's table by the lab's ${POLL_MS} ms poll` }).add(observed - bgpdUp);
}

function expectRecovery(s: ScenarioContext, what: string): void {
  for (const part of ['agent round after bgpd answers', 'agent apply', 'after bgpd answers']) {
    s.expectSlo(s.measurement(`${what}: ${part}`, { plane: 'bgp' }));
  }
}

interface PrefixJson {
  paths?: { sourced?: boolean; peer?: { peerId?: string } }[];
}

/** Whether dns-a's bgpd holds its own `network` path for the service /32. */
async function sourcedAtSiteA(s: ScenarioContext): Promise<boolean> {
  const out = await s.frr('dns-a').json<PrefixJson>(`show bgp ipv4 unicast ${SERVICE} json`);
  return (out.paths ?? []).some((p) => p.sourced === true);
}

/** Whether sig-a has site A's path (learned from dns-a). */
async function sigAHasSiteA(s: ScenarioContext): Promise<boolean> {
  const out = await s.frr('sig-a').json<PrefixJson>(`show bgp ipv4 unicast ${SERVICE} json`);
  return (out.paths ?? []).some((p) => p.peer?.peerId === DNS_HOST_PEER['sig-a']);
}

/** Restart dns-a's bgpd (SIGKILL, then the same argv); returns when its vty answers again. */
async function restartBgpd(s: ScenarioContext): Promise<number> {
  const fault = await s.faults.kill('dns-a', 'bgpd');
  await fault.revert();
  return monoNow();
}

export default defineScenario({
  name: 'anycast-health-agent',
  description: 'the health agent keeps bgpd in line across bgpd restarts and withdraws through its watchdog when it dies',
  lab: { file: LAB_PATH, name: 'ha14-anycast-health' },
  parts: [
    {
      name: 'bgpd restarted without the network line → the agent re-announces within one interval',
      timeoutMs: 120_000,
      run: async (s) => {
        const conf = join(s.lab.node('dns-a').dir, 'bgpd.conf');
        const original = await readFile(conf, 'utf8');
        s.cleanup(() => writeFile(conf, original));
        await s.step('site A announced', () => waitUntil(() => sigAHasSiteA(s), (v) => v, { what: 'sig-a has site A\'s path', timeout: 30_000 }));
        for (let trial = 1; trial <= s.trials; trial++) {
          // A config saved while the route was withdrawn: no `network` line for the service.
          await writeFile(conf, original.replace(/^\s*network 198\.18\.53\.53\/32\s*$/m, ''));
          const killedAt = monoNow();
          const up = await s.step(`#${trial}: restart dns-a bgpd from a config without the route`, () => restartBgpd(s));
          const back = await s.step(`#${trial}: route back at dns-a`, () => waitUntil(() => sourcedAtSiteA(s), (v) => v, { what: 'dns-a bgpd holds the service route again', timeout: 10_000, interval: POLL_MS }));
          measureRecovery(s, 'bgpd restart: route back', up, await agentAppliedAfter(s, 'announce', killedAt), back.at);
          await s.step(`#${trial}: sig-a has site A again`, () => waitUntil(() => sigAHasSiteA(s), (v) => v, { what: 'sig-a has site A\'s path', timeout: 30_000 }));
          await writeFile(conf, original);
        }
        expectRecovery(s, 'bgpd restart: route back');
      },
    },
    {
      name: 'DNS dead and bgpd restarted from the announcing template → the agent withdraws within one interval',
      timeoutMs: 120_000,
      run: async (s) => {
        const dns = await s.step('kill site A DNS', () => s.faults.kill('dns-a', 'dns'));
        await s.step('withdrawn at dns-a', () => waitUntil(() => sourcedAtSiteA(s), (v) => !v, { what: 'dns-a withdrew the dead service', timeout: 10_000 }));
        const killedAt = monoNow();
        const up = await s.step('restart dns-a bgpd (its config announces the route)', () => restartBgpd(s));
        // The route may appear from the config for a moment; it must be gone again within one interval and an apply.
        const gone = await s.step('withdrawn again', () => waitUntil(() => sourcedAtSiteA(s), (v) => !v, { what: 'dns-a bgpd without the service route', timeout: 10_000, interval: POLL_MS }));
        measureRecovery(s, 'bgpd restart while DNS dead: route gone', up, await agentAppliedAfter(s, 'withdraw', killedAt), gone.at);
        expectRecovery(s, 'bgpd restart while DNS dead: route gone');
        await s.step('DNS back', () => dns.revert());
        await s.step('site A announced again', () => waitUntil(() => sigAHasSiteA(s), (v) => v, { what: 'sig-a has site A\'s path', timeout: 30_000 }));
      },
    },
    {
      name: 'the health agent killed → its watchdog withdraws, sig-a loses site A',
      timeoutMs: 120_000,
      run: async (s) => {
        await s.step('site A announced', () => waitUntil(() => sigAHasSiteA(s), (v) => v, { what: 'sig-a has site A\'s path', timeout: 30_000 }));
        const killed = await s.step('SIGKILL the health agent of site A', () => s.faults.kill('dns-a', 'health'));
        const gone = await s.step('sig-a without site A', () => waitUntil(() => sigAHasSiteA(s), (v) => !v, { what: 'sig-a lost site A\'s path', timeout: 10_000, interval: 20 }));
        s.measurement('agent killed: site A gone at sig-a', { plane: 'bgp', slo: { op: '<', value: 2000 }, description: 'SIGKILL of the agent → sig-a no longer has site A\'s path (watchdog withdrawal + iBGP)' }).add(gone.at - killed.injected.at);
        s.expectSlo(s.measurement('agent killed: site A gone at sig-a', { plane: 'bgp' }));
        const log = await readFile(join(s.lab.node('dns-a').dir, 'health.log'), 'utf8');
        s.check('the watchdog says why', /"event":"watchdog-withdraw","reason":"agent-died"/.test(log), log.split('\n').slice(-5).join('\n'));
        await s.step('agent restarted', () => killed.revert());
        await s.step('site A announced again', () => waitUntil(() => sigAHasSiteA(s), (v) => v, { what: 'sig-a has site A\'s path', timeout: 30_000 }));
      },
    },
  ],
});

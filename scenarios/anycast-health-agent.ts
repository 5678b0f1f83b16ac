/**
 * anycast-health-agent (labs/anycast, lab "ha14-anycast-health"): the health agent
 * against bgpd restarts and its own death, on the real lab.
 *  1. bgpd of site A restarts from a config saved while the route was withdrawn
 *     (no `network` line): the agent puts the route back within one interval of
 *     bgpd's vty answering.
 *  2. Site A's DNS is dead and bgpd restarts from the template (which announces):
 *     the agent withdraws the dead route again within one interval.
 *  3. The agent is killed: its watchdog withdraws the route; sig-a loses site A's path.
 *   ./bgpdns-lab run anycast-health-agent
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineScenario, type ScenarioContext, waitUntil, monoNow } from '@bgpdns-lab/harness';
import { LAB_PATH, SERVICE, DNS_HOST_PEER } from './anycast-lab.js';

/** The agent's probe interval in this lab (labs/anycast/anycast.clab.yml, HEALTH_INTERVAL_MS). */
const INTERVAL_MS = 500;

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
          const up = await s.step(`#${trial}: restart dns-a bgpd from a config without the route`, () => restartBgpd(s));
          const back = await s.step(`#${trial}: route back at dns-a`, () => waitUntil(() => sourcedAtSiteA(s), (v) => v, { what: 'dns-a bgpd holds the service route again', timeout: 10_000, interval: 20 }));
          s.measurement('bgpd restart: route back after bgpd answers', { plane: 'bgp', slo: { op: '<=', value: INTERVAL_MS }, description: `bgpd's vty answers → its own path for ${SERVICE} is back (agent interval ${INTERVAL_MS} ms)` }).add(back.at - up);
          await s.step(`#${trial}: sig-a has site A again`, () => waitUntil(() => sigAHasSiteA(s), (v) => v, { what: 'sig-a has site A\'s path', timeout: 30_000 }));
          await writeFile(conf, original);
        }
        s.expectSlo(s.measurement('bgpd restart: route back after bgpd answers', { plane: 'bgp' }));
      },
    },
    {
      name: 'DNS dead and bgpd restarted from the announcing template → the agent withdraws within one interval',
      timeoutMs: 120_000,
      run: async (s) => {
        const dns = await s.step('kill site A DNS', () => s.faults.kill('dns-a', 'dns'));
        await s.step('withdrawn at dns-a', () => waitUntil(() => sourcedAtSiteA(s), (v) => !v, { what: 'dns-a withdrew the dead service', timeout: 10_000 }));
        const up = await s.step('restart dns-a bgpd (its config announces the route)', () => restartBgpd(s));
        // The route may appear from the config for a moment; it must be gone again within one interval.
        const gone = await s.step('withdrawn again', () => waitUntil(() => sourcedAtSiteA(s), (v) => !v, { what: 'dns-a bgpd without the service route', timeout: 10_000, interval: 20 }));
        s.measurement('bgpd restart while DNS dead: route gone after bgpd answers', { plane: 'bgp', slo: { op: '<=', value: INTERVAL_MS }, description: 'bgpd\'s vty answers → its config-announced path for the dead service is gone' }).add(gone.at - up);
        s.expectSlo(s.measurement('bgpd restart while DNS dead: route gone after bgpd answers', { plane: 'bgp' }));
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

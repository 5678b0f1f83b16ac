/**
 * My edge router loses its primary upstream: how long until it routes to the web
 * prefix through the backup? (docs/writing-scenarios.md walks through this file.)
 */
import { fileURLToPath } from 'node:url';
import { defineScenario, waitUntil, asPathList, type ScenarioContext } from '@bgpdns-lab/harness';

const WEB = '198.18.200.0/24';
const ISP_A = 64610;
const ISP_B = 64620;

/** The first AS of edge's best path to the web prefix (the upstream it uses), or undefined. */
async function upstreamOfEdge(s: ScenarioContext): Promise<number | undefined> {
  const best = await s.frr('edge').bestPath(WEB);
  return best ? asPathList(best)[0] : undefined;
}

export default defineScenario({
  name: 'edge-failover',
  description: 'edge loses its primary upstream isp-a; time until it uses isp-b',
  lab: {
    file: fileURLToPath(new URL('two-upstreams.clab.yml', import.meta.url)),
    // A lab name of its own, so this never collides with a hand-deployed copy.
    name: 'doc-edge-failover',
  },
  parts: [
    {
      name: 'edge routes to the web through isp-a',
      async run(s) {
        const { value } = await s.step('wait for the primary path', () =>
          waitUntil(() => upstreamOfEdge(s), (as) => as === ISP_A, { what: `edge's best path to ${WEB} via AS${ISP_A}`, timeout: 30_000 }),
        );
        s.check('edge prefers isp-a', value === ISP_A, `first AS ${value}`);
      },
    },
    {
      name: 'cut edge–isp-a: edge uses isp-b within 1 s',
      async run(s) {
        const failover = s.measurement('edge failover to isp-b', {
          plane: 'bgp',
          slo: { op: '<', value: 1000 },
          description: 'link down at isp-a → edge best path via isp-b (20 ms vty poll)',
        });
        const watcher = await s.watch('edge', [WEB]);
        for (let trial = 1; trial <= s.trials; trial++) {
          await s.step(`#${trial}: primary in use`, () =>
            waitUntil(() => upstreamOfEdge(s), (as) => as === ISP_A, { what: 'edge back on isp-a', timeout: 30_000 }),
          );
          const cut = await s.faults.linkDown(s.faults.endpoint('isp-a', 'edge'));
          const moved = await s.step(`#${trial}: edge moves to isp-b`, () =>
            watcher.waitFor((c) => c.to?.asPath?.[0] === ISP_B, { what: 'best path via isp-b', after: cut.injected.at, timeout: 10_000 }),
          );
          failover.add(moved.at - cut.injected.at);
          await s.step(`#${trial}: restore`, () => cut.revert());
        }
        s.expectSlo(failover);
      },
    },
  ],
});

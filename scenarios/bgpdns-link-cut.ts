/**
 * bgpdns-link-cut (labs/multihomed): the link between client AS 1 (c1) and its
 * preferred upstream isp1 is cut. isp1 loses its direct path to h1's network at
 * once (fast external failover) and tells the sorter; the sorter's best path for
 * 198.19.1.0/24 moves to isp3 and the DNS front answers h1 with isp3's address
 * first. Measured per trial from the cut, side by side: the sorter's best path
 * (BGP plane), c1's own best path, h1's answers from the front and through unbound
 * with client subnet (DNS plane). SLO < 15 s (the seed's hold-timer bound).
 *   ./bgpdns-lab run bgpdns-link-cut
 */
import { defineScenario } from '@bgpdns-lab/harness';
import { LAB_PATH } from './bgpdns-lab.js';
import { failoverTrials } from './bgpdns-failover-trials.js';

export default defineScenario({
  name: 'bgpdns-link-cut',
  description: "Cut client AS 1's link to its best ISP: time until the sorter's best path and h1's DNS answers move to isp3.",
  lab: { file: LAB_PATH, name: 'mh-cut' },
  parts: [
    {
      name: 'link c1–isp1 cut: sorter best path and h1 answers move to isp3 in < 15 s',
      timeoutMs: 240_000,
      run: async (s) => {
        await failoverTrials(s, {
          label: 'link cut c1–isp1',
          slo: { op: '<', value: 15_000 },
          timeoutMs: 20_000,
          inject: (sc) => sc.faults.linkDown(sc.faults.endpoint('isp1', 'c1')),
        });
      },
    },
  ],
});

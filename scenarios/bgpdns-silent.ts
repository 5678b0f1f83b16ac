/**
 * bgpdns-silent (labs/multihomed): client AS 1's preferred upstream fails silently —
 * packets between c1 and isp1 are dropped (nft in c1's namespace), the link stays up.
 *   1. Without BFD only the BGP hold timer (12 s, the seed's timers 3 12) notices:
 *      isp1 then withdraws its direct path to h1's network, the sorter's best path
 *      moves to isp3, the front answers h1 with isp3's address first. SLO < 15 s.
 *   2. With BFD (300 ms × 3) on the c1–isp1 session. BFD runs between FRR routers
 *      (here the ISP and the client AS router); the sorter speaks our own BGP without
 *      BFD and learns the change as an ordinary BGP update from isp1. SLO < 2 s on the
 *      BGP plane (sorter and c1); the DNS plane adds the front's staleness bound
 *      (one generation probe per second + a round trip), so its SLO is < 3 s.
 * The resolver res1 sits in the affected AS: its own queries to the front are dropped
 * too until c1 reroutes, and unbound backs off on lost queries — that figure is recorded
 * beside the others without an SLO (measured here: 12.7–14.5 s, BFD 1.2–2.8 s).
 *   ./bgpdns-lab run bgpdns-silent
 */
import { defineScenario, waitUntil } from '@bgpdns-lab/harness';
import { LAB_PATH } from './bgpdns-lab.js';
import { failoverTrials } from './bgpdns-failover-trials.js';

const C1_ADDR = '198.18.1.17';
const ISP1_ADDR = '198.18.1.18';

export default defineScenario({
  name: 'bgpdns-silent',
  description: "Silent failure of client AS 1's best upstream (nft drop): hold timer < 15 s, with BFD < 2 s (BGP plane) / < 3 s (DNS plane).",
  lab: { file: LAB_PATH, name: 'mh-silent' },
  parts: [
    {
      name: 'silent drop c1–isp1, hold timer 12 s: sorter and h1 move to isp3 in < 15 s',
      timeoutMs: 300_000,
      run: async (s) => {
        await failoverTrials(s, {
          label: 'silent drop c1–isp1 (hold timer)',
          slo: { op: '<', value: 15_000 },
          resolverSlo: false,
          timeoutMs: 30_000,
          inject: (sc) => sc.faults.silentDrop(sc.faults.endpoint('c1', 'isp1')),
        });
      },
    },
    {
      name: 'silent drop c1–isp1 with BFD: sorter in < 2 s, h1 answers in < 3 s',
      timeoutMs: 240_000,
      run: async (s) => {
        const bfdUp = () =>
          s.step('BFD c1–isp1 up', () =>
            waitUntil(() => s.frr('c1').bfdPeers(), (peers) => peers.some((p) => p.peer === ISP1_ADDR && p.status === 'up') || `bfd peers ${JSON.stringify(peers)}`, {
              what: `c1 BFD session to ${ISP1_ADDR} up`,
              timeout: 30_000,
              interval: 50,
            }),
          );
        // Pushed once the sessions are up: FRR 8.4.4 flaps sessions with BFD in the startup config.
        const setBfd = async (on: boolean) => {
          const no = on ? '' : 'no ';
          await s.frr('c1').configure(['router bgp 64521', `${no}neighbor ${ISP1_ADDR} bfd`]);
          await s.frr('isp1').configure(['router bgp 64501', `${no}neighbor ${C1_ADDR} bfd`]);
        };
        await s.step('enable BFD on c1–isp1 (300 ms × 3)', () => setBfd(true));
        s.cleanup(() => setBfd(false));
        await bfdUp();
        await failoverTrials(s, {
          label: 'silent drop c1–isp1 with BFD',
          slo: { op: '<', value: 2000 },
          dnsSlo: { op: '<', value: 3000 },
          resolverSlo: false,
          timeoutMs: 20_000,
          inject: (sc) => sc.faults.silentDrop(sc.faults.endpoint('c1', 'isp1')),
          afterRevert: async () => {
            await bfdUp();
          },
        });
      },
    },
  ],
});

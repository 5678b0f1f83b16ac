/**
 * labs/multihomed split over two simulated hosts, the way containerlab spreads a
 * lab over machines: the three ISPs on host1; the transits, client ASes, hosts,
 * sorter, DNS fronts and resolvers on host2. Each host is a network namespace
 * with its own Docker engine; every ISP link crosses to host2 as a VXLAN tunnel
 * over the underlay. bgpdns-link-cut and upstream-failover then run unchanged,
 * with the same SLOs, one trial each (the single-host runs carry the statistics).
 * The run records name each node's host. No unix socket crosses a host boundary:
 * every FRR vty this process asked (deploy's readiness, convergence, faults) went
 * through the node's host engine, and route watching and probing through the agent
 * beside the node, so no vty socket of the split labs was connected from here.
 * The hosts are torn down at the end and checked to have left nothing.
 */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import { hostSetLeftovers, hostsDown, hostsUp, loadImages, labDir, vtySocketsConnected } from '@bgpdns-lab/harness/runtime';
import linkCut from './bgpdns-link-cut.js';
import upstreamFailover from './upstream-failover.js';

const SET = 'mh2';
const split = { set: SET, place: { isp: 'host1', '*': 'host2' } };
const LABS = ['mh2-cut', 'mh2-failover'];

test.before('two simulated hosts with the images their nodes run', async (t) => {
  t.timeout(300_000, 'hosts up and image copies');
  await hostsUp(SET, 2, (l) => t.log(l));
  // A first copy takes a minute or more on a loaded machine: outside the deploy's own timeout.
  const started = Date.now();
  await Promise.all([
    loadImages(SET, 'host1', ['bgpdns-lab/frr:latest', 'bgpdns-lab/bgpdns:latest']),
    loadImages(SET, 'host2', ['bgpdns-lab/frr:latest', 'bgpdns-lab/client:latest', 'bgpdns-lab/tinydns:latest', 'bgpdns-lab/bgpdns:latest']),
  ]);
  t.log(`images copied to both hosts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

avaScenario(test, { ...linkCut, lab: { ...linkCut.lab, name: LABS[0], hosts: split } }, { runtime: 'docker', trials: 1 });
avaScenario(test, { ...upstreamFailover, lab: { ...upstreamFailover.lab, name: LABS[1], hosts: split } }, { runtime: 'docker', trials: 1 });

test.after.always('no vty socket of a node on a simulated host was connected from the harness', (t) => {
  // Every node of both labs is placed on host1 or host2.
  const crossed = vtySocketsConnected().filter((p) => LABS.some((lab) => p.startsWith(`${labDir(lab)}/`)));
  t.deepEqual(crossed, [], 'these sockets were connected across a host boundary');
  t.log(`vty clients made here: ${vtySocketsConnected().length}, none in a node directory of ${LABS.join(' or ')}`);
});

test.after.always('hosts down, nothing left', async (t) => {
  t.timeout(120_000, 'hosts down');
  await hostsDown(SET, (l) => t.log(l));
  t.deepEqual(await hostSetLeftovers(SET), []);
});

import test from 'ava';
import { fileURLToPath } from 'node:url';
import { frr, asPathList, closeVtyClients, vtyClient } from './frr-control.js';
import { deployTestLab, destroyTestLab } from '../../testing/deploy-test-lab.js';
import type { LabHandle } from '../lab/lab-handle.js';
import { waitUntil, waitForJson } from '@bgpdns-lab/bgpdns';

// Two routers, one eBGP session over IPv4 carrying both address families, bfdd on both
// (harness/testing/labs/frr-control), deployed by deploy() as users deploy theirs.
const LAB_FILE = fileURLToPath(new URL('../../testing/labs/frr-control/frr-control.clab.yml', import.meta.url));

let lab: LabHandle;
test.before(async () => {
  lab = await deployTestLab(LAB_FILE);
});
test.after.always(async () => {
  await destroyTestLab(lab);
});

test.serial('bgp summary shows the session Established in both address families', async (t) => {
  const r2 = frr(lab.node('r2'));
  await waitForJson(() => r2.bgpSummary(), { ipv4Unicast: { peers: { '198.18.254.1': { state: 'Established', remoteAs: 64501 } } }, ipv6Unicast: { peers: { '198.18.254.1': { state: 'Established' } } } }, {
    what: 'r2 session to r1 Established',
    timeout: 15_000,
    interval: 50,
  });
  const peers = await r2.bgpPeers();
  t.deepEqual([...peers.keys()].sort(), ['ipv4Unicast 198.18.254.1', 'ipv6Unicast 198.18.254.1']);
});

test.serial('prefix paths: best path, AS path, next hop; none for an unknown prefix', async (t) => {
  const r2 = frr(lab.node('r2'));
  const { value: best } = await waitUntil(() => r2.bestPath('198.18.100.0/24'), (p) => p !== undefined, { what: 'r2 best path to 198.18.100.0/24', timeout: 10_000, interval: 20 });
  t.deepEqual(asPathList(best!), [64501]);
  t.is(best!.nexthops[0].ip, '198.18.254.1');
  t.is(best!.peer.peerId, '198.18.254.1');
  const { value: v6 } = await waitUntil(() => r2.bestPath('2001:db8:100::/48'), (p) => p !== undefined, { what: 'r2 IPv6 best path', timeout: 10_000, interval: 20 });
  t.deepEqual(asPathList(v6!), [64501]);
  t.deepEqual(await r2.prefixPaths('198.18.200.0/24'), []);
});

test.serial('configure pushes lines through the vty; a bad line names itself', async (t) => {
  const r1 = frr(lab.node('r1'));
  const r2 = frr(lab.node('r2'));
  await r1.configure(['router bgp 64501', 'address-family ipv4 unicast', 'network 198.18.101.0/24']);
  await waitUntil(() => r2.bestPath('198.18.101.0/24'), (p) => p !== undefined, { what: 'pushed network reaches r2', timeout: 10_000, interval: 20 });
  await r1.configure(['router bgp 64501', 'address-family ipv4 unicast', 'no network 198.18.101.0/24']);
  await waitUntil(() => r2.prefixPaths('198.18.101.0/24'), (p) => p.length === 0, { what: 'withdrawn network gone at r2', timeout: 10_000, interval: 20 });
  await t.throwsAsync(r1.configure(['router bgp 64501', 'neighbor 198.18.254.2 frobnicate']), {
    message: /bgpd\.vty: "neighbor 198\.18\.254\.2 frobnicate" failed: unknown command/,
  });
  // The daemon left config mode: show commands still work.
  t.truthy((await r1.bgpSummary()).ipv4Unicast);
});

test.serial('BFD pushed after the session is up comes up in bfdd', async (t) => {
  const r1 = frr(lab.node('r1'));
  const r2 = frr(lab.node('r2'));
  for (const [r, asn, peer] of [[r1, 64501, '198.18.254.2'], [r2, 64502, '198.18.254.1']] as const) {
    await r.configure([`router bgp ${asn}`, `neighbor ${peer} bfd`]);
  }
  const { value } = await waitUntil(() => r1.bfdPeers(), (peers) => peers.some((p) => p.peer === '198.18.254.2' && p.status === 'up'), {
    what: 'r1 BFD session to r2 up',
    timeout: 15_000,
    interval: 50,
  });
  t.is(value.find((p) => p.peer === '198.18.254.2')!.multihop, false);
});

test('closing the clients of a directory leaves those of a lab whose name starts the same alone', async (t) => {
  const mine = vtyClient('/nowhere/t15a/r1/bgpd.vty');
  const other = vtyClient('/nowhere/t15ab/r1/bgpd.vty');
  await closeVtyClients('/nowhere/t15a');
  t.not(vtyClient('/nowhere/t15a/r1/bgpd.vty'), mine, 'closed: a new client');
  t.is(vtyClient('/nowhere/t15ab/r1/bgpd.vty'), other);
  await closeVtyClients('/nowhere/');
});

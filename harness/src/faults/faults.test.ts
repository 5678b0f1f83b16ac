import test from 'ava';
import { readFile } from 'node:fs/promises';
import { Faults, NetemUnsupportedError } from './faults.js';
import { NFT } from './nft.js';
import { startTestLab, type TestLab } from '../frr/test-lab.js';
import { frr } from '../frr/frr-control.js';
import { VtyClient } from '@bgpdns-lab/bgpdns';
import { waitUntil } from '../wait/wait-until.js';
import type { FaultEvent } from '../run/record.js';

const bgp = (asn: number, id: string, peer: string, peerAs: number) => `
router bgp ${asn}
 bgp router-id ${id}
 no bgp ebgp-requires-policy
 neighbor ${peer} remote-as ${peerAs}
 neighbor ${peer} timers 3 12
 neighbor ${peer} timers connect 1
`;

let lab: TestLab;
const recorded: FaultEvent[] = [];
let faults: Faults;

test.before(async () => {
  lab = await startTestLab(
    'h2flt',
    [
      { name: 'r1', bgpd: bgp(64501, '198.18.255.1', '198.18.254.2', 64502) },
      { name: 'r2', bgpd: bgp(64502, '198.18.255.2', '198.18.254.1', 64501) },
    ],
    [{ a: 'r1:eth1', b: 'r2:eth1', aAddrs: ['198.18.254.1/30'], bAddrs: ['198.18.254.2/30'] }],
  );
  faults = new Faults(lab, { fault: (ev) => recorded.push(ev) });
});
test.after.always(async () => {
  await faults?.revertAll().catch(() => undefined);
  await lab?.destroy();
});

const sessionState = async () => (await frr(lab.node('r2')).bgpSummary()).ipv4Unicast?.peers['198.18.254.1']?.state;
const established = () => waitUntil(sessionState, (s) => s === 'Established', { what: 'r2–r1 session Established', timeout: 20_000, interval: 50 });
/** Can r2 open a TCP connection to r1's BGP port within 2 s (generous for a loaded machine)? */
const tcpReachable = async () =>
  (await lab.node('r2').exec(['timeout', '2', 'bash', '-c', 'exec 3<>/dev/tcp/198.18.254.1/179'])).exitCode === 0;
const linkState = async (node: string, iface: string) => {
  const [info] = JSON.parse((await lab.node(node).exec(['ip', '-j', 'link', 'show', 'dev', iface])).stdout);
  return info.flags.includes('UP') ? 'up' : 'down';
};
const nftTables = async (node: string) => (await lab.node(node).exec([NFT, 'list', 'tables'])).stdout;

test.serial('link down takes the session down at once; revert brings it back', async (t) => {
  await established();
  const cut = await faults.linkDown('r1:eth1');
  t.teardown(() => cut.revert());
  // How long `ip link set … down` took to return: the bound on what the fault time includes.
  t.true(typeof cut.injected.args!.commandMs === 'number' && (cut.injected.args!.commandMs as number) >= 0);
  t.is(await linkState('r1', 'eth1'), 'down');
  await waitUntil(sessionState, (s) => s !== 'Established', { what: 'session down after link cut', timeout: 2000, interval: 10 });
  await cut.revert();
  await cut.revert(); // twice is harmless
  t.is(await linkState('r1', 'eth1'), 'up');
  await established();
  const mine = recorded.filter((e) => e.fault === 'link-down' && e.target === 'r1:eth1' && !e.args?.flap);
  t.deepEqual(mine.map((e) => e.action), ['inject', 'revert']);
  t.true(mine[1].at > mine[0].at);
});

test.serial('endpoint finds the interface toward a peer', (t) => {
  t.is(faults.endpoint('r2', 'r1'), 'r2:eth1');
  t.throws(() => faults.endpoint('r2', 'r9'), { message: 'lab h2flt: no link between r2 and r9' });
});

test.serial('silent drop blackholes the interface while the link stays up; revert removes the table', async (t) => {
  t.true(await tcpReachable());
  const drop = await faults.silentDrop('r1:eth1');
  t.teardown(() => drop.revert());
  const table = drop.injected.args!.table as string;
  t.regex(table, /^bgpdnslab_h2flt_\d+_\d+$/);
  const listed = await nftTables('r1');
  t.true(listed.includes(table), listed);
  t.is(await linkState('r1', 'eth1'), 'up');
  t.false(await tcpReachable());
  await drop.revert();
  t.false((await nftTables('r1')).includes(table));
  t.true(await tcpReachable());
});

test.serial('silent drop toward chosen peers only: other addresses still pass', async (t) => {
  const other = await faults.silentDrop('r1:eth1', 'both', ['198.18.254.99', '2001:db8::99']);
  t.teardown(() => other.revert());
  t.true(await tcpReachable(), 'r2 is not among the dropped peers');
  await other.revert();
  const r2only = await faults.silentDrop('r1:eth1', 'both', ['198.18.254.2']);
  t.teardown(() => r2only.revert());
  t.false(await tcpReachable());
  await r2only.revert();
  await t.throwsAsync(faults.silentDrop('r1:eth1', 'both', ['r2']), { message: 'silent-drop on r1:eth1: peer "r2" is not an IPv4 or IPv6 address' });
});

test.serial('random loss: numgen rule in the node; 100 % drops everything; bad percent is refused', async (t) => {
  const loss = await faults.randomLoss('r1:eth1', 30, 'in');
  t.teardown(() => loss.revert());
  const rules = (await lab.node('r1').exec([NFT, 'list', 'table', 'inet', loss.injected.args!.table as string])).stdout;
  t.regex(rules, /iifname "eth1" numgen random mod 100 < 30 drop/);
  t.notRegex(rules, /oifname/);
  await loss.revert();
  const all = await faults.randomLoss('r1:eth1', 100);
  t.teardown(() => all.revert());
  t.false(await tcpReachable());
  await all.revert();
  t.true(await tcpReachable());
  await t.throwsAsync(faults.randomLoss('r1:eth1', 0), { message: 'random loss on r1:eth1: percent must be an integer 1–100, got 0' });
});

test.serial('freeze stops the node’s processes (vty stops answering); thaw resumes them', async (t) => {
  const frozen = await faults.freeze('r1', ['bgpd']);
  t.teardown(() => frozen.revert());
  const [pid] = frozen.injected.args!.pids as number[];
  // SIGSTOP takes effect when the kernel next schedules the process: wait for it, briefly.
  await waitUntil(() => readFile(`/proc/${pid}/status`, 'utf8'), (st) => /State:\s+T/.test(st), { what: `bgpd ${pid} stopped`, timeout: 2000, interval: 5 });
  const probe = new VtyClient(lab.node('r1').vtySocket('bgpd'), { commandTimeoutMs: 300 });
  await t.throwsAsync(probe.command('show version'), { message: /"show version".* within 300 ms \(daemon stopped or frozen\?\)/ });
  await probe.close();
  await frozen.revert();
  const after = new VtyClient(lab.node('r1').vtySocket('bgpd'));
  t.regex(await after.command('show version'), /FRRouting/);
  await after.close();
});

test.serial('kill bgpd: session drops; revert restarts it and it answers and peers again', async (t) => {
  await established();
  const killed = await faults.kill('r1', 'bgpd');
  t.teardown(() => killed.revert());
  const oldPid = killed.injected.args!.pid as number;
  t.throws(() => process.kill(oldPid, 0));
  await waitUntil(sessionState, (s) => s !== 'Established', { what: 'session down after bgpd killed', timeout: 2000, interval: 10 });
  await killed.revert();
  const bgpd = lab.node('r1').processes().filter((p) => p.role === 'bgpd').at(-1)!;
  t.not(bgpd.pid, oldPid);
  await established();
  await t.throwsAsync(faults.kill('r1', 'ospfd'), { message: /kill r1 ospfd: no running process with that role \(roles: zebra, bgpd\)/ });
});

test.serial('a flapping train goes down and up count times and ends up', async (t) => {
  const before = recorded.length;
  const train = faults.flap('r2:eth1', { count: 2, periodMs: 400, downMs: 150 });
  t.teardown(() => train.revert());
  await train.done;
  const flaps = recorded.slice(before).filter((e) => e.args?.flap !== undefined);
  t.deepEqual(flaps.map((e) => `${e.action}${e.args!.flap}`), ['inject1', 'revert1', 'inject2', 'revert2']);
  const downFor = flaps[1].at - flaps[0].at;
  t.true(downFor >= 140, `down for ${downFor} ms`);
  t.true(flaps[2].at - flaps[0].at >= 390, 'second flap a period after the first');
  t.is(await linkState('r2', 'eth1'), 'up');
  await train.revert();
  t.throws(() => faults.flap('r2:eth1', { count: 1, periodMs: 100, downMs: 200 }), { message: /0 < downMs < periodMs/ });
});

test.serial('netem delay fails clearly where the kernel has no netem (and works where it does)', async (t) => {
  const probe = await lab.node('r1').exec(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
  if (probe.exitCode === 0) {
    await lab.node('r1').exec(['tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
    const d = await faults.delay('r1:eth1', 50);
    t.regex((await lab.node('r1').exec(['tc', 'qdisc', 'show', 'dev', 'eth1'])).stdout, /netem/);
    await d.revert();
    return;
  }
  const err = await t.throwsAsync(faults.delay('r1:eth1', 50), { instanceOf: NetemUnsupportedError });
  t.regex(err!.message, /^netem delay is not supported on this kernel \([^)]+\): tc said ".+"$/);
});

test.serial('bad targets are named', async (t) => {
  await t.throwsAsync(faults.linkDown('r1'), { message: 'fault target "r1" must be NODE:INTERFACE, e.g. "isp1:eth2"' });
  await t.throwsAsync(faults.linkDown('r9:eth1'), { message: /no node "r9"/ });
  await t.throwsAsync(faults.linkDown('r1:eth9'), { message: /r1: `ip link set dev eth9 down` failed \(exit 1\): .*eth9/ });
});

test.serial('revertAll undoes what is still in place', async (t) => {
  const a = await faults.linkDown('r2:eth1');
  const b = await faults.silentDrop('r1:eth1');
  await faults.revertAll();
  t.true(a.reverted && b.reverted);
  t.is(await linkState('r2', 'eth1'), 'up');
  t.notRegex(await nftTables('r1'), /bgpdnslab_/);
});

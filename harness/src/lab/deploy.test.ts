import test from 'ava';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deploy } from './deploy.js';
import { attachLab, destroyLab, leftovers } from './destroy.js';
import { waitBgpConverged } from './converged.js';
import type { DeployEvent } from './progress.js';
import { machineFreezers } from '../runtime/node-cgroups.js';
import { runtimeNamed } from '../runtime/by-name.js';
import { closeVtyClients, vtyClient, type Vty } from '../frr/frr-control.js';

// Lab-backed: real namespaces and FRR. Lab names start with "h1d" (this file only) and end
// with this run's PID, so two test runs on one machine never touch each other's labs.
const RUN = process.pid.toString(36);
const MIX = `h1dmix${RUN}`;
const FAIL = `h1dfail${RUN}`;
const TWICE = `h1dtwice${RUN}`;
const SLOW = `h1dslow${RUN}`;
const LABS = [MIX, FAIL, TWICE, SLOW];
let dir: string;

test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'h1-deploy-'));
  for (const lab of LABS) await destroyLab(lab);
  const router = (name: string, asn: number, peerAsn: number, addr: string, peer: string, extra = '') => `hostname ${name}
interface eth1
 ip address ${addr}/31
exit
${extra}router bgp ${asn}
 no bgp ebgp-requires-policy
 timers bgp 3 12
 neighbor ${peer} remote-as ${peerAsn}
exit
`;
  await mkdir(path.join(dir, 'r1'));
  await mkdir(path.join(dir, 'r2'));
  await writeFile(path.join(dir, 'r1', 'frr.conf'), router('r1', 65001, 65002, '198.18.0.0', '198.18.0.1', 'interface eth2\n ip address 198.18.5.1/24\nexit\n'));
  await writeFile(path.join(dir, 'r2', 'frr.conf'), router('r2', 65002, 65001, '198.18.0.1', '198.18.0.0'));
});

test.after.always(async () => {
  for (const lab of LABS) await destroyLab(lab);
  await rm(dir, { recursive: true, force: true });
});

async function labFile(name: string, clientExec: string[]): Promise<string> {
  const file = path.join(dir, `${name}.clab.yml`);
  await writeFile(
    file,
    `name: ${name}
topology:
  nodes:
    r1:
      kind: linux
      image: quay.io/frrouting/frr:8.4.1
      binds: [r1/frr.conf:/etc/frr/frr.conf]
      # Runs after the daemons answer; vtysh in an FRR node talks to that node's daemons.
      exec: ["vtysh -c 'show bgp summary' | grep -q 'local AS number 65001'"]
    r2: {kind: frr, startup-config: r2/frr.conf}
    c1:
      image: alpine:3.20
      exec: ${JSON.stringify(clientExec)}
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
    - endpoints: ["r1:eth2", "c1:eth1"]
`,
  );
  return file;
}

test.serial('deploys FRR routers and a client, converges, and destroy leaves nothing', async (t) => {
  const file = await labFile(MIX, ['ip addr add 198.18.5.2/24 dev eth1', 'ip route add 198.18.0.0/31 via 198.18.5.1']);
  const events: DeployEvent[] = [];
  const lab = await deploy(file, { onProgress: (e) => events.push(e) });
  let shared: Vty | undefined;
  try {
    t.deepEqual(lab.nodes().map((n) => n.name), ['r1', 'r2', 'c1']);
    t.deepEqual(lab.node('r1').processes().map((p) => p.role).sort(), ['bgpd', 'zebra']);
    t.deepEqual(lab.node('c1').processes(), []);
    t.throws(() => lab.node('r3'), { message: `lab ${MIX} has no node "r3"; its nodes: r1, r2, c1` });

    // Every node went through every phase, in order.
    for (const node of ['r1', 'r2', 'c1']) {
      const phases = events.filter((e) => e.type === 'phase' && e.node === node && e.state === 'done').map((e) => (e as { phase: string }).phase);
      t.deepEqual(phases, ['prepare', 'create', 'wire', 'start', 'ready', 'exec'], node);
    }
    t.truthy(lab.timings && lab.timings.totalMs > 0);

    const addr = await lab.node('c1').exec(['ip', '-j', 'addr', 'show', 'dev', 'eth1']);
    t.is(addr.exitCode, 0);
    t.true(addr.stdout.includes('198.18.5.2'));
    const route = await lab.node('c1').exec(['ip', 'route', 'show', '198.18.0.0/31']);
    t.regex(route.stdout, /via 198\.18\.5\.1/);

    // Runtime.exec reports instead of throwing: exit code, stderr apart, stdin, timeout as 124.
    t.deepEqual(await lab.node('c1').exec(['sh', '-c', 'echo out; echo err >&2; exit 3']), { exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    t.deepEqual(await lab.node('c1').exec(['cat'], { input: 'in' }), { exitCode: 0, stdout: 'in', stderr: '' });
    t.deepEqual(await lab.node('c1').exec(['sleep', '5'], { timeoutMs: 200 }), { exitCode: 124, stdout: '', stderr: 'timed out after 200 ms\n' });

    const converged = await waitBgpConverged(lab, { timeoutMs: 30_000 });
    t.is(converged.sessions, 2);
    // FRR logs with millisecond timestamps into the node's frr.log (the route watcher reads it).
    const log = await readFile(path.join(lab.node('r1').dir, 'frr.log'), 'utf8');
    t.regex(log, /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{3} (ZEBRA|BGP): /m);

    // Another process can reopen the lab from its state file.
    const attached = attachLab(MIX);
    t.deepEqual(attached.node('r2').processes().map((p) => p.pid).sort(), lab.node('r2').processes().map((p) => p.pid).sort());
    t.is(attached.node('r2').vtySocket('bgpd'), lab.node('r2').vtySocket('bgpd'));
    // A scenario's frr(node) queries share one client per socket (waitBgpConverged closed its own).
    shared = vtyClient(lab.node('r2').vtySocket('bgpd'));
    await shared.command('show version');
  } finally {
    await lab.destroy();
  }
  // The lab's shared vty clients (cached per socket, frr-control.ts) went with it: a new one now.
  const sock = lab.node('r2').vtySocket('bgpd');
  t.not(vtyClient(sock), shared);
  await closeVtyClients(sock);
  t.deepEqual(await leftovers(MIX), []);
  t.false(existsSync(`/run/bgpdns-lab/${MIX}`));
  await lab.destroy(); // idempotent
});

test.serial('a failing exec line fails the deploy, names the node and the line, and cleans up', async (t) => {
  const file = await labFile(FAIL, ['ip addr add 198.18.5.2/24 dev eth9']);
  const err = await t.throwsAsync(deploy(file));
  t.regex(err!.message, /^node c1: exec\[0\] "ip addr add 198\.18\.5\.2\/24 dev eth9" failed \(exit \d+\): .*eth9/);
  t.deepEqual(await leftovers(FAIL), []);
});

test.serial('deploying a lab that already exists is refused', async (t) => {
  const file = await labFile(TWICE, []);
  await using lab = await deploy(file);
  const err = await t.throwsAsync(deploy(file));
  // The nodes' cgroups too, where the machine has a freezer (runtime/node-cgroups.ts).
  const cgroup = machineFreezers().length > 0 ? ', cgroup' : '';
  t.is(err!.message, `lab "${TWICE}" already exists on this host (netns, process, dir${cgroup}); destroy it first: bgpdns-lab destroy ${TWICE}`);
  t.is(lab.nodes().length, 3);
});

test('deploy() refuses the attach runtime before touching anything: it drives labs that are already up', async (t) => {
  await t.throwsAsync(deploy(await labFile(`r15att${RUN}`, []), { runtime: runtimeNamed('attach') }), {
    message: `lab r15att${RUN}: the attach runtime drives a lab that is already deployed; attach with attachToLab() or \`run --attach\`, not deploy()`,
  });
});

test.serial('a node that does not become ready in time fails the deploy with the daemon and socket, and cleans up', async (t) => {
  const file = await labFile(SLOW, []);
  const err = await t.throwsAsync(deploy(file, { readyTimeoutMs: 0 }));
  t.regex(err!.message, new RegExp(`^node r[12]: (zebra|bgpd) vty socket /run/bgpdns-lab/${SLOW}/r[12]/(zebra|bgpd)\\.vty did not answer`));
  t.deepEqual(await leftovers(SLOW), []);
});

test.after.always('no h1d leftovers', async (t) => {
  for (const lab of LABS) t.deepEqual(await leftovers(lab), [], lab);
});

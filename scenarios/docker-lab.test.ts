/**
 * The Docker runtime at lab scale, driven the way users drive it: the real CLI
 * deploys labs/multihomed (renamed) as containers named clab-<lab>-<node>, then
 *  1. a harness SIGKILLed in the middle of a Docker deploy leaves containers
 *     behind, and `bgpdns-lab destroy` removes every one of them, the lab
 *     directory and any process — nothing is left;
 *  2. a separate harness process attaches to a lab deployed that way (as it
 *     would to one `containerlab deploy` made), finds every node by
 *     containerlab's labels, reads BGP over the vty sockets and routes traffic
 *     end to end; detaching leaves the lab running for its owner to destroy.
 *  3. a lab made the way containerlab makes it — containers with only
 *     containerlab's labels, FRR started by the image under watchfrr, veths
 *     wired by hand — is driven by attaching: vty through the container's root,
 *     processes found in its PID namespace, a link fault; detaching leaves it;
 *  4. every lab in labs/ deploys on Docker (every node ready, exec lines run)
 *     and goes away without a trace.
 * Lab names start with h7.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import { containersWith, createAndStart, removeContainer, attachToLab, readState } from '@bgpdns-lab/harness/runtime';
import { Faults, leftovers, loadTopology, FrrControl, closeVtyClients, waitUntil, deploy, runtimeNamed } from '@bgpdns-lab/harness';
import { readdirSync, existsSync } from 'node:fs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(ROOT, 'harness/src/cli/main.ts');
let scratch: string;

/** labs/multihomed copied next to its configs, under another lab name. */
async function multihomedAs(name: string): Promise<string> {
  const dir = path.join(scratch, name);
  await cp(path.join(ROOT, 'labs/multihomed'), dir, { recursive: true });
  const file = path.join(dir, 'multihomed.clab.yml');
  await writeFile(file, (await readFile(file, 'utf8')).replace(/^name: multihomed$/m, `name: ${name}`));
  return file;
}

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI; when `killWhen` holds (polled every 20 ms), SIGKILL it. */
function cli(args: string[], killWhen?: () => Promise<boolean>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    if (killWhen) {
      const poll = async () => {
        if (await killWhen()) child.kill('SIGKILL');
        else timer = setTimeout(poll, 20);
      };
      timer = setTimeout(poll, 20);
    }
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function hostVethsOf(lab: string): Promise<string[]> {
  // Our veths are created inside the containers; none may ever appear on the host.
  const out = await $({ quiet: true })`ip -j link show type veth`;
  return (JSON.parse(out.stdout || '[]') as { ifname: string }[]).map((l) => l.ifname).filter((n) => n.includes(lab));
}

test.before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'h7-docker-lab-'));
  for (const lab of ['h7dk', 'h7da']) await cli(['destroy', lab]);
});

test.after.always(async () => {
  for (const lab of ['h7dk', 'h7da']) await cli(['destroy', lab]);
  await closeVtyClients();
  await rm(scratch, { recursive: true, force: true });
});

const killPoints: { name: string; when: (lab: string) => Promise<boolean> }[] = [
  { name: 'while containers are being created', when: async (lab) => (await containersWith('bgpdns-lab.lab', lab)).length >= 3 },
  { name: 'while daemons are starting', when: async (lab) => (readState(lab)?.processes.length ?? 0) >= 6 },
];

for (const point of killPoints) {
  test.serial(`SIGKILL ${point.name}, then destroy: no container, process, veth or directory left`, async (t) => {
    t.timeout(120_000);
    const file = await multihomedAs('h7dk');
    const run = await cli(['deploy', file, '--runtime', 'docker', '--no-converge'], () => point.when('h7dk'));
    t.is(run.signal, 'SIGKILL', `deploy ended before the kill point: ${run.stderr}`);
    const before = await leftovers('h7dk');
    t.true(before.some((l) => l.type === 'container'), `the killed deploy left containers: ${JSON.stringify(before)}`);
    const destroyed = await cli(['destroy', 'h7dk']);
    t.is(destroyed.code, 0, destroyed.stderr);
    t.deepEqual(await leftovers('h7dk'), []);
    t.deepEqual(await containersWith('containerlab', 'h7dk'), []);
    t.deepEqual(await hostVethsOf('h7dk'), []);
  });
}

test.serial('a lab deployed with --runtime docker is driven from a separate harness process by attaching', async (t) => {
  t.timeout(180_000);
  const file = await multihomedAs('h7da');
  const deployed = await cli(['deploy', file, '--runtime', 'docker']);
  t.is(deployed.code, 0, deployed.stderr);
  const summary = JSON.parse(deployed.stdout.trim().split('\n').pop()!) as { converged_s: number };
  t.log(`docker deploy: converged ${summary.converged_s} s after start`);

  const model = await loadTopology(file);
  const names = (await containersWith('containerlab', 'h7da')).map((c) => c.name).sort();
  t.deepEqual(names, model.nodes.map((n) => `clab-h7da-${n.name}`).sort());

  const lab = await attachToLab(model);
  t.is(lab.runtime.name, 'attach');
  const peers = await new FrrControl(lab.node('c1')).bgpPeers();
  t.true(peers.size >= 2);
  t.deepEqual([...peers.values()].filter((p) => p.state !== 'Established').map((p) => p.peer), []);
  t.true(lab.node('isp1').processes().some((p) => p.role === 'bgpd'));
  // Sessions are up at "converged"; the routes follow within a few update rounds.
  await waitUntil(
    () => lab.node('h1').exec(['ping', '-c', '1', '-W', '1', '198.18.16.10']),
    (r) => (r.exitCode === 0 ? true : `${r.stdout}${r.stderr}`.trim().split('\n').slice(-3).join(' | ')),
    { what: 'h1 reaches the server through c1 and isp1', timeout: 30_000, interval: 200 },
  );

  await lab.destroy();
  t.is((await containersWith('containerlab', 'h7da')).filter((c) => c.state === 'running').length, model.nodes.length, 'detaching leaves the lab running');
  const destroyed = await cli(['destroy', 'h7da']);
  t.is(destroyed.code, 0, destroyed.stderr);
  t.deepEqual(await leftovers('h7da'), []);
});

/** Every topology file in labs/<name>/. */
function labFiles(): string[] {
  const dir = path.join(ROOT, 'labs');
  return readdirSync(dir)
    .flatMap((name) => (existsSync(path.join(dir, name)) ? readdirSync(path.join(dir, name)).filter((f) => f.endsWith('.clab.yml')).map((f) => path.join(dir, name, f)) : []))
    .sort();
}

for (const file of labFiles()) {
  const short = path.basename(file, '.clab.yml');
  test.serial(`labs/${path.relative(path.join(ROOT, 'labs'), file)} deploys on Docker and leaves nothing behind`, async (t) => {
    t.timeout(180_000);
    const model = await loadTopology(file);
    model.name = `h7e-${short}`.slice(0, 40);
    await cli(['destroy', model.name]);
    const lab = await deploy(model, { runtime: runtimeNamed('docker', { runId: 'h7-every-lab' }) });
    try {
      const running = (await containersWith('containerlab', model.name)).filter((c) => c.state === 'running');
      t.is(running.length, model.nodes.length);
      t.log(`${short}: ${model.nodes.length} containers ready in ${((lab.timings?.totalMs ?? 0) / 1000).toFixed(1)} s`);
    } finally {
      await lab.destroy();
    }
    t.deepEqual(await leftovers(model.name), []);
  });
}

/** An FRR config for one end of a /31, as a containerlab user would bind it. */
function frrConf(name: string, me: string, peer: string, asn: number, peerAsn: number): string {
  return [
    'frr defaults traditional', `hostname ${name}`, '!', 'interface eth1', ` ip address ${me}/31`, 'exit', '!',
    `router bgp ${asn}`, ` bgp router-id ${me}`, ' no bgp ebgp-requires-policy', ` neighbor ${peer} remote-as ${peerAsn}`, ' timers bgp 3 12', 'exit', '',
  ].join('\n');
}

test.serial('a lab containerlab-style (only its labels, FRR under the image\'s watchfrr) is driven by attaching', async (t) => {
  t.timeout(120_000);
  const dir = path.join(scratch, 'h7c');
  const ends = [
    { name: 'r1', me: '198.18.77.0', peer: '198.18.77.1', asn: 65101, peerAsn: 65102 },
    { name: 'r2', me: '198.18.77.1', peer: '198.18.77.0', asn: 65102, peerAsn: 65101 },
  ];
  const nodes = ends.map((e) => `    ${e.name}:\n      kind: linux\n      image: quay.io/frrouting/frr:8.4.4\n      binds: [${e.name}.conf:/etc/frr/frr.conf]`);
  const file = path.join(dir, 'h7c.clab.yml');
  await mkdir(dir, { recursive: true });
  for (const e of ends) await writeFile(path.join(dir, `${e.name}.conf`), frrConf(e.name, e.me, e.peer, e.asn, e.peerAsn));
  await writeFile(file, `name: h7c\ntopology:\n  nodes:\n${nodes.join('\n')}\n  links:\n    - endpoints: ["r1:eth1", "r2:eth1"]\n`);
  const made: string[] = [];
  t.teardown(async () => {
    for (const id of made) await removeContainer(id);
  });
  const pids: Record<string, number> = {};
  for (const e of ends) {
    // What containerlab does for a linux node: the image's own entry point, its labels only.
    const c = await createAndStart({
      name: `clab-h7c-${e.name}`,
      image: 'bgpdns-lab/frr:latest',
      hostname: e.name,
      labels: { containerlab: 'h7c', 'clab-node-name': e.name, 'clab-node-kind': 'linux' },
      env: {},
      binds: [`${path.join(dir, `${e.name}.conf`)}:/etc/frr/frr.conf`],
      capAdd: ['NET_ADMIN', 'SYS_ADMIN'],
      sysctls: {},
      cmd: ['/usr/local/sbin/frr-start'],
    });
    made.push(c.id);
    pids[e.name] = c.pid;
  }
  await $`ip link add eth1 netns ${pids.r1} type veth peer name eth1 netns ${pids.r2}`;
  for (const e of ends) await $`nsenter --net=${`/proc/${pids[e.name]}/ns/net`} ip link set eth1 up`;

  const lab = await attachToLab(await loadTopology(file));
  const r1 = lab.node('r1');
  t.true(r1.processes().some((p) => p.role === 'bgpd'), `processes found: ${r1.processes().map((p) => p.role).join(', ')}`);
  const session = () => new FrrControl(r1).bgpPeers().then((m) => [...m.values()].map((p) => p.state).join());
  await waitUntil(session, (s) => (s === 'Established' ? true : s), { what: 'r1–r2 Established (FRR started by the image)', timeout: 60_000, interval: 100 });
  const cut = await new Faults(lab).linkDown('r1:eth1');
  await waitUntil(session, (s) => (s !== 'Established' ? true : s), { what: 'r1–r2 down after the cut', timeout: 10_000, interval: 20 });
  await cut.revert();
  await lab.destroy();
  t.is((await containersWith('containerlab', 'h7c')).filter((c) => c.state === 'running').length, 2, 'detaching leaves the lab to its owner');
  t.deepEqual(await leftovers('h7c'), []);
});

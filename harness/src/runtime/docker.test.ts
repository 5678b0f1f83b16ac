/**
 * The Docker runtime on a two-node lab (containers from the offline client
 * image): containerlab names and labels, veth wiring named as in the file, exec
 * semantics (exit codes, stdin, timeout), daemons by PID, the namespace path for
 * host tools, pause/unpause, and a destroy that leaves nothing. Needs an engine
 * and the images (`./bgpdns-lab test` brings both up). Lab names start with h7.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { $ } from 'zx';
import { DockerRuntime } from './docker.js';
import { containersWith, createAndStart } from './docker/containers.js';
import type { Lab, LabNode } from '../topology/model.js';

const LAB = 'h7rt';
const node = (name: string, extra: Partial<LabNode> = {}): LabNode => ({
  name, kind: 'client', binds: [], env: { ROLE: name }, exec: [], labels: { team: 'h7' }, settings: {}, ...extra,
});
const lab: Lab = {
  name: LAB,
  prefix: 'clab',
  file: '/tmp/h7rt.clab.yml',
  dir: '/tmp',
  nodes: [node('a'), node('b')],
  links: [{ a: { node: 'a', iface: 'eth1' }, b: { node: 'b', iface: 'eth7' }, mtu: 1400 }],
  warnings: [],
};
const rt = new DockerRuntime({ runId: 'h7-unit' });

test.before(async (t) => {
  t.timeout(60_000);
  await rt.destroy(LAB);
  await Promise.all(lab.nodes.map((n) => rt.createNode(lab, n)));
  await rt.wireLink(lab, lab.links[0]);
});

test.after.always(async () => {
  await rt.destroy(LAB);
});

test.serial('containers are named and labelled as containerlab does, plus lab/node/run labels', async (t) => {
  const found = await containersWith('containerlab', LAB);
  t.deepEqual(found.map((c) => c.name).sort(), ['clab-h7rt-a', 'clab-h7rt-b']);
  const a = found.find((c) => c.name === 'clab-h7rt-a')!;
  t.like(a.labels, { 'clab-node-name': 'a', 'bgpdns-lab.lab': LAB, 'bgpdns-lab.node': 'a', 'bgpdns-lab.run': 'h7-unit', team: 'h7' });
});

test.serial('only loopback and the file\'s links: no default route, no resolver outside the lab', async (t) => {
  const links = await rt.exec(lab, 'b', ['ip', '-j', 'link', 'show']);
  const names = (JSON.parse(links.stdout) as { ifname: string; mtu: number }[]).map((l) => `${l.ifname}/${l.mtu}`);
  t.deepEqual(names.sort(), ['eth7/1400', 'lo/65536']);
  const routes = await rt.exec(lab, 'b', ['ip', 'route', 'show', 'default']);
  t.is(routes.stdout.trim(), '');
  const v6 = await rt.exec(lab, 'b', ['sysctl', '-n', 'net.ipv6.conf.all.disable_ipv6']);
  t.is(v6.stdout.trim(), '0');
});

test.serial('the veth pair carries traffic between the two containers', async (t) => {
  t.is((await rt.exec(lab, 'a', ['ip', 'addr', 'add', '198.18.250.1/30', 'dev', 'eth1'])).exitCode, 0);
  t.is((await rt.exec(lab, 'b', ['ip', 'addr', 'add', '198.18.250.2/30', 'dev', 'eth7'])).exitCode, 0);
  const ping = await rt.exec(lab, 'a', ['ping', '-c', '1', '-W', '2', '198.18.250.2']);
  t.is(ping.exitCode, 0, ping.stderr);
});

test.serial('exec: stdout and stderr apart, exit code, env from the file, stdin, timeout', async (t) => {
  const r = await rt.exec(lab, 'a', ['sh', '-c', 'echo "out $ROLE $EXTRA"; echo err >&2; exit 3'], { env: { ROLE: 'a', EXTRA: 'x' } });
  t.deepEqual(r, { exitCode: 3, stdout: 'out a x\n', stderr: 'err\n' });
  t.is((await rt.exec(lab, 'a', ['cat'], { input: 'from stdin' })).stdout, 'from stdin');
  const slow = await rt.exec(lab, 'a', ['sleep', '30'], { timeoutMs: 300 });
  t.is(slow.exitCode, 124);
  t.regex(slow.stderr, /timed out after 300 ms/);
  t.not((await rt.exec(lab, 'a', ['no-such-program'])).exitCode, 0);
});

test.serial('netnsPath lets host tools (ip, nft) act inside the container', async (t) => {
  const ns = rt.netnsPath(lab, 'b');
  t.regex(ns, /^\/proc\/\d+\/ns\/net$/);
  const out = await $`nsenter --net=${ns} ip -br addr show dev eth7`;
  t.regex(out.stdout, /198\.18\.250\.2\/30/);
});

test.serial('spawn: a daemon with a host PID, output in the node directory; pause freezes it, unpause thaws it', async (t) => {
  const p = await rt.spawn(lab, 'b', ['sh', '-c', 'echo started; exec sleep 60'], { role: 'sleeper' });
  const state = () => readFileSync(`/proc/${p.pid}/stat`, 'utf8').split(') ')[1][0];
  t.true(['S', 'R'].includes(state()));
  await rt.freezeNode(lab, 'b');
  t.is((await containersWith('bgpdns-lab.node', 'b')).find((c) => c.labels['bgpdns-lab.lab'] === LAB)?.state, 'paused');
  await rt.thawNode(lab, 'b');
  // Exit watching does not keep a process alive (a harness must be able to leave daemons
  // running, as under netns); this test waits for the exit, so it holds the loop open itself.
  const keepAlive = setInterval(() => undefined, 1000);
  t.teardown(() => clearInterval(keepAlive));
  p.signal('SIGTERM');
  t.is(await p.exited, 143);
  t.is(readFileSync(`${rt.nodeDir(lab, 'b')}/sh.log`, 'utf8'), 'started\n');
});

test.serial('a second deploy of the same node name, an unknown kind or a missing image fails with one clear sentence', async (t) => {
  await t.throwsAsync(rt.createNode(lab, node('a')), {
    message: 'container clab-h7rt-a already exists (left over from an earlier deploy?); run `bgpdns-lab destroy h7rt` first',
  });
  await t.throwsAsync(rt.createNode(lab, node('c', { kind: 'frr-x' })), { message: /^unknown kind "frr-x"; known kinds: frr, client/ });
  const spec = { name: 'clab-h7rt-c', image: 'bgpdns-lab/client:no-such-tag', hostname: 'c', labels: { 'bgpdns-lab.lab': LAB }, env: {}, binds: [], capAdd: [], sysctls: {}, cmd: ['sleep', 'infinity'] };
  await t.throwsAsync(createAndStart(spec), {
    message: 'image bgpdns-lab/client:no-such-tag is not on this machine; run `./bgpdns-lab images build` (images are built offline, never pulled)',
  });
});

test.serial('destroy removes every container and the lab directory, also from a fresh runtime object', async (t) => {
  await new DockerRuntime().destroy(LAB);
  t.deepEqual(await rt.leftovers(LAB), []);
  t.deepEqual(await containersWith('bgpdns-lab.lab', LAB), []);
});

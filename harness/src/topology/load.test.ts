import test from 'ava';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadTopology } from './load.js';
import { TopologyError } from './errors.js';

let dir: string;
test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'h1-topology-'));
  await mkdir(path.join(dir, 'r1'));
  await writeFile(path.join(dir, 'r1', 'frr.conf'), 'hostname r1\nrouter bgp 65001\n no bgp ebgp-requires-policy\nexit\n');
  await writeFile(path.join(dir, 'r1', 'daemons'), 'bgpd=yes\nospfd=no\nstaticd=no\nbfdd=no\n');
  await writeFile(path.join(dir, 'isis.conf'), 'hostname r9\n!\nrouter isis 1\n net 49.0001.0000.0000.0001.00\n');
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function write(text: string): Promise<string> {
  const file = path.join(dir, `t${n++}.clab.yml`);
  await writeFile(file, text);
  return file;
}

/** Load and expect a TopologyError whose message contains every `expected` fragment. */
async function rejects(t: import('ava').ExecutionContext, text: string, ...expected: string[]): Promise<TopologyError> {
  const file = await write(text);
  const err = await t.throwsAsync(loadTopology(file), { instanceOf: TopologyError });
  for (const e of expected) t.true(err!.message.includes(e), `expected "${e}" in:\n${err!.message}`);
  t.true(err!.message.startsWith(`${file}: `), 'message starts with the file');
  return err!;
}

const twoRouters = (extra = '') => `name: h1t
topology:
  nodes:
    r1: {kind: frr, startup-config: r1/frr.conf}
    r2: {kind: client}
${extra}`;

test('file not found names the file', async (t) => {
  const err = await t.throwsAsync(loadTopology(path.join(dir, 'missing.clab.yml')), { instanceOf: TopologyError });
  t.regex(err!.message, /missing\.clab\.yml: file not found/);
});

test('YAML syntax error gives line and column', async (t) => {
  await rejects(t, 'name: h1t\ntopology:\n  nodes: [a\n', 'YAML syntax error at line');
});

test('duplicate keys are an error', async (t) => {
  await rejects(t, 'name: h1t\nname: h1u\ntopology:\n  nodes:\n    r1: {kind: client}\n', 'YAML syntax error at line 2', 'unique');
});

test('missing name', async (t) => {
  await rejects(t, 'topology:\n  nodes:\n    r1: {kind: client}\n', ': name: is required (expected a string)');
});

test('wrong type names the field, the expected and the actual type, and the line', async (t) => {
  const err = await rejects(t, 'name: h1t\ntopology:\n  nodes:\n    isp1:\n      kind: 5\n', 'topology.nodes.isp1.kind: expected a string, got number (line 5)');
  t.is(err.issues.length, 1);
});

test('nodes must be a mapping', async (t) => {
  await rejects(t, 'name: h1t\ntopology:\n  nodes: [r1, r2]\n', 'topology.nodes: expected a mapping, got array');
});

test('lab name that cannot be a namespace prefix', async (t) => {
  await rejects(t, 'name: h1.t\ntopology:\n  nodes:\n    r1: {kind: client}\n', ": name: expected a lab name of letters, digits, '-' and '_'");
});

test('node name that cannot be in a namespace name', async (t) => {
  await rejects(t, 'name: h1t\ntopology:\n  nodes:\n    "r 1": {kind: client}\n', 'topology.nodes.r 1: expected a node name');
});

test('node name too long for its daemon sockets', async (t) => {
  const long = 'r'.repeat(80);
  await rejects(t, `name: h1t\ntopology:\n  nodes:\n    ${long}: {kind: client}\n`, `topology.nodes.${long}: node name is 80 characters; with lab "h1t" at most 75 fit`);
});

test('unknown kind lists the known kinds', async (t) => {
  await rejects(t, 'name: h1t\ntopology:\n  nodes:\n    r1: {kind: nokia_srlinux}\n', 'topology.nodes.r1.kind: unknown kind "nokia_srlinux"; known kinds: frr, client');
});

test('unknown image lists the known images', async (t) => {
  await rejects(t, 'name: h1t\ntopology:\n  nodes:\n    r1: {kind: linux, image: ghcr.io/nokia/srlinux}\n', 'topology.nodes.r1.image: image "ghcr.io/nokia/srlinux" does not map to a kind; known images: frr: quay.io/frrouting/frr');
});

test('no kind and no image', async (t) => {
  await rejects(t, 'name: h1t\ntopology:\n  nodes:\n    r1: {}\n', 'topology.nodes.r1.kind: no kind and no image');
});

test('unknown group', async (t) => {
  await rejects(t, 'name: h1t\ntopology:\n  groups:\n    core: {kind: frr}\n  nodes:\n    r1: {group: edge}\n', 'topology.nodes.r1.group: unknown group "edge"; groups in this file: core');
});

test('a link MTU must be a positive integer', async (t) => {
  await rejects(t, twoRouters('  links:\n    - endpoints: ["r1:eth1", "r2:eth1"]\n      mtu: 0\n'), 'topology.links[0].mtu: expected a number > 0, got 0 (line 8)');
  await rejects(t, twoRouters('  links:\n    - endpoints: ["r1:eth1", "r2:eth1"]\n      mtu: 1.5\n'), 'topology.links[0].mtu: expected an integer, got 1.5 (line 8)');
  await rejects(t, twoRouters('  links:\n    - endpoints: ["r1:eth1", "r2:eth1"]\n      mtu: big\n'), 'topology.links[0].mtu: expected a number, got string (line 8)');
});

test('link to a node that does not exist', async (t) => {
  await rejects(t, twoRouters('  links:\n    - endpoints: ["r1:eth1", "r3:eth1"]\n'), 'topology.links[0].endpoints[1]: "r3:eth1" names node "r3", which is not in topology.nodes (nodes: r1, r2)');
});

test('link to the host is refused', async (t) => {
  await rejects(t, twoRouters('  links:\n    - endpoints: ["r1:eth1", "host:r1-eth1"]\n'), 'topology.links[0].endpoints[1]: "host:r1-eth1" would connect the lab to the host');
});

test('endpoint without an interface', async (t) => {
  await rejects(t, twoRouters('  links:\n    - endpoints: ["r1eth1", "r2:eth1"]\n'), 'topology.links[0].endpoints[0]: expected "node:interface"');
});

test('interface name longer than 15 characters', async (t) => {
  await rejects(t, twoRouters('  links:\n    - endpoints: ["r1:ethernet-1-1-long", "r2:eth1"]\n'), 'topology.links[0].endpoints[0]: interface name "ethernet-1-1-long" is 17 characters; Linux allows at most 15');
});

test('duplicate endpoint names the link that has it', async (t) => {
  await rejects(
    t,
    twoRouters('  links:\n    - endpoints: ["r1:eth1", "r2:eth1"]\n    - endpoints: ["r1:eth1", "r2:eth2"]\n'),
    'topology.links[1].endpoints[0]: endpoint "r1:eth1" is already used by topology.links[0].endpoints[0]',
  );
});

test('a link needs exactly two endpoints', async (t) => {
  await rejects(t, twoRouters('  links:\n    - endpoints: ["r1:eth1", "r2:eth1", "r2:eth2"]\n'), 'topology.links[0].endpoints: expected exactly 2 endpoints');
});

test('non-veth link types are refused', async (t) => {
  await rejects(t, twoRouters('  links:\n    - type: macvlan\n      endpoints: ["r1:eth1", "r2:eth1"]\n'), 'topology.links[0].type: link type "macvlan" is not supported');
});

test('malformed bind', async (t) => {
  await rejects(t, 'name: h1t\ntopology:\n  nodes:\n    r1:\n      kind: client\n      binds: [just-a-path]\n', 'topology.nodes.r1.binds[0]: expected a bind "host-path:container-path[:ro|rw]"');
});

test('every problem of a file is reported at once', async (t) => {
  const err = await rejects(t, 'name: h1t\ntopology:\n  nodes:\n    r1: {kind: x}\n    r2: {kind: y}\n', 'topology.nodes.r1.kind', 'topology.nodes.r2.kind');
  t.is(err.issues.length, 2);
});

test('frr startup-config that does not exist', async (t) => {
  await rejects(t, 'name: h1t\ntopology:\n  nodes:\n    r1: {kind: frr, startup-config: nope/frr.conf}\n', 'topology.nodes.r1.startup-config: file', 'nope/frr.conf not found');
});

test('frr config needing a daemon we do not run names its line', async (t) => {
  await rejects(t, 'name: h1t\ntopology:\n  nodes:\n    r9: {kind: frr, startup-config: isis.conf}\n', 'topology.nodes.r9.startup-config: isis.conf:3: "router isis 1" needs isisd');
});

test('unknown fields warn once each and the file still loads', async (t) => {
  const file = await write(`name: h1t
mgmt: {network: custom, ipv4-subnet: 198.18.100.0/24}
extra-top: 1
topology:
  nodes:
    r1: {kind: client, mgmt-ipv4: 198.18.100.2, ports: ["8080:80"]}
  links: []
`);
  const lab = await loadTopology(file);
  t.is(lab.nodes.length, 1);
  t.deepEqual(
    lab.warnings.map((w) => w.replace(`${file}: `, '')),
    [
      'extra-top: field "extra-top" is not used by bgpdns-lab; ignored (line 3)',
      'topology.nodes.r1.mgmt-ipv4: field "mgmt-ipv4" is not used by bgpdns-lab; ignored (line 6)',
      'topology.nodes.r1.ports: field "ports" is not used by bgpdns-lab; ignored (line 6)',
    ],
  );
});

test('containerlab precedence: node > group > kind > defaults; env and binds merge', async (t) => {
  const file = await write(`name: h1t
topology:
  defaults:
    kind: linux
    image: alpine:3
    env: {A: defaults, B: defaults}
    binds: [d.txt:/etc/d, shared-default.txt:/etc/shared]
    exec: [echo defaults]
  kinds:
    linux:
      env: {B: kind, C: kind}
      labels: {tier: kind}
  groups:
    edge:
      env: {C: group}
      binds: [shared-group.txt:/etc/shared]
      exec: [echo group]
  nodes:
    c1:
      group: edge
      env: {D: 4}
    c2:
      exec: [echo node]
`);
  const lab = await loadTopology(file);
  const c1 = lab.nodes.find((n) => n.name === 'c1')!;
  const c2 = lab.nodes.find((n) => n.name === 'c2')!;
  t.is(c1.kind, 'client');
  t.deepEqual(c1.env, { A: 'defaults', B: 'kind', C: 'group', D: '4' });
  t.deepEqual(c1.labels, { tier: 'kind' });
  t.deepEqual(c1.exec, ['echo group']);
  t.deepEqual(c1.binds, [`${dir}/d.txt:/etc/d`, `${dir}/shared-group.txt:/etc/shared`]);
  t.deepEqual(c2.exec, ['echo node']);
  t.deepEqual(c2.env, { A: 'defaults', B: 'kind', C: 'kind' });
});

test('a containerlab FRR lab (kind linux, FRR image, binds of daemons and frr.conf) maps to frr', async (t) => {
  const file = await write(`name: h1t
topology:
  nodes:
    r1:
      kind: linux
      image: quay.io/frrouting/frr:8.4.1
      binds:
        - r1/daemons:/etc/frr/daemons
        - r1/frr.conf:/etc/frr/frr.conf
    pc1:
      kind: linux
      image: docker.io/library/alpine:latest
      exec: ["ip addr add 198.18.1.2/24 dev eth1"]
    pc2: {image: nicolaka/netshoot}
  links:
    - endpoints: ["r1:eth1", "pc1:eth1"]
    - endpoints: [{node: r1, interface: eth2}, {node: pc2, interface: eth1}]
`);
  const lab = await loadTopology(file);
  t.deepEqual(lab.nodes.map((x) => [x.name, x.kind]), [['r1', 'frr'], ['pc1', 'client'], ['pc2', 'client']]);
  t.deepEqual(lab.links[1], { a: { node: 'r1', iface: 'eth2' }, b: { node: 'pc2', iface: 'eth1' } });
  t.is(lab.prefix, 'clab');
  t.is(lab.file, file);
});

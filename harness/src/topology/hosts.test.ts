import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadTopology } from './load.js';
import { TopologyError } from './errors.js';
import { placeOnHosts } from './hosts.js';
import { tunnelPeer } from '../faults/fault.js';

let dir: string;
test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mh2-hosts-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function load(text: string) {
  const file = path.join(dir, `t${n++}.clab.yml`);
  await writeFile(file, text);
  return loadTopology(file);
}

const lab = (hosts: string, labels = "labels: {bgpdns-lab.host: far}") => `name: mh2t
${hosts}
topology:
  groups:
    g: {}
  nodes:
    a: {kind: client, ${labels}}
    b: {kind: client}
  links:
    - endpoints: ["a:eth1", "b:eth1"]
`;

test('a hosts: section and a placement label put a node on a host; unlabelled nodes stay on the harness engine', async (t) => {
  const l = await load(lab('hosts:\n  far: {endpoint: "ssh://lab@far", underlay: 198.19.254.2}'));
  t.deepEqual(l.hosts, [{ name: 'far', endpoint: 'ssh://lab@far', underlay: '198.19.254.2' }]);
  t.is(l.nodes.find((x) => x.name === 'a')?.host, 'far');
  t.is(l.nodes.find((x) => x.name === 'b')?.host, undefined);
  t.deepEqual(tunnelPeer({ model: l } as never, 'a', 'eth1'), { node: 'b', iface: 'eth1' });
});

test('bad hosts name the field: unknown host, endpoint scheme, underlay outside the lab space', async (t) => {
  const unknown = await t.throwsAsync(load(lab('', 'labels: {bgpdns-lab.host: nowhere}')), { instanceOf: TopologyError });
  t.regex(unknown!.message, /topology\.nodes\.a\.labels\.bgpdns-lab\.host: host "nowhere" is not in the file's hosts: section \(the file has none\)/);
  const scheme = await t.throwsAsync(load(lab('hosts:\n  far: {endpoint: "http://far", underlay: 198.19.254.2}')), { instanceOf: TopologyError });
  t.regex(scheme!.message, /hosts\.far\.endpoint: "http:\/\/far" is not a Docker endpoint/);
  // An IPv6 documentation address: a lab address, but not the IPv4 underlay a host needs.
  const space = await t.throwsAsync(load(lab('hosts:\n  far: {endpoint: "tcp://far:2375", underlay: "2001:db8::2"}')), { instanceOf: TopologyError });
  t.regex(space!.message, /hosts\.far\.underlay: "2001:db8::2" is not an IPv4 address inside 198\.18\.0\.0\/15/);
  const extra = await t.throwsAsync(load(lab('hosts:\n  far: {endpoint: "tcp://far:2375", underlay: 198.19.254.2, user: lab}')), { instanceOf: TopologyError });
  t.regex(extra!.message, /hosts\.far: unknown key "user" \(line \d+\)/);
});

test('placeOnHosts: by node, by group, * for the rest; unknown host or node is an error naming it', async (t) => {
  const l = await load(lab('', 'group: g'));
  const hosts = [
    { name: 'host1', endpoint: 'unix:///x/1.sock', underlay: '198.19.254.1' },
    { name: 'host2', endpoint: 'unix:///x/2.sock', underlay: '198.19.254.2' },
  ];
  placeOnHosts(l, hosts, { g: 'host1', '*': 'host2' });
  t.deepEqual(l.nodes.map((x) => [x.name, x.host]), [['a', 'host1'], ['b', 'host2']]);
  t.is(tunnelPeer({ model: l } as never, 'b', 'eth1')?.node, 'a');
  placeOnHosts(l, hosts, { '*': 'host2' });
  t.is(tunnelPeer({ model: l } as never, 'b', 'eth1'), undefined, 'same host: a veth, not a tunnel');
  t.throws(() => placeOnHosts(l, hosts, { a: 'host9' }), { message: /placement a → host9: no host "host9" \(hosts: host1, host2\)/ });
  t.throws(() => placeOnHosts(l, hosts, { zz: 'host1' }), { message: /lab mh2t has no node or group "zz"/ });
});

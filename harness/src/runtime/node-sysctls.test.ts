/**
 * A lab's middle node routes between its two links on the netns runtime whatever the
 * host's own forwarding is: a fresh Debian machine has net.ipv4.ip_forward = 0, and a
 * new namespace copies the host's value, so a lab whose routers forward only because
 * dockerd once turned forwarding on for the host would be dark on a new machine.
 * A datagram goes a → r → b (plain Linux nodes, static routes, no FRR). Lab names
 * start with nsfwd.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitUntil } from '@bgpdns-lab/bgpdns';
import { deploy } from '../lab/deploy.js';
import { destroyLab } from '../lab/destroy.js';
import { NODE_SYSCTLS } from './node-sysctls.js';

const LAB = `nsfwd${process.pid.toString(36)}`;
let dir: string;

test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nsfwd-'));
  await destroyLab(LAB);
});

test.after.always(async () => {
  await destroyLab(LAB);
  await rm(dir, { recursive: true, force: true });
});

const RECEIVE = `
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m, from) => { process.stdout.write(m + ' from ' + from.address); process.exit(0); });
s.bind(5300, '198.18.7.2', () => process.stdout.write('bound\\n'));`;
const SEND = `
const s = require('node:dgram').createSocket('udp4');
s.send('through r', 5300, '198.18.7.2', (e) => { if (e) { console.error(e.message); process.exit(1); } s.close(); });`;

test('the middle node routes a → b with the host forwarding or not, and every node has the node sysctls', async (t) => {
  t.log(`host net.ipv4.ip_forward = ${readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim()}`);
  const file = path.join(dir, `${LAB}.clab.yml`);
  await writeFile(
    file,
    `name: ${LAB}
topology:
  nodes:
    a: {kind: linux, image: alpine:3.20, exec: ["ip addr add 198.18.6.2/24 dev eth1", "ip route add 198.18.7.0/24 via 198.18.6.1"]}
    r: {kind: linux, image: alpine:3.20, exec: ["ip addr add 198.18.6.1/24 dev eth1", "ip addr add 198.18.7.1/24 dev eth2"]}
    b: {kind: linux, image: alpine:3.20, exec: ["ip addr add 198.18.7.2/24 dev eth1", "ip route add 198.18.6.0/24 via 198.18.7.1"]}
  links:
    - endpoints: ["a:eth1", "r:eth1"]
    - endpoints: ["r:eth2", "b:eth1"]
`,
  );
  const lab = await deploy(file);
  try {
    for (const node of ['a', 'r', 'b']) {
      for (const [key, value] of Object.entries(NODE_SYSCTLS)) {
        const out = await lab.node(node).exec(['sysctl', '-n', key]);
        t.is(out.stdout.trim(), value, `${node}: ${key}`);
      }
    }
    const receiver = lab.node('b').exec([process.execPath, '-e', RECEIVE], { timeoutMs: 20_000 });
    let received: Awaited<typeof receiver> | undefined;
    void receiver.then((out) => (received = out));
    // A datagram sent before b's socket is bound is lost: send one per try until b has one.
    const { value: out } = await waitUntil(
      async () => {
        await lab.node('a').exec([process.execPath, '-e', SEND]);
        return received;
      },
      (o) => o !== undefined,
      { what: 'b receives the datagram a sent through r', timeout: 15_000, interval: 200 },
    );
    t.is(out!.exitCode, 0, out!.stderr);
    t.regex(out!.stdout, /through r from 198\.18\.6\.2$/);
  } finally {
    await lab.destroy();
  }
});

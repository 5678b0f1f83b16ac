import test from 'ava';
import net from 'node:net';
import { once } from 'node:events';
import { BgpSpeaker } from './tcp.js';
import { SessionState, type Session, type Negotiated } from './session.js';
import { Framer } from './framer.js';
import { decodeNotification } from './notification.js';
import { Afi } from './types.js';
import { parsePrefix } from './nlri.js';

function established(s: Session): Promise<Negotiated> {
  if (s.negotiated && s.state === SessionState.Established) return Promise.resolve(s.negotiated);
  return once(s, 'established').then(([n]) => n as Negotiated);
}

for (const [family, host] of [['IPv4', '127.0.0.1'], ['IPv6', '::1']] as const) {
  test.serial(`${family} loopback: active speaker dials a listener, table and End-of-RIB arrive`, async (t) => {
    const listener = new BgpSpeaker();
    const passive = listener.addPeer({ address: host, localAs: 64500, peerAs: 4200000001, routerId: '198.18.0.1', mode: 'passive', holdTime: 9 });
    const { port } = await listener.listen(0, host);
    const dialler = new BgpSpeaker();
    const active = dialler.addPeer({ address: host, port, localAddress: host, localAs: 4200000001, peerAs: 64500, routerId: '198.18.0.2', mode: 'active', connectRetryTime: 1 });
    t.teardown(async () => {
      await dialler.close();
      await listener.close();
    });
    const [a, p] = await Promise.all([established(active), established(passive)]);
    t.false(a.inbound);
    t.true(p.inbound);
    t.true(p.fourOctetAs);
    const eor = once(passive, 'endOfRib');
    const update = once(passive, 'update');
    active.sendUpdate({ attrs: { origin: 0, asPath: [{ type: 2, asns: [4200000001] }], nextHop: '198.18.1.1' }, nlri: [parsePrefix('198.18.0.0/24')] });
    active.sendEndOfRib(Afi.IPv4);
    const [u] = await update;
    t.is((u as { announcedCount: number }).announcedCount, 1);
    t.deepEqual(await eor, [Afi.IPv4]);
  });
}

test.serial('a connection from an address that is not a configured peer gets Cease/Connection Rejected (6/5) and is closed', async (t) => {
  const rejected: string[] = [];
  const speaker = new BgpSpeaker({ onRejected: (r) => rejected.push(r) });
  speaker.addPeer({ address: '::1', localAs: 64500, peerAs: 64501, routerId: '198.18.0.1', mode: 'passive' });
  const bound = await speaker.listen(0, '127.0.0.1');
  t.teardown(() => speaker.close());
  const sock = net.connect({ host: '127.0.0.1', port: bound.port });
  const framer = new Framer();
  sock.on('data', (c) => framer.push(c));
  await once(sock, 'close');
  const msg = framer.next();
  t.truthy(msg);
  t.like(decodeNotification(msg!), { code: 6, subcode: 5 });
  t.deepEqual(rejected, ['127.0.0.1']);
});

test('peer addresses are validated', (t) => {
  const s = new BgpSpeaker();
  t.throws(() => s.addPeer({ address: 'router1', localAs: 64500, peerAs: 64501, routerId: '198.18.0.1', mode: 'passive' }), { message: /not an IP address/ });
  s.addPeer({ address: '198.18.0.2', localAs: 64500, peerAs: 64501, routerId: '198.18.0.1', mode: 'passive' });
  t.throws(() => s.addPeer({ address: '::ffff:198.18.0.2', localAs: 64500, peerAs: 64501, routerId: '198.18.0.1', mode: 'passive' }), { message: /configured twice/ });
  s.close();
});

test.serial('active: dialling a port nobody listens on is retried until the listener appears', async (t) => {
  // Find a free port, then leave it closed for the first attempts.
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  const dialler = new BgpSpeaker();
  const active = dialler.addPeer({ address: '127.0.0.1', port, localAs: 64501, peerAs: 64500, routerId: '198.18.0.2', mode: 'active', connectRetryTime: 1 });
  const states: string[] = [];
  active.on('state', (to) => states.push(to));
  t.teardown(() => dialler.close());
  // Wait for a refused attempt and a re-dial (Connect → Active → Connect) before the listener appears.
  while (states.filter((s) => s === SessionState.Connect).length < 2) await once(active, 'state');
  t.true(states.includes(SessionState.Active), `states so far: ${states.join(' ')}`);
  const listener = new BgpSpeaker();
  const passive = listener.addPeer({ address: '127.0.0.1', localAs: 64500, peerAs: 64501, routerId: '198.18.0.1', mode: 'passive' });
  await listener.listen(port, '127.0.0.1');
  t.teardown(() => listener.close());
  const [a] = await Promise.all([established(active), established(passive)]);
  t.false(a.inbound);
});

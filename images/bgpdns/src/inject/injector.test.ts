import test from 'ava';
import { BgpSpeaker } from '../bgp/tcp.js';
import { Afi } from '../bgp/types.js';
import { syntheticTable } from './synthetic.js';
import { Injector } from './injector.js';

test.serial('the injector sends a synthetic table and End-of-RIB per family to a listening speaker (loopback)', async (t) => {
  const listener = new BgpSpeaker();
  const session = listener.addPeer({ address: '127.0.0.1', localAs: 64500, peerAs: 4200000001, routerId: '198.18.0.1', mode: 'passive' });
  const { port } = await listener.listen(0, '127.0.0.1');
  t.teardown(() => listener.close());
  let v4 = 0;
  let v6 = 0;
  let firstPath: number[] | undefined;
  const nextHops = new Set<string>();
  session.on('update', (u) => {
    firstPath ??= u.attrs.asPath.flatMap((s) => s.asns);
    if (u.attrs.nextHop) nextHops.add(u.attrs.nextHop);
    u.forEachAnnounced((afi) => (afi === Afi.IPv4 ? v4++ : v6++));
  });
  const eors: Afi[] = [];
  session.on('endOfRib', (afi) => eors.push(afi));
  const events: Record<string, unknown>[] = [];
  const injector = new Injector({
    peer: '127.0.0.1', port, localAs: 4200000001, peerAs: 64500, routerId: '198.18.0.2',
    table: syntheticTable({ ipv4: 20_000, ipv6: 5_000, seed: 3 }), exitAfterEor: true, log: (e) => events.push(e),
  });
  const result = await injector.run();
  t.is(result?.prefixes, 25_000);
  await new Promise<void>((resolve) => (eors.length === 2 ? resolve() : session.on('endOfRib', () => eors.length === 2 && resolve())));
  t.is(v4, 20_000);
  t.is(v6, 5_000);
  t.deepEqual(eors, [Afi.IPv4, Afi.IPv6]);
  t.is(firstPath?.[0], 4200000001, 'our AS is prepended');
  t.deepEqual([...nextHops].sort(), ['127.0.0.1', '::ffff:127.0.0.1']);
  t.deepEqual(events.map((e) => e.event), ['established', 'eor', 'down']);
});

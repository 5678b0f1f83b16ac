import test from 'ava';
import { BgpSpeaker } from '../bgp/tcp.js';
import { Afi } from '../bgp/types.js';
import { CeaseSubcode, ErrorCode } from '../bgp/notification-codes.js';
import { RouteRefreshSubtype } from '../bgp/route-refresh.js';
import { syntheticTable } from './synthetic.js';
import { Injector, nextHopsFor } from './injector.js';

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
  // Both ends are 127.0.0.1 here, and a receiver refuses its own address as next hop (RFC 4271 §6.3):
  // the IPv4 next hop is given; the IPv6 one keeps its default (the local address, IPv4-mapped).
  const table = syntheticTable({ ipv4: 20_000, ipv6: 5_000, seed: 3 });
  t.deepEqual(nextHopsFor({}, '198.18.0.5', table), { nextHop4: '198.18.0.5', nextHop6: '::ffff:198.18.0.5' }, 'by default the local address');
  const injector = new Injector({
    peer: '127.0.0.1', port, localAs: 4200000001, peerAs: 64500, routerId: '198.18.0.2', nextHop4: '198.18.0.2',
    table, exitAfterEor: true, log: (e) => events.push(e),
  });
  const result = await injector.run();
  t.is(result?.prefixes, 25_000);
  await new Promise<void>((resolve) => (eors.length === 2 ? resolve() : session.on('endOfRib', () => eors.length === 2 && resolve())));
  t.is(v4, 20_000);
  t.is(v6, 5_000);
  t.deepEqual(eors, [Afi.IPv4, Afi.IPv6]);
  t.is(firstPath?.[0], 4200000001, 'our AS is prepended');
  t.deepEqual([...nextHops].sort(), ['198.18.0.2', '::ffff:127.0.0.1']);
  t.deepEqual(events.map((e) => e.event), ['established', 'eor', 'down']);
});

test.serial('after a reset the injector reconnects and sends the table again; a route refresh re-sends one family between BoRR and EoRR', async (t) => {
  const listener = new BgpSpeaker();
  const session = listener.addPeer({ address: '127.0.0.1', localAs: 64500, peerAs: 4200000001, routerId: '198.18.0.1', mode: 'passive', idleHoldTime: 0 });
  const { port } = await listener.listen(0, '127.0.0.1');
  const counts = { v4: 0, v6: 0 };
  session.on('update', (u) => u.forEachAnnounced((afi) => (afi === Afi.IPv4 ? counts.v4++ : counts.v6++)));
  const eors: Afi[] = [];
  session.on('endOfRib', (afi) => eors.push(afi));
  const refreshes: number[] = [];
  session.on('routeRefresh', (m) => refreshes.push(m.subtype));
  const until = (what: string, ok: () => boolean): Promise<void> => new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      if (ok()) resolve();
      else if (Date.now() - started > 20_000) reject(new Error(`timed out waiting for ${what}: ${JSON.stringify({ counts, eors, refreshes })}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
  const events: Record<string, unknown>[] = [];
  const injector = new Injector({
    peer: '127.0.0.1', port, localAs: 4200000001, peerAs: 64500, routerId: '198.18.0.2', nextHop4: '198.18.0.2',
    table: syntheticTable({ ipv4: 3_000, ipv6: 1_000, seed: 4 }), log: (e) => events.push(e),
  });
  const done = injector.run();
  t.teardown(async () => {
    injector.stop();
    await done;
    await listener.close();
  });
  await until('the first table', () => eors.length === 2);
  t.deepEqual(counts, { v4: 3_000, v6: 1_000 });

  session.reset(ErrorCode.Cease, CeaseSubcode.AdministrativeReset, 'test reset');
  await until('the table again after the reset', () => eors.length === 4);
  t.deepEqual(counts, { v4: 6_000, v6: 2_000 });

  session.requestRouteRefresh(Afi.IPv6);
  await until('the IPv6 re-send', () => refreshes.length === 2);
  t.deepEqual(refreshes, [RouteRefreshSubtype.BeginningOfRouteRefresh, RouteRefreshSubtype.EndOfRouteRefresh]);
  t.deepEqual(counts, { v4: 6_000, v6: 3_000 });
  t.deepEqual(events.map((e) => e.event), ['established', 'eor', 'down', 'established', 'eor', 'routeRefresh']);
});

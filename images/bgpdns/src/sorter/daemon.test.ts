/**
 * The daemon end to end on loopback: real BGP sessions from an active speaker
 * (the bgp/ library) into the listen-only sorter, then authenticated queries.
 * Peers are 127.0.0.1 and ::1 (the only loopback addresses labs may use).
 */
import test from 'ava';
import { once } from 'node:events';
import { BgpSpeaker, CeaseSubcode, ErrorCode, type NotificationMessage, type PeerConfig, RouteRefreshSubtype, type Session } from '../bgp/index.js';
import { Afi } from '../bgp/types.js';
import { path, prefix } from '../../testing/rib/test-helpers.js';
import { SorterClient } from './client.js';
import { parseSorterConfig } from './config.js';
import { SorterDaemon } from './daemon.js';
import type { Logger } from './log.js';
import { waitUntil } from '../support/wait-until.js';
import { TOP_PREFERENCE } from './sorter.js';

const SECRET = '5a'.repeat(32);
const quiet: Logger = { log: () => undefined };

/** Polls check() every 10 ms, for 5 s at most. */
const waitFor = (what: string, check: () => boolean, timeout = 5000) => waitUntil(check, (ok) => ok, { what, timeout, interval: 10 });

async function startDaemon(peers: object[]) {
  const config = parseSorterConfig(
    JSON.stringify({
      localAsn: 64500,
      routerId: '198.18.0.10',
      bgp: { address: '::', port: 0 },
      peers,
      query: { address: '127.0.0.1', port: 0, keys: [{ id: 1, secret: SECRET }] },
      status: '127.0.0.1:0',
    }),
    'sorter.json',
  );
  const daemon = new SorterDaemon(config, quiet);
  await daemon.start();
  return daemon;
}

function upstream(address: string, asn: number, port: number, routerId: string, over: Partial<PeerConfig> = {}): { speaker: BgpSpeaker; session: Session } {
  const speaker = new BgpSpeaker();
  const session = speaker.addPeer({ address, port, localAs: asn, peerAs: 64500, routerId, mode: 'active', holdTime: 9, connectRetryTime: 1, ...over });
  return { speaker, session };
}

/** A daemon with one configured peer on 127.0.0.1 and that upstream dialling it; both stopped at the end. */
async function onePeer(t: import('ava').ExecutionContext, peer: object, over: Partial<PeerConfig> = {}) {
  const daemon = await startDaemon([{ address: '127.0.0.1', asn: 64501, fastFailover: false, ...peer }]);
  const isp = upstream('127.0.0.1', 64501, daemon.bound.bgp!.port, '198.18.255.1', over);
  t.teardown(async () => {
    await isp.speaker.close();
    await daemon.stop();
  });
  return { daemon, isp };
}

test.serial('the status reports GC pauses in the event-loop window, and a reset starts a new window', async (t) => {
  const daemon = await startDaemon([]);
  t.teardown(() => daemon.stop());
  const url = `http://127.0.0.1:${daemon.bound.status!.port}/status`;
  await fetch(`${url}?reset-loop-delay`);
  // Young-generation garbage until a scavenge has been seen (perf_hooks reports it after the pause).
  let keep: unknown[] = [];
  await waitUntil(async () => {
    for (let i = 0; i < 20_000; i++) keep = [{ i, s: `x${i}` }, keep.length];
    return ((await (await fetch(url)).json()) as any).eventLoop.gcPauses as number;
  }, (n) => n > 0, { what: 'a GC pause in the status', timeout: 5000, interval: 10 });
  const before = ((await (await fetch(`${url}?reset-loop-delay`)).json()) as any).eventLoop;
  t.true(before.gcMaxMs > 0 && before.gcTotalMs >= before.gcMaxMs, JSON.stringify(before));
  t.true(before.maxMs >= 0 && before.samples >= 0);
  const after = ((await (await fetch(url)).json()) as any).eventLoop;
  t.true(after.gcPauses < before.gcPauses || after.gcPauses === 0, `a new window: ${JSON.stringify(after)}`);
});

test.serial('two upstreams feed the sorter; queries rank; status and metrics report it; shutdown sends Cease', async (t) => {
  const daemon = await startDaemon([
    { address: '127.0.0.1', asn: 64501, name: 'isp1', fastFailover: false },
    { address: '::1', asn: 4200000001, name: 'isp2', fastFailover: false },
  ]);
  const port = daemon.bound.bgp!.port;
  const isp1 = upstream('127.0.0.1', 64501, port, '198.18.255.1');
  const isp2 = upstream('::1', 4200000001, port, '198.18.255.2');
  const client = await SorterClient.open({ host: '127.0.0.1', port: daemon.bound.query!.port, keyId: 1, key: Buffer.from(SECRET, 'hex'), timeoutMs: 1000 });
  let stopped = false;
  t.teardown(async () => {
    client.close();
    if (!stopped) await daemon.stop();
    await isp1.speaker.close();
    await isp2.speaker.close();
  });
  const eor: Afi[] = [];
  isp1.session.on('endOfRib', (afi) => eor.push(afi));
  await Promise.all([once(isp1.session, 'established'), once(isp2.session, 'established')]);
  await waitFor('End-of-RIB from the sorter for both families', () => eor.length === 2);
  t.deepEqual(eor.sort(), [Afi.IPv4, Afi.IPv6]);

  isp1.session.sendUpdate({ attrs: path([64501], { nextHop: '198.18.1.1' }), nlri: [prefix('198.18.101.0/24')] });
  isp1.session.sendUpdate({ attrs: path([64501, 64510], { nextHop: '198.18.1.1' }), nlri: [prefix('198.18.64.0/20')] });
  isp2.session.sendUpdate({ attrs: path([4200000001], { nextHop: '2001:db8::2' }), mpReach: { afi: Afi.IPv6, prefixes: [prefix('2001:db8:102::/48')] } });
  isp2.session.sendUpdate({ attrs: path([4200000001, 64520, 64510], { nextHop: '198.18.2.1' }), nlri: [prefix('198.18.64.0/20')] });
  isp1.session.sendEndOfRib(Afi.IPv4);
  await waitFor('routes in the sorter RIB', () => daemon.rib.v4.paths === 3 && daemon.rib.v6.paths === 1);
  await waitFor('End-of-RIB recorded', () => daemon.peers[0].endOfRibAt.ipv4 !== undefined);

  const answer = await client.rank({ client: '198.18.64.7', candidates: ['2001:db8:102::10', '198.18.101.10'] });
  t.is(answer.status, 'ranked');
  t.is(answer.neighborAs, 64501);
  t.is(answer.matchedPrefix, '198.18.64.0/20');
  t.deepEqual(answer.preferences, [TOP_PREFERENCE - 1, TOP_PREFERENCE]);

  const status = (await (await fetch(`http://127.0.0.1:${daemon.bound.status!.port}/status`)).json()) as any;
  t.is(status.peers[0].state, 'Established');
  t.deepEqual(status.peers[1].prefixes, { ipv4: 1, ipv6: 1 });
  t.is(status.statistics.answered, 1);
  t.deepEqual(status.statistics.hitsPerNeighborAs, { 64501: 1 });
  const metrics = await (await fetch(`http://127.0.0.1:${daemon.bound.status!.port}/metrics`)).text();
  t.regex(metrics, /bgpdns_sorter_queries_answered_total\{status="ranked"\} 1/);
  t.regex(metrics, /bgpdns_sorter_peer_established\{peer="isp2",asn="4200000001"\} 1/);
  const routes = (await (await fetch(`http://127.0.0.1:${daemon.bound.status!.port}/routes/ipv4`)).text()).trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(
    routes.map((r) => [r.prefix, r.neighborAs, r.nextHop]),
    [
      ['198.18.64.0/20', 64501, '198.18.1.1'],
      ['198.18.101.0/24', 64501, '198.18.1.1'],
    ],
  );

  // A session going away takes its routes with it at once.
  const down = once(daemon.peers[0].session, 'down');
  isp1.session.stop();
  await down;
  t.is(daemon.rib.prefixCount[daemon.peers[0].ribId], 0);
  const after = await client.rank({ client: '198.18.64.7', candidates: ['2001:db8:102::10', '198.18.101.10'] });
  t.is(after.neighborAs, 4200000001);
  t.deepEqual(after.preferences, [TOP_PREFERENCE, 0]);

  // SIGTERM path: every remaining peer gets Cease / Administrative Shutdown.
  const notified = once(isp2.session, 'notificationReceived') as Promise<[NotificationMessage]>;
  await daemon.stop();
  stopped = true;
  const [n] = await notified;
  t.deepEqual([n.code, n.subcode], [ErrorCode.Cease, CeaseSubcode.AdministrativeShutdown]);
});

test.serial('max-prefix ends the session with Cease / Maximum Number of Prefixes Reached', async (t) => {
  // This upstream redials 0.2 s after the reset (its own hold), well inside the sorter's.
  const { daemon, isp } = await onePeer(t, { maxPrefix: 2 }, { idleHoldTime: 0.1, idleHoldMaxTime: 0.2, connectRetryTime: 0.2 });
  await once(isp.session, 'established');
  const notified = once(isp.session, 'notificationReceived') as Promise<[NotificationMessage]>;
  isp.session.sendUpdate({ attrs: path([64501], { nextHop: '198.18.1.1' }), nlri: ['198.18.1.0/24', '198.18.2.0/24', '198.18.3.0/24'].map(prefix) });
  const [n] = await notified;
  t.deepEqual([n.code, n.subcode], [ErrorCode.Cease, CeaseSubcode.MaximumPrefixes]);
  t.deepEqual([...n.data], [0, 1, 1, 0, 0, 0, 2]);
  await waitFor('routes removed', () => daemon.rib.v4.paths === 0);
  // The peer redials every second; it is refused (Cease/Connection Rejected) until the 2 s idle hold ends.
  const [again] = (await once(isp.session, 'notificationReceived')) as [NotificationMessage];
  t.deepEqual([again.code, again.subcode], [ErrorCode.Cease, CeaseSubcode.ConnectionRejected]);
  const status = (await (await fetch(`http://127.0.0.1:${daemon.bound.status!.port}/status`)).json()) as any;
  t.like(status.peers[0].idleHold, { seconds: 2, consecutiveErrors: 1 });
  t.true(status.peers[0].idleHold.refused >= 1);
  const metrics = await (await fetch(`http://127.0.0.1:${daemon.bound.status!.port}/metrics`)).text();
  t.regex(metrics, /bgpdns_sorter_peer_idle_hold_seconds\{peer="[^"]*",asn="64501"\} 2/);
  t.regex(metrics, /bgpdns_sorter_peer_consecutive_errors\{peer="[^"]*",asn="64501"\} 1/);
  t.regex(metrics, /bgpdns_sorter_peer_idle_hold_remaining_seconds/);
  // After the hold it comes back, and the same oversized table ends it again: 4 s now.
  await once(isp.session, 'established');
  const second = once(isp.session, 'notificationReceived') as Promise<[NotificationMessage]>;
  isp.session.sendUpdate({ attrs: path([64501], { nextHop: '198.18.1.1' }), nlri: ['198.18.1.0/24', '198.18.2.0/24', '198.18.3.0/24'].map(prefix) });
  t.is((await second)[0].subcode, CeaseSubcode.MaximumPrefixes);
  t.like(daemon.peers[0].session.idleHoldStatus(), { seconds: 4, consecutiveErrors: 2 });
});

test.serial('an attribute overrunning the field before MP_REACH_NLRI resets the session (RFC 7606 §5): no IPv6 path survives', async (t) => {
  const { daemon, isp } = await onePeer(t, {});
  await once(isp.session, 'established');
  isp.session.sendUpdate({ attrs: path([64501], { nextHop: '2001:db8::1' }), mpReach: { afi: Afi.IPv6, prefixes: [prefix('2001:db8:1::/48')] } });
  await waitFor('the IPv6 path', () => daemon.rib.v6.paths === 1);
  // Withdraws 2001:db8:1::/48 in an MP_UNREACH_NLRI that follows a COMMUNITIES attribute claiming 40 octets.
  const unreach = [0x80, 15, 10, 0, 2, 1, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1];
  const attrs = [0x40, 1, 1, 0, 0xc0, 8, 40, 0, 0, 0, 1, ...unreach];
  const body = [0, 0, 0, attrs.length, ...attrs];
  const msg = Uint8Array.from([...new Array(16).fill(0xff), 0, 19 + body.length, 2, ...body]);
  const notified = once(isp.session, 'notificationReceived') as Promise<[NotificationMessage]>;
  isp.session.sendUpdateBytes(msg);
  const [n] = await notified;
  t.deepEqual([n.code, n.subcode], [ErrorCode.UpdateMessage, 5]);
  await waitFor('the peer\'s paths removed', () => daemon.rib.v6.paths === 0 && daemon.rib.v4.paths === 0);
  t.is(daemon.rib.prefixCountV6[daemon.peers[0].ribId], 0);
});

test.serial('enhanced route refresh (RFC 7313): what the peer does not re-send between BoRR and EoRR is removed; our answer to a request is BoRR then EoRR', async (t) => {
  const { daemon, isp } = await onePeer(t, {});
  const [info] = (await once(isp.session, 'established')) as [{ enhancedRouteRefresh: boolean }];
  t.true(info.enhancedRouteRefresh, 'the sorter advertises enhanced route refresh');
  isp.session.sendUpdate({ attrs: path([64501], { nextHop: '198.18.1.1' }), nlri: ['198.18.1.0/24', '198.18.2.0/24', '198.18.3.0/24'].map(prefix) });
  await waitFor('three paths', () => daemon.rib.v4.paths === 3);
  isp.session.sendRouteRefresh(Afi.IPv4, RouteRefreshSubtype.BeginningOfRouteRefresh);
  isp.session.sendUpdate({ attrs: path([64501], { nextHop: '198.18.1.1' }), nlri: [prefix('198.18.2.0/24')] });
  isp.session.sendRouteRefresh(Afi.IPv4, RouteRefreshSubtype.EndOfRouteRefresh);
  await waitFor('only the re-sent path left', () => daemon.rib.v4.paths === 1);
  t.deepEqual([...daemon.rib.bestRoutes(Afi.IPv4)].map((r) => r.prefix), ['198.18.2.0/24']);
  const got: number[] = [];
  isp.session.on('routeRefresh', (m) => got.push(m.subtype));
  isp.session.requestRouteRefresh(Afi.IPv4);
  await waitFor('BoRR and EoRR from the sorter', () => got.length === 2);
  t.deepEqual(got, [RouteRefreshSubtype.BeginningOfRouteRefresh, RouteRefreshSubtype.EndOfRouteRefresh]);
});

test.serial('a connection from an address that is not a configured peer is rejected', async (t) => {
  const daemon = await startDaemon([{ address: '::1', asn: 64501, fastFailover: false }]);
  const stranger = upstream('127.0.0.1', 64509, daemon.bound.bgp!.port, '198.18.255.9');
  t.teardown(async () => {
    await stranger.speaker.close();
    await daemon.stop();
  });
  const [n] = (await once(stranger.session, 'notificationReceived')) as [NotificationMessage];
  t.deepEqual([n.code, n.subcode], [ErrorCode.Cease, CeaseSubcode.ConnectionRejected]);
  await waitFor('rejection counted', () => daemon.rejectedConnections >= 1);
  t.is(daemon.rib.v4.paths, 0);
});

test.serial('once a table has arrived the daemon compacts its RIB by itself, and answers stay the same', async (t) => {
  const daemon = await startDaemon([{ address: '127.0.0.1', asn: 64501, name: 'isp1', fastFailover: false }]);
  const isp1 = upstream('127.0.0.1', 64501, daemon.bound.bgp!.port, '198.18.255.1');
  const client = await SorterClient.open({ host: '127.0.0.1', port: daemon.bound.query!.port, keyId: 1, key: Buffer.from(SECRET, 'hex'), timeoutMs: 1000 });
  t.teardown(async () => {
    client.close();
    await daemon.stop();
    await isp1.speaker.close();
  });
  await once(isp1.session, 'established');
  isp1.session.sendUpdate({ attrs: path([64501], { nextHop: '198.18.1.1' }), nlri: [prefix('198.18.101.0/24')] });
  // 12,000 host routes (above the 10,000-slot threshold), 100 per UPDATE.
  for (let u = 0; u < 120; u++) {
    const nlri = Array.from({ length: 100 }, (_, i) => prefix(`198.18.${(u * 100 + i) >> 8}.${(u * 100 + i) & 255}/32`));
    isp1.session.sendUpdate({ attrs: path([64501, 64510 + (u % 7)], { nextHop: '198.18.1.1' }), nlri });
  }
  await waitFor('the table in the RIB', () => daemon.rib.v4.paths === 12_001);
  const before = await client.rank({ client: '198.18.3.7', candidates: ['198.18.101.10', '198.18.101.11'] });
  await waitFor('a compaction', () => daemon.rib.compactions === 1, 10_000);
  const status = (await (await fetch(`http://127.0.0.1:${daemon.bound.status!.port}/status`)).json()) as any;
  t.is(status.rib.compactions, 1);
  t.true(status.rib.lastCompactionMs >= 0);
  t.is(daemon.rib.v4.churnSinceCompact, 0);
  const after = await client.rank({ client: '198.18.3.7', candidates: ['198.18.101.10', '198.18.101.11'] });
  t.is(after.matchedPrefix, '198.18.3.7/32');
  t.deepEqual({ ...after, generation: 0 }, { ...before, generation: 0 });
});

test.serial('End-of-RIB of the last table arriving starts the compaction at once, not at the next quiet check', async (t) => {
  const daemon = await startDaemon([{ address: '127.0.0.1', asn: 64501, name: 'isp1', fastFailover: false }]);
  const isp1 = upstream('127.0.0.1', 64501, daemon.bound.bgp!.port, '198.18.255.1');
  t.teardown(async () => {
    await daemon.stop();
    await isp1.speaker.close();
  });
  await once(isp1.session, 'established');
  for (let u = 0; u < 120; u++) {
    const nlri = Array.from({ length: 100 }, (_, i) => prefix(`198.18.${(u * 100 + i) >> 8}.${(u * 100 + i) & 255}/32`));
    isp1.session.sendUpdate({ attrs: path([64501, 64510 + (u % 7)], { nextHop: '198.18.1.1' }), nlri });
  }
  // Seen right after the daemon's own End-of-RIB handler (listeners run in order of registration).
  const seen: string[] = [];
  daemon.peers[0].session.on('endOfRib', (afi) => seen.push(`${afi}: ${daemon.rib.v4.compacting || daemon.rib.compactions > 0 ? 'compacting' : 'not yet'}`));
  isp1.session.sendEndOfRib(Afi.IPv4);
  isp1.session.sendEndOfRib(Afi.IPv6);
  await waitFor('both End-of-RIBs', () => seen.length === 2);
  t.deepEqual(seen, ['1: not yet', '2: compacting'], 'the table is complete only with the last family');
  await waitFor('the compaction', () => daemon.rib.compactions === 1);
});

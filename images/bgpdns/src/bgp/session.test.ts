import test from 'ava';
import { FakeClock } from './clock.js';
import { Session, SessionState, type SessionConfig, type DownInfo } from './session.js';
import { RecordingTransport, pipeSessions } from '../../testing/bgp/memory-transport.js';
import { encodeOpen, type OpenMessage } from './open.js';
import { CapabilityCode } from './capability-codes.js';
import { Afi, Safi } from './types.js';
import { encodeKeepalive } from './message.js';
import { encodeEndOfRib, encodeUpdate } from './update.js';
import { encodeNotification, decodeNotification } from './notification.js';
import { MessageType } from './message-types.js';
import { parsePrefix, prefixToString } from './nlri.js';
import { concat, rawMessage, rawUpdate, ORIGIN_IGP, NEXT_HOP, NLRI_24 } from '../../testing/bgp/test-support.js';
import type { DecodedUpdate } from './update.js';

const local: SessionConfig = { localAs: 64500, peerAs: 4200000001, routerId: '198.18.0.1', mode: 'passive', holdTime: 9 };

function peerOpen(over: Partial<OpenMessage> = {}): Uint8Array {
  return encodeOpen({
    version: 4, myAs: 23456, holdTime: 30, bgpId: '198.18.0.2',
    capabilities: [
      { code: CapabilityCode.Multiprotocol, afi: Afi.IPv4, safi: Safi.Unicast },
      { code: CapabilityCode.Multiprotocol, afi: Afi.IPv6, safi: Safi.Unicast },
      { code: CapabilityCode.FourOctetAs, asn: 4200000001 },
      { code: CapabilityCode.RouteRefresh },
    ],
    ...over,
  });
}

/** A passive session with one recorded inbound connection. */
function setup(config: Partial<SessionConfig> = {}) {
  const clock = new FakeClock();
  const session = new Session({ ...local, ...config }, { clock });
  const downs: DownInfo[] = [];
  const updates: DecodedUpdate[] = [];
  const eors: Afi[] = [];
  session.on('down', (d) => downs.push(d));
  session.on('update', (u) => updates.push(u));
  session.on('endOfRib', (a) => eors.push(a));
  session.start();
  const wire = new RecordingTransport();
  const conn = session.attach(wire, true);
  const sentNotification = () => {
    const m = wire.sent.find((b) => b[18] === MessageType.Notification);
    return m && decodeNotification(m);
  };
  const establish = () => {
    conn.onBytes(peerOpen());
    conn.onBytes(encodeKeepalive());
  };
  return { clock, session, wire, conn, downs, updates, eors, sentNotification, establish };
}

test('passive: OPEN → OpenConfirm → KEEPALIVE → Established with negotiated hold and families', (t) => {
  const s = setup();
  t.is(s.session.state, SessionState.OpenSent);
  t.deepEqual(s.wire.types(), [MessageType.Open]);
  s.conn.onBytes(peerOpen());
  t.is(s.session.state, SessionState.OpenConfirm);
  t.deepEqual(s.wire.types(), [MessageType.Open, MessageType.Keepalive]);
  s.conn.onBytes(encodeKeepalive());
  t.is(s.session.state, SessionState.Established);
  const n = s.session.negotiated!;
  t.is(n.holdTime, 9);
  t.is(n.keepaliveTime, 3);
  t.true(n.fourOctetAs);
  t.false(n.extendedMessage);
  t.true(n.ebgp);
  t.deepEqual(n.families, [Afi.IPv4, Afi.IPv6]);
});

test('our OPEN offers MP IPv4/IPv6, route refresh, enhanced route refresh, 4-octet AS, extended message and End-of-RIB (GR without families)', (t) => {
  const clock = new FakeClock();
  const s = new Session({ ...local, localAs: 4200000005 }, { clock });
  s.start();
  const wire = new RecordingTransport();
  s.attach(wire, true);
  const open = wire.sent[0];
  t.is((open[20] << 8) | open[21], 23456, 'My AS is AS_TRANS for a 4-octet ASN');
  const text = Buffer.from(open).toString('hex');
  for (const cap of ['01040001', '01040002', '0200', '4600', '4104fa56ea05', '0600', '40020000']) t.true(text.includes(cap), cap);
});

test('keepalives every hold/3 seconds; hold timer expiry sends NOTIFICATION 4 and goes down', (t) => {
  const s = setup();
  s.establish();
  const before = s.wire.sent.length;
  s.clock.advance(8_999);
  t.is(s.wire.types().slice(before).filter((x) => x === MessageType.Keepalive).length, 2);
  t.is(s.downs.length, 0);
  s.clock.advance(1);
  t.like(s.sentNotification(), { code: 4, subcode: 0 });
  t.is(s.downs.length, 1);
  t.regex(s.downs[0].reason, /Hold Timer Expired/);
  t.is(s.session.state, SessionState.Idle);
  t.true(s.wire.closed);
});

test('any received message restarts the hold timer', (t) => {
  const s = setup();
  s.establish();
  for (let i = 0; i < 5; i++) {
    s.clock.advance(8_000);
    s.conn.onBytes(encodeKeepalive());
  }
  t.is(s.session.state, SessionState.Established);
});

test('a stall of our own is not the peer\'s silence: a keepalive waiting unread when the hold timer fires keeps the session', (t) => {
  const s = setup();
  s.establish();
  // Frozen for the whole hold time: the timer fires first on thaw, the peer's keepalive is still in the socket.
  s.clock.advanceTimersOnly(9_000);
  s.conn.onBytes(encodeKeepalive());
  s.clock.runDeferred();
  t.is(s.session.state, SessionState.Established);
  t.is(s.sentNotification(), undefined);
  // And a peer that really said nothing is still dropped after the hold time.
  s.clock.advance(9_000);
  t.like(s.sentNotification(), { code: 4, subcode: 0 });
  t.is(s.session.state, SessionState.Idle);
});

test('hold time 0 on either side disables keepalives and the hold timer', (t) => {
  const s = setup();
  s.conn.onBytes(peerOpen({ holdTime: 0 }));
  s.conn.onBytes(encodeKeepalive());
  const n = s.wire.sent.length;
  s.clock.advance(3_600_000);
  t.is(s.wire.sent.length, n);
  t.is(s.session.state, SessionState.Established);
});

test('a config hold time of 1 or 2 is refused', (t) => {
  t.throws(() => new Session({ ...local, holdTime: 2 }), { message: /holdTime 2 must be 0 or at least 3/ });
});

const openErrors: [string, Partial<OpenMessage>, number, number, number[]?][] = [
  ['unsupported version → 2/1 with our version', { version: 3 }, 2, 1, [0, 4]],
  ['wrong peer AS → 2/2', { capabilities: [{ code: CapabilityCode.FourOctetAs, asn: 4200000002 }] }, 2, 2],
  ['My AS disagreeing with the 4-octet capability → 2/2', { myAs: 64999 }, 2, 2],
  ['BGP identifier 0.0.0.0 → 2/3', { bgpId: '0.0.0.0' }, 2, 3],
  ['our own BGP identifier → 2/3', { bgpId: '198.18.0.1' }, 2, 3],
  ['hold time 2 → 2/6', { holdTime: 2 }, 2, 6],
  ['unsupported optional parameter → 2/4', { otherParameters: [{ type: 1, value: Uint8Array.of(0) }] }, 2, 4],
];
for (const [name, over, code, subcode, data] of openErrors) {
  test(`OPEN error: ${name}`, (t) => {
    const s = setup();
    s.conn.onBytes(peerOpen(over));
    const n = s.sentNotification();
    t.like(n, { code, subcode });
    if (data) t.deepEqual([...n!.data], data);
    t.is(s.session.state, SessionState.Idle);
    t.is(s.downs[0].direction, 'sent');
  });
}

test('a 2-octet peer (no 4-octet capability) is accepted by My AS and gets 2-octet AS_PATHs', (t) => {
  const s = setup({ peerAs: 64501 });
  s.conn.onBytes(peerOpen({ myAs: 64501, capabilities: [] }));
  s.conn.onBytes(encodeKeepalive());
  t.is(s.session.state, SessionState.Established);
  t.false(s.session.negotiated!.fourOctetAs);
  t.deepEqual(s.session.negotiated!.families, [Afi.IPv4], 'no MP capability means IPv4 unicast only');
});

test('unexpected messages: UPDATE in OpenSent → 5/1, OPEN in OpenConfirm → 5/2, OPEN in Established → 5/3', (t) => {
  const a = setup();
  a.conn.onBytes(encodeEndOfRib(Afi.IPv4));
  t.like(a.sentNotification(), { code: 5, subcode: 1 });
  const b = setup();
  b.conn.onBytes(peerOpen());
  b.conn.onBytes(peerOpen());
  t.like(b.sentNotification(), { code: 5, subcode: 2 });
  const c = setup();
  c.establish();
  c.conn.onBytes(peerOpen());
  t.like(c.sentNotification(), { code: 5, subcode: 3 });
});

test('a received NOTIFICATION ends the session with its text', (t) => {
  const s = setup();
  s.establish();
  s.conn.onBytes(encodeNotification({ code: 6, subcode: 4, data: new Uint8Array(0) }));
  t.is(s.downs[0].direction, 'received');
  t.regex(s.downs[0].reason, /Administrative Reset/);
  t.is(s.sentNotification(), undefined);
});

test('updates and End-of-RIB are emitted per family; errors that RFC 7606 allows keep the session', (t) => {
  const s = setup();
  s.establish();
  const issues: unknown[] = [];
  s.session.on('updateIssues', (i) => issues.push(...i));
  const ctx = { fourOctetAs: true };
  s.conn.onBytes(concat(
    encodeUpdate({ attrs: { origin: 0, asPath: [{ type: 2, asns: [4200000001] }], nextHop: '198.18.1.1' }, nlri: [parsePrefix('198.18.0.0/24')] }, ctx),
    encodeUpdate({ attrs: { origin: 0, asPath: [{ type: 2, asns: [4200000001] }], nextHop: '2001:db8::1' }, mpReach: { afi: Afi.IPv6, prefixes: [parsePrefix('2001:db8:1::/48')] } }, ctx),
    rawUpdate({ attrs: [ORIGIN_IGP, NEXT_HOP], nlri: NLRI_24 }),
    encodeEndOfRib(Afi.IPv4),
    encodeEndOfRib(Afi.IPv6),
  ));
  t.is(s.updates.length, 3);
  t.deepEqual(s.updates[0].announced().map((r) => prefixToString(r.prefix)), ['198.18.0.0/24']);
  t.deepEqual(s.updates[1].announced().map((r) => r.attrs.nextHop), ['2001:db8::1']);
  t.true(s.updates[2].treatAsWithdraw);
  t.is(issues.length, 1);
  t.deepEqual(s.eors, [Afi.IPv4, Afi.IPv6]);
  t.is(s.session.state, SessionState.Established);
});

test('on the wire: AS 0 in AS_PATH and a next hop equal to our end of the connection are treat-as-withdraw; the session stays (RFC 7607, RFC 4271 §6.3)', (t) => {
  const clock = new FakeClock();
  const session = new Session(local, { clock });
  const updates: DecodedUpdate[] = [];
  session.on('update', (u) => updates.push(u));
  session.start();
  const wire = Object.assign(new RecordingTransport(), { localAddress: '198.18.1.9' });
  const conn = session.attach(wire, true);
  conn.onBytes(peerOpen());
  conn.onBytes(encodeKeepalive());
  const ctx = { fourOctetAs: true };
  conn.onBytes(concat(
    encodeUpdate({ attrs: { origin: 0, asPath: [{ type: 2, asns: [4200000001, 0] }], nextHop: '198.18.1.1' }, nlri: [parsePrefix('198.18.0.0/24')] }, ctx),
    encodeUpdate({ attrs: { origin: 0, asPath: [{ type: 2, asns: [4200000001] }], nextHop: '198.18.1.9' }, nlri: [parsePrefix('198.18.3.0/24')] }, ctx),
    encodeUpdate({ attrs: { origin: 0, asPath: [{ type: 2, asns: [4200000001] }], nextHop: 'ff02::1' }, mpReach: { afi: Afi.IPv6, prefixes: [parsePrefix('2001:db8:1::/48')] } }, ctx),
  ));
  t.deepEqual(updates.map((u) => u.treatAsWithdraw), [true, true, true]);
  t.deepEqual(updates.map((u) => u.withdrawn().map(prefixToString)), [['198.18.0.0/24'], ['198.18.3.0/24'], ['2001:db8:1::/48']]);
  t.is(session.state, SessionState.Established);
  t.false(wire.types().includes(MessageType.Notification));
});

test('on the wire: a ROUTE-REFRESH carrying ORF entries (ORF not negotiated) is a plain request; an unknown subtype is ignored (RFC 5291, RFC 7313 §5)', (t) => {
  const s = setup();
  s.establish();
  const refreshes: { subtype: number; ignoredOrfOctets?: number }[] = [];
  s.session.on('routeRefresh', (m) => refreshes.push(m));
  // AFI 1, subtype 0, SAFI 1, when-to-refresh IMMEDIATE, ORF type 64, length 7, one address-prefix entry.
  s.conn.onBytes(rawMessage(MessageType.RouteRefresh, [0, 1, 0, 1, 1, 64, 0, 7, 0, 0, 0, 0, 10, 24, 198, 18, 7]));
  s.conn.onBytes(rawMessage(MessageType.RouteRefresh, [0, 1, 9, 1]));
  t.deepEqual(refreshes, [{ afi: 1, safi: 1, subtype: 0, ignoredOrfOctets: 13 }]);
  t.is(s.session.state, SessionState.Established);
  t.is(s.sentNotification(), undefined);
});

test('a malformed UPDATE that needs a reset sends its NOTIFICATION', (t) => {
  const s = setup();
  s.establish();
  s.conn.onBytes(rawUpdate({ attrs: [[0x40, 100, 0]] }));
  t.like(s.sentNotification(), { code: 3, subcode: 2 });
  t.is(s.session.state, SessionState.Idle);
});

test('ingest is processed in bounded batches; the rest continues on later turns, reading paused above the high-water mark', (t) => {
  const s = setup({ maxBatchMessages: 100, highWaterBytes: 10_000 });
  s.establish();
  const one = encodeUpdate({ attrs: { origin: 0, asPath: [{ type: 2, asns: [4200000001] }], nextHop: '198.18.1.1' }, nlri: [parsePrefix('198.18.0.0/24')] }, { fourOctetAs: true });
  const burst = concat(...new Array(1000).fill(one));
  const readMore = s.conn.onBytes(burst);
  t.false(readMore);
  t.true(s.wire.paused);
  t.is(s.updates.length, 100);
  s.clock.runDeferred();
  t.is(s.updates.length, 1000);
  t.false(s.wire.paused);
});

test('passive sessions refuse to be attached outbound; unstarted sessions refuse with Cease/Connection Rejected', (t) => {
  const clock = new FakeClock();
  const s = new Session(local, { clock });
  const wire = new RecordingTransport();
  s.attach(wire, true);
  t.like(decodeNotification(wire.sent[0]), { code: 6, subcode: 5 });
  t.true(wire.closed);
});

test('active: dials on start, retries every ConnectRetryTime, goes Active on failure', (t) => {
  const clock = new FakeClock();
  let dials = 0;
  const s = new Session({ ...local, mode: 'active', connectRetryTime: 2 }, { clock, dial: () => dials++ });
  const states: string[] = [];
  s.on('state', (to) => states.push(to));
  s.start();
  t.is(dials, 1);
  t.is(s.state, SessionState.Connect);
  s.connectFailed();
  t.is(s.state, SessionState.Active);
  clock.advance(2000);
  t.is(dials, 2);
  t.is(s.state, SessionState.Connect);
  clock.advance(2000);
  t.is(dials, 3);
  const wire = new RecordingTransport();
  s.attach(wire, false);
  t.is(s.state, SessionState.OpenSent);
  clock.advance(10_000);
  t.is(dials, 3, 'no dialling while a connection is up');
  t.deepEqual(states, ['Connect', 'Active', 'Connect', 'OpenSent']);
});

test('after going down the session restarts after the idle hold time', (t) => {
  const clock = new FakeClock();
  let dials = 0;
  const s = new Session({ ...local, mode: 'active', idleHoldTime: 3 }, { clock, dial: () => dials++ });
  s.start();
  const wire = new RecordingTransport();
  const conn = s.attach(wire, false);
  conn.onClosed(new Error('reset by peer'));
  t.is(s.state, SessionState.Idle);
  clock.advance(2999);
  t.is(dials, 1);
  clock.advance(1);
  t.is(dials, 2);
  t.is(s.state, SessionState.Connect);
});

test('stop sends Cease/Administrative Shutdown and does not restart', (t) => {
  const s = setup();
  s.establish();
  s.session.stop();
  t.like(s.sentNotification(), { code: 6, subcode: 2 });
  s.clock.advance(60_000);
  t.is(s.session.state, SessionState.Idle);
});

/** Two connections to the same peer; which one survives depends on the BGP identifiers (RFC 4271 §6.8). */
function collide(localId: string, remoteId: string) {
  const clock = new FakeClock();
  const s = new Session({ ...local, routerId: localId, mode: 'active' }, { clock, dial: () => undefined });
  s.start();
  const out = new RecordingTransport();
  const inb = new RecordingTransport();
  const outConn = s.attach(out, false);
  const inConn = s.attach(inb, true);
  outConn.onBytes(peerOpen({ bgpId: remoteId }));
  inConn.onBytes(peerOpen({ bgpId: remoteId }));
  const downs: DownInfo[] = [];
  s.on('down', (d) => downs.push(d));
  return { s, out, inb, outConn, inConn, downs };
}

test('collision: the higher remote identifier keeps the connection it initiated (ours is closed)', (t) => {
  const c = collide('198.18.0.1', '198.18.0.2');
  t.true(c.out.closed);
  t.like(decodeNotification(c.out.sent.at(-1)!), { code: 6, subcode: 7 });
  t.false(c.inb.closed);
  c.inConn.onBytes(encodeKeepalive());
  t.is(c.s.state, SessionState.Established);
  t.true(c.s.negotiated!.inbound);
  t.is(c.downs.length, 0);
});

test('collision: the higher local identifier keeps our connection (the inbound one is closed)', (t) => {
  const c = collide('198.18.0.9', '198.18.0.2');
  t.true(c.inb.closed);
  t.like(decodeNotification(c.inb.sent.at(-1)!), { code: 6, subcode: 7 });
  c.outConn.onBytes(encodeKeepalive());
  t.is(c.s.state, SessionState.Established);
  t.false(c.s.negotiated!.inbound);
});

test('two sessions back to back establish, exchange a table and End-of-RIB, and shut down cleanly', (t) => {
  const clock = new FakeClock();
  const a = new Session({ localAs: 4200000001, peerAs: 64500, routerId: '198.18.0.2', mode: 'active', holdTime: 9 }, { clock, dial: () => undefined });
  const b = new Session({ ...local }, { clock });
  const got: string[] = [];
  b.on('update', (u) => u.forEachAnnounced((afi, buf, off, len) => got.push(`${afi}/${len}`)));
  const eors: Afi[] = [];
  b.on('endOfRib', (afi) => eors.push(afi));
  a.start();
  b.start();
  pipeSessions(a, b, clock);
  clock.advance(0);
  t.is(a.state, SessionState.Established);
  t.is(b.state, SessionState.Established);
  t.true(a.negotiated!.extendedMessage);
  a.sendUpdate({ attrs: { origin: 0, asPath: [{ type: 2, asns: [4200000001] }], nextHop: '198.18.1.1' }, nlri: [parsePrefix('198.18.0.0/24'), parsePrefix('198.18.1.0/24')] });
  a.sendEndOfRib(Afi.IPv4);
  a.sendEndOfRib(Afi.IPv6);
  clock.advance(60_000);
  t.deepEqual(got, ['1/24', '1/24']);
  t.deepEqual(eors, [Afi.IPv4, Afi.IPv6]);
  t.is(b.state, SessionState.Established, 'keepalives kept both sides up');
  const bDown: DownInfo[] = [];
  b.on('down', (d) => bDown.push(d));
  a.stop();
  clock.advance(0);
  t.regex(bDown[0].reason, /peer sent Cease\/Administrative Shutdown/);
});

test('messages buffered when the peer closes are still handled before going down', (t) => {
  const s = setup({ maxBatchMessages: 10 });
  s.establish();
  const one = encodeUpdate({ attrs: { origin: 0, asPath: [{ type: 2, asns: [4200000001] }], nextHop: '198.18.1.1' }, nlri: [parsePrefix('198.18.0.0/24')] }, { fourOctetAs: true });
  s.conn.onBytes(concat(...new Array(50).fill(one), encodeEndOfRib(Afi.IPv4), encodeNotification({ code: 6, subcode: 2, data: new Uint8Array(0) })));
  s.conn.onClosed();
  t.is(s.session.state, SessionState.Established, 'still handling the backlog');
  s.clock.runDeferred();
  t.is(s.updates.length, 50);
  t.deepEqual(s.eors, [Afi.IPv4]);
  t.is(s.downs.length, 1);
  t.regex(s.downs[0].reason, /peer sent Cease\/Administrative Shutdown/);
});

test('a new inbound connection replaces one still opening; one colliding with an established connection is closed', (t) => {
  const s = setup();
  const second = new RecordingTransport();
  const conn2 = s.session.attach(second, true);
  t.true(s.wire.closed, 'the stale OpenSent connection is replaced');
  t.like(s.sentNotification(), { code: 6, subcode: 7 });
  t.deepEqual(s.downs, []);
  conn2.onBytes(peerOpen());
  conn2.onBytes(encodeKeepalive());
  t.is(s.session.state, SessionState.Established);
  const third = new RecordingTransport();
  s.session.attach(third, true);
  t.true(third.closed);
  t.like(decodeNotification(third.sent[0]), { code: 6, subcode: 7 });
  t.is(s.session.state, SessionState.Established);
  t.false(second.closed);
});

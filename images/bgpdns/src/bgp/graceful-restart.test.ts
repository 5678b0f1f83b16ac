/** Graceful Restart, Receiving Speaker side (RFC 4724 §4.2), on a fake clock. */
import test from 'ava';
import { FakeClock } from './clock.js';
import { Session, SessionState, type DownInfo, type SessionConfig } from './session.js';
import { RecordingTransport } from '../../testing/bgp/memory-transport.js';
import { encodeOpen, type Capability } from './open.js';
import { CapabilityCode } from './capability-codes.js';
import { Afi, Safi } from './types.js';
import { encodeKeepalive } from './message.js';
import { encodeEndOfRib } from './update.js';
import { encodeNotification } from './notification.js';
import { MessageType } from './message-types.js';
import type { StaleEndReason } from './graceful-restart.js';

const config: SessionConfig = { localAs: 64500, peerAs: 64501, routerId: '198.18.0.1', mode: 'passive', holdTime: 0 };

function peerOpen(gr?: { time: number; families: [Afi, boolean][] }): Uint8Array {
  const capabilities: Capability[] = [
    { code: CapabilityCode.Multiprotocol, afi: Afi.IPv4, safi: Safi.Unicast },
    { code: CapabilityCode.Multiprotocol, afi: Afi.IPv6, safi: Safi.Unicast },
    { code: CapabilityCode.FourOctetAs, asn: 64501 },
  ];
  if (gr) {
    capabilities.push({
      code: CapabilityCode.GracefulRestart, restartFlags: 8, restartTime: gr.time,
      families: gr.families.map(([afi, f]) => ({ afi, safi: Safi.Unicast, flags: f ? 0x80 : 0 })),
    });
  }
  return encodeOpen({ version: 4, myAs: 64501, holdTime: 90, bgpId: '198.18.0.2', capabilities });
}

function setup(sessionConfig: Partial<SessionConfig> = {}) {
  const clock = new FakeClock();
  const session = new Session({ ...config, ...sessionConfig }, { clock });
  const downs: DownInfo[] = [];
  const ends: [Afi, StaleEndReason][] = [];
  session.on('down', (d) => downs.push(d));
  session.on('staleEnd', (afi, why) => ends.push([afi, why]));
  session.start();
  const connect = (open: Uint8Array) => {
    const wire = new RecordingTransport();
    const conn = session.attach(wire, true);
    conn.onBytes(open);
    conn.onBytes(encodeKeepalive());
    return { wire, conn };
  };
  return { clock, session, downs, ends, connect };
}

const BOTH_PRESERVED = { time: 90, families: [[Afi.IPv4, true], [Afi.IPv6, true]] as [Afi, boolean][] };

test('our OPEN lists the families in the Graceful Restart capability when a restart time is configured', (t) => {
  const s = new Session({ ...config, restartTime: 120 }, { clock: new FakeClock() });
  s.start();
  const wire = new RecordingTransport();
  s.attach(wire, true);
  // Code 64, length 10: flags 0 + time 120 (0x0078), IPv4/unicast and IPv6/unicast with the F bit clear.
  t.true(Buffer.from(wire.sent[0]).toString('hex').includes('400a0078000101000002010' + '0'));
  t.throws(() => new Session({ ...config, restartTime: 5000 }, { clock: new FakeClock() }), { message: /restartTime 5000 must be an integer 0\.\.4095/ });
});

test('TCP lost without NOTIFICATION: routes kept for the families the peer listed, swept when its restart time runs out', (t) => {
  const s = setup();
  const { conn } = s.connect(peerOpen({ time: 90, families: [[Afi.IPv4, true]] }));
  conn.onClosed();
  t.deepEqual(s.downs[0].gracefulRestart, { families: [Afi.IPv4] });
  t.deepEqual(s.session.gracefulRestartStatus().stale, [Afi.IPv4]);
  s.clock.advance(89_999);
  t.deepEqual(s.ends, []);
  s.clock.advance(1);
  t.deepEqual(s.ends, [[Afi.IPv4, 'restart-time-expired']]);
  t.deepEqual(s.session.gracefulRestartStatus().stale, []);
});

test('the peer comes back with the F bit: stale until its End-of-RIB per family', (t) => {
  const s = setup();
  s.connect(peerOpen(BOTH_PRESERVED)).conn.onClosed();
  s.clock.advance(5_000);
  const again = s.connect(peerOpen(BOTH_PRESERVED));
  t.is(s.session.state, SessionState.Established);
  t.deepEqual(s.ends, []);
  again.conn.onBytes(encodeEndOfRib(Afi.IPv6));
  t.deepEqual(s.ends, [[Afi.IPv6, 'end-of-rib']]);
  again.conn.onBytes(encodeEndOfRib(Afi.IPv4));
  t.deepEqual(s.ends, [[Afi.IPv6, 'end-of-rib'], [Afi.IPv4, 'end-of-rib']]);
  s.clock.advance(400_000);
  t.is(s.ends.length, 2, 'no timer left behind');
});

test('the peer comes back without the F bit for a family, or without the capability: those routes go at once', (t) => {
  const s = setup();
  s.connect(peerOpen(BOTH_PRESERVED)).conn.onClosed();
  s.connect(peerOpen({ time: 90, families: [[Afi.IPv4, true], [Afi.IPv6, false]] }));
  t.deepEqual(s.ends, [[Afi.IPv6, 'not-preserved']]);
  const u = setup();
  u.connect(peerOpen(BOTH_PRESERVED)).conn.onClosed();
  u.connect(peerOpen());
  t.deepEqual(u.ends.map((e) => e[1]), ['not-preserved', 'not-preserved']);
});

test('no End-of-RIB within the stale-path time after coming back: swept (FRR default 360 s)', (t) => {
  const s = setup();
  s.connect(peerOpen(BOTH_PRESERVED)).conn.onClosed();
  s.connect(peerOpen(BOTH_PRESERVED));
  s.clock.advance(359_999);
  t.deepEqual(s.ends, []);
  s.clock.advance(1);
  t.deepEqual(s.ends.map((e) => e[1]), ['stale-path-time-expired', 'stale-path-time-expired']);
});

test('a session ended by a NOTIFICATION, or from a peer without the capability, keeps nothing', (t) => {
  const s = setup();
  const { conn } = s.connect(peerOpen(BOTH_PRESERVED));
  conn.onBytes(encodeNotification({ code: 6, subcode: 4, data: new Uint8Array(0) }));
  t.is(s.downs[0].gracefulRestart, undefined);
  const u = setup();
  u.connect(peerOpen()).conn.onClosed();
  t.is(u.downs[0].gracefulRestart, undefined);
});

test('RFC 4724 §4.2: a new connection from a GR-capable peer while Established is its restart, not a collision', (t) => {
  const s = setup();
  const old = s.connect(peerOpen(BOTH_PRESERVED));
  const wire = new RecordingTransport();
  s.session.attach(wire, true);
  t.true(old.wire.closed);
  t.false(old.wire.types().includes(MessageType.Notification), 'the old connection is closed without a NOTIFICATION');
  t.deepEqual(s.downs[0].gracefulRestart, { families: [Afi.IPv4, Afi.IPv6] });
  t.deepEqual(wire.types(), [MessageType.Open], 'the new connection proceeds');
  t.false(wire.closed);
});

test('without the capability a second connection while Established is still refused as a collision (RFC 4271 §6.8)', (t) => {
  const s = setup();
  const old = s.connect(peerOpen());
  const wire = new RecordingTransport();
  s.session.attach(wire, true);
  t.false(old.wire.closed);
  t.true(wire.closed);
  t.is(s.downs.length, 0);
});

test('a failed attempt during the restart keeps waiting for the peer (the restart timer still bounds it)', (t) => {
  const s = setup();
  s.connect(peerOpen(BOTH_PRESERVED)).conn.onClosed();
  const attempt = s.session.attach(new RecordingTransport(), true);
  attempt.onClosed();
  t.deepEqual(s.downs[1].gracefulRestart, { families: [Afi.IPv4, Afi.IPv6] });
  s.clock.advance(90_000);
  t.is(s.ends.length, 2);
});

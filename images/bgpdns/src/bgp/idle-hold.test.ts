/** The idle hold after errors, on a fake clock: doubling, cap, forgetting, and refusal while it runs. */
import test from 'ava';
import { FakeClock } from './clock.js';
import { Session, SessionState, type SessionConfig } from './session.js';
import { RecordingTransport } from '../../testing/bgp/memory-transport.js';
import { encodeOpen } from './open.js';
import { CapabilityCode } from './capability-codes.js';
import { Afi, Safi } from './types.js';
import { encodeKeepalive } from './message.js';
import { decodeNotification } from './notification.js';
import { MessageType } from './message-types.js';
import { CeaseSubcode, ErrorCode } from './notification-codes.js';
import { IdleHold, endedInError } from './idle-hold.js';

const config: SessionConfig = { localAs: 64500, peerAs: 64501, routerId: '198.18.0.1', mode: 'passive', holdTime: 9 };
const open = encodeOpen({
  version: 4, myAs: 64501, holdTime: 30, bgpId: '198.18.0.2',
  capabilities: [{ code: CapabilityCode.Multiprotocol, afi: Afi.IPv4, safi: Safi.Unicast }, { code: CapabilityCode.FourOctetAs, asn: 64501 }],
});

/** The peer connects; returns the NOTIFICATION we answered with at once, if any, and the connection. */
function connect(session: Session) {
  const wire = new RecordingTransport();
  const conn = session.attach(wire, true);
  const first = wire.sent.find((b) => b[18] === MessageType.Notification);
  return { wire, conn, refusedWith: first && decodeNotification(first) };
}

function establish(session: Session) {
  const c = connect(session);
  c.conn.onBytes(open);
  c.conn.onBytes(encodeKeepalive());
  return c;
}

test('after max-prefix the peer is refused for 2, 4, 8 … s, capped at 120 s; then it may connect', (t) => {
  const clock = new FakeClock();
  const session = new Session(config, { clock });
  session.start();
  const holds: number[] = [];
  for (let round = 0; round < 9; round++) {
    const up = establish(session);
    t.is(session.state, SessionState.Established, `round ${round}`);
    session.reset(ErrorCode.Cease, CeaseSubcode.MaximumPrefixes, 'max-prefix');
    const hold = session.idleHoldStatus();
    holds.push(hold.seconds);
    t.is(hold.consecutiveErrors, round + 1);
    t.true(up.wire.closed);
    // Just before the hold ends the peer is turned away with Cease/Connection Rejected.
    clock.advance(hold.seconds * 1000 - 1);
    t.like(connect(session).refusedWith, { code: ErrorCode.Cease, subcode: CeaseSubcode.ConnectionRejected }, `round ${round}`);
    t.is(session.idleHoldStatus().remainingSeconds, 0);
    clock.advance(1);
  }
  t.deepEqual(holds, [2, 4, 8, 16, 32, 64, 120, 120, 120]);
  t.is(session.idleHoldStatus().refused, 9);
  t.is(connect(session).refusedWith, undefined, 'accepted once the hold is over');
});

test('an error more than 300 s after the previous one starts again at 2 s', (t) => {
  const clock = new FakeClock();
  // No hold timer: the quiet 300 s must not end the session by itself.
  const session = new Session({ ...config, holdTime: 0 }, { clock });
  session.start();
  for (let i = 0; i < 3; i++) {
    establish(session);
    session.reset(ErrorCode.Cease, CeaseSubcode.MaximumPrefixes, 'max-prefix');
    clock.advance(session.idleHoldStatus().seconds * 1000);
  }
  t.is(session.idleHoldStatus().seconds, 8);
  establish(session);
  clock.advance(300_000);
  session.reset(ErrorCode.UpdateMessage, 1, 'malformed');
  t.like(session.idleHoldStatus(), { seconds: 2, consecutiveErrors: 1 });
});

test('a session that ends without an error (TCP closed, Cease/Administrative Reset) lets the peer back at once', (t) => {
  const clock = new FakeClock();
  const session = new Session(config, { clock });
  session.start();
  const up = establish(session);
  up.conn.onClosed();
  t.like(session.idleHoldStatus(), { seconds: 1, consecutiveErrors: 0, until: 0 });
  t.is(connect(session).refusedWith, undefined);
  t.false(endedInError({ code: ErrorCode.Cease, subcode: CeaseSubcode.AdministrativeReset, data: new Uint8Array(0) }));
  t.true(endedInError({ code: ErrorCode.HoldTimerExpired, subcode: 0, data: new Uint8Array(0) }));
  t.true(endedInError({ code: ErrorCode.Cease, subcode: CeaseSubcode.MaximumPrefixes, data: new Uint8Array(0) }));
});

test('a NOTIFICATION received from the peer counts as an error too (as FRR and BIRD count it)', (t) => {
  const clock = new FakeClock();
  const session = new Session(config, { clock });
  session.start();
  const up = establish(session);
  up.conn.onBytes(Uint8Array.from([...new Array(16).fill(0xff), 0, 21, 3, 3, 1]));
  t.like(session.idleHoldStatus(), { seconds: 2, consecutiveErrors: 1 });
});

test('idle hold options: base, cap and forget time are taken from the config', (t) => {
  const hold = new IdleHold({ idleHoldTime: 5, idleHoldMaxTime: 30, errorForgetTime: 60 });
  t.deepEqual([1, 2, 3, 4].map((i) => hold.onDown(true, i * 1000) / 1000), [10, 20, 30, 30]);
  t.is(hold.onDown(false, 10_000), 30_000, 'a clean down inside the sequence keeps its hold');
  t.is(hold.onDown(true, 100_000), 10_000, 'forgotten after 60 s without an error');
});

import test from 'ava';
import { HealthMachine } from './health-machine.js';

test('starting → up after rise successes, → down after fall failures', (t) => {
  const m = new HealthMachine({ rise: 2, fall: 3 });
  t.is(m.observe(true, 1, 'ok'), undefined);
  const up = m.observe(true, 2, 'ok');
  t.like(up, { at: 2, from: 'starting', to: 'up', announce: true });
  t.is(m.observe(false, 3, 'x'), undefined);
  t.is(m.observe(false, 4, 'x'), undefined);
  t.is(m.observe(true, 5, 'ok'), undefined, 'a success resets the failure run');
  m.observe(false, 6, 'x');
  m.observe(false, 7, 'x');
  const down = m.observe(false, 8, 'timeout');
  t.like(down, { at: 8, from: 'up', to: 'down', announce: false });
  t.regex(down!.reason, /3 consecutive failed probe\(s\) \(fall 3\): timeout/);
  t.false(m.announced);
});

test('a service that never answers goes starting → down (withdraw) after fall failures', (t) => {
  const m = new HealthMachine({ rise: 2, fall: 2 });
  m.observe(false, 1, 'x');
  t.like(m.observe(false, 2, 'x'), { from: 'starting', to: 'down', announce: false });
  t.is(m.observe(false, 3, 'x'), undefined, 'no repeated transition while down');
});

test('maintenance drains regardless of health and re-announces only when healthy', (t) => {
  const m = new HealthMachine({ rise: 1, fall: 1 });
  m.observe(true, 1, 'ok');
  t.like(m.setMaintenance(true, 2, 'file'), { from: 'up', to: 'draining', announce: false });
  t.is(m.observe(true, 3, 'ok'), undefined, 'healthy probes do not end a drain');
  t.is(m.setMaintenance(true, 4, 'file'), undefined);
  t.like(m.setMaintenance(false, 5, 'gone'), { from: 'draining', to: 'up', announce: true });
  m.setMaintenance(true, 6, 'file');
  m.observe(false, 7, 'x');
  t.like(m.setMaintenance(false, 8, 'gone'), { to: 'down', announce: false });
});

test('rise and fall must be positive integers', (t) => {
  t.throws(() => new HealthMachine({ rise: 0, fall: 1 }), { message: 'rise must be an integer ≥ 1, got 0' });
  t.throws(() => new HealthMachine({ rise: 1, fall: 1.5 }), { message: 'fall must be an integer ≥ 1, got 1.5' });
});

test('failNow: down at once from up, without waiting for fall; draining stays draining', (t) => {
  const m = new HealthMachine({ rise: 1, fall: 3 });
  m.observe(true, 1, 'ok');
  t.like(m.failNow(2, 'service address gone'), { from: 'up', to: 'down', announce: false });
  t.is(m.failNow(3, 'still gone'), undefined, 'already down');
  const d = new HealthMachine({ rise: 1, fall: 3 });
  d.observe(true, 1, 'ok');
  d.setMaintenance(true, 2, 'drain');
  t.is(d.failNow(3, 'gone'), undefined);
  t.is(d.state, 'draining');
});

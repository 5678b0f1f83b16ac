import test from 'ava';
import { clockFlag, estimateOffset } from './host-clock.js';

test('offset from the exchange with the shortest round trip; error is half that round trip', (t) => {
  const est = estimateOffset([
    { sentAt: 1000, hostAt: 1530, receivedAt: 1100 }, // rtt 100
    { sentAt: 2000, hostAt: 2512, receivedAt: 2020 }, // rtt 20: offset 2512 − 2010 = 502
    { sentAt: 3000, hostAt: 3600, receivedAt: 3200 },
  ]);
  t.deepEqual(est, { offsetMs: 502, errorMs: 10, rttMs: 20, exchanges: 3 });
});

test('the bound holds however the round trip splits', (t) => {
  // True offset 500; the host read its clock 1 ms or 19 ms after the request left.
  for (const after of [1, 19]) {
    const est = estimateOffset([{ sentAt: 0, hostAt: after + 500, receivedAt: 20 }]);
    t.true(Math.abs(est.offsetMs - 500) <= est.errorMs);
  }
});

test('no exchange, or one answered before it was sent, is an error', (t) => {
  t.throws(() => estimateOffset([]), { message: /at least one exchange/ });
  t.throws(() => estimateOffset([{ sentAt: 10, hostAt: 0, receivedAt: 5 }]), { message: /answered before it was sent \(sent 10, back 5\)/ });
});

test('a clock error above 10 % of the SLO is flagged', (t) => {
  t.false(clockFlag(99, { op: '<', value: 1000 }));
  t.true(clockFlag(101, { op: '<', value: 1000 }));
  t.false(clockFlag(500, undefined));
});

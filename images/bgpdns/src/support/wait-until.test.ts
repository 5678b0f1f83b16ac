import test from 'ava';
import { waitUntil, waitForJson, WaitTimeoutError } from './wait-until.js';

test('resolves with the first value that passes, with attempts and time', async (t) => {
  let n = 0;
  const r = await waitUntil(() => ++n, (v) => v >= 3, { what: 'counter at 3', interval: 1 });
  t.is(r.value, 3);
  t.is(r.attempts, 3);
  t.true(r.elapsedMs >= 0);
});

test('a check may return null (subset style) or an empty diff for success', async (t) => {
  t.is((await waitUntil(() => 'x', () => null, { what: 'x' })).value, 'x');
  t.is((await waitUntil(() => 'y', () => [], { what: 'y' })).value, 'y');
});

test('timeout says what, how long, how many attempts and the last value', async (t) => {
  let n = 0;
  const err = await t.throwsAsync(waitUntil(() => ++n, (v) => v > 1000, { what: 'counter above 1000', timeout: 50, interval: 10 }), {
    instanceOf: WaitTimeoutError,
  });
  t.regex(err!.message, /^timed out after \d+ ms \(\d+ attempts\) waiting for counter above 1000\n  last value: \d+$/);
  t.true(err!.attempts >= 2 && err!.attempts <= 7, `attempts ${err!.attempts}`);
  t.is(err!.lastValue, n);
  t.true(err!.elapsedMs >= 50);
});

test('a string verdict is reported as the last problem', async (t) => {
  const err = await t.throwsAsync(
    waitUntil(() => ({ state: 'Active' }), (v) => (v.state === 'Established' ? true : `state is ${v.state}`), {
      what: 'session up',
      timeout: 20,
      interval: 5,
    }),
  );
  t.regex(err!.message, /waiting for session up\n  last problem: state is Active\n  last value: \{"state":"Active"\}/);
});

test('waitForJson reports the subset diff with paths', async (t) => {
  const err = await t.throwsAsync(
    waitForJson(() => ({ peers: { a: { state: 'Idle' } } }), { peers: { a: { state: 'Established' }, b: {} } }, {
      what: 'both peers up',
      timeout: 20,
      interval: 5,
    }),
  );
  t.regex(
    err!.message,
    /waiting for both peers up\n  last diff:\n    \$\.peers\.a\.state: expected "Established", got "Idle"\n    \$\.peers\.b: missing \(expected \{\}\)\n  last value: /,
  );
});

test('a throwing probe counts as a failed attempt and its error is reported', async (t) => {
  let n = 0;
  const r = await waitUntil(
    () => {
      if (++n < 3) throw new Error('socket not there yet');
      return n;
    },
    () => true,
    { what: 'probe answers', interval: 1 },
  );
  t.is(r.value, 3);
  const err = await t.throwsAsync(
    waitUntil(
      () => {
        throw new Error('ENOENT bgpd.vty');
      },
      () => true,
      { what: 'bgpd answers', timeout: 10, interval: 2 },
    ),
  );
  t.regex(err!.message, /waiting for bgpd answers\n  last problem: probe failed: ENOENT bgpd.vty$/);
});

test('an aborted wait stops at once, naming what it waited for', async (t) => {
  const ac = new AbortController();
  setTimeout(() => ac.abort('lab torn down'), 20);
  await t.throwsAsync(waitUntil(() => 0, () => false, { what: 'never', timeout: 5000, interval: 1000, signal: ac.signal }), {
    message: 'stopped waiting for never: lab torn down',
  });
});

test('onTimeout replaces the timeout error with the caller\'s own, from the last problem', async (t) => {
  await t.throwsAsync(
    waitUntil(() => 'Active', (s) => s === 'Established' || `state ${s}`, {
      what: 'session up',
      timeout: 10,
      interval: 2,
      onTimeout: (e) => new Error(`${e.what}: no (${e.lastProblem}, last value ${e.lastValue}); see bgpd.log`),
    }),
    { message: 'session up: no (state Active, last value Active); see bgpd.log' },
  );
});

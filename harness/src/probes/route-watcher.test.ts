import test from 'ava';
import { fileURLToPath } from 'node:url';
import { watchRoutes, type RouteWatcher } from './route-watcher.js';
import { deployTestLab, destroyTestLab } from '../../testing/deploy-test-lab.js';
import type { LabHandle } from '../lab/lab-handle.js';
import { frr } from '../frr/frr-control.js';
import { Faults } from '../faults/faults.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';
import type { ObservedEvent } from '../run/record.js';
import { monoNow } from '../clock.js';
import { mkdtempSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The lab (harness/testing/labs/route-watcher): r1 (AS 64501) and r3 (AS 64503, prepending)
// both announce P to r2; r2 prefers r1. Deployed by deploy() as users deploy theirs.
const LAB_FILE = fileURLToPath(new URL('../../testing/labs/route-watcher/route-watcher.clab.yml', import.meta.url));
const P = '198.18.100.0/24';

let lab: LabHandle;
let watcher: RouteWatcher;
const events: ObservedEvent[] = [];

test.before(async () => {
  lab = await deployTestLab(LAB_FILE);
  const r2 = frr(lab.node('r2'));
  await waitUntil(() => r2.prefixPaths(P), (paths) => paths.length === 2, { what: 'r2 holds both paths to P', timeout: 20_000, interval: 50 });
  watcher = await watchRoutes(lab.node('r2'), [P], { sink: { event: (e) => events.push(e) } });
});
test.after.always(async () => {
  await watcher?.stop();
  await destroyTestLab(lab);
});

test.serial('baseline is the current best path, without events', (t) => {
  t.deepEqual(watcher.best(P), { peer: '198.18.254.1', nexthop: '198.18.254.1', asPath: [64501] });
  t.is(watcher.changes.length, 0);
});

test.serial('a link cut moves the best path: seen by the poll and in the FRR log, both timed', async (t) => {
  const faults = new Faults(lab);
  const cut = await faults.linkDown('r1:eth1');
  t.teardown(() => cut.revert());
  const t0 = cut.injected.at;
  const polled = await watcher.waitFor((c) => c.prefix === P && c.type === 'bestpath-changed', { what: 'best path to P moves to r3', after: t0, timeout: 10_000 });
  t.deepEqual(polled.to, { peer: '198.18.254.5', nexthop: '198.18.254.5', asPath: [64503, 64503, 64503] });
  t.deepEqual(polled.from?.asPath, [64501]);
  t.true(polled.notBefore! <= polled.at);
  const logged = await watcher.logCounterpart(polled, t0);
  t.truthy(logged, 'the FRR log shows the new best path going to zebra');
  t.is(logged!.to?.nexthop, '198.18.254.5');
  // Two views of one change: when bgpd handed the new best path to zebra (log) and when
  // `show` first listed it (poll). They are usually within a poll period of each other,
  // in either order (bgpd may queue the zebra update behind other work).
  t.true(logged!.at >= t0 - 2 && Math.abs(logged!.at - polled.at) < 200, `log ${logged!.at - t0} ms, poll ${polled.at - t0} ms after the cut`);
  t.true(polled.at - t0 < 2000);
  // Session down from the log, with its reason.
  const down = watcher.sessions.find((s) => s.peer === '198.18.254.1' && s.state === 'down' && s.at >= t0 - 1);
  t.is(down?.reason, 'Interface down');
  t.true(events.some((e) => e.type === 'bestpath-changed' && e.source === 'vty-poll'));
  t.true(events.some((e) => e.type === 'bestpath-changed' && e.source === 'frr-log'));

  const restoredAt = monoNow();
  await cut.revert();
  const back = await watcher.waitFor((c) => c.prefix === P && c.to?.peer === '198.18.254.1', { what: 'best path back to r1', after: restoredAt, timeout: 20_000 });
  t.deepEqual(back.to?.asPath, [64501]);
});

test.serial('withdrawal everywhere removes the prefix; announcing again adds it', async (t) => {
  const t0 = monoNow();
  await frr(lab.node('r1')).configure(['router bgp 64501', 'address-family ipv4 unicast', `no network ${P}`]);
  await frr(lab.node('r3')).configure(['router bgp 64503', 'address-family ipv4 unicast', `no network ${P}`]);
  const removed = await watcher.waitFor((c) => c.type === 'prefix-removed', { what: 'P removed', after: t0, timeout: 10_000 });
  t.is(removed.to, undefined);
  t.truthy(await watcher.logCounterpart(removed, t0));
  const t1 = monoNow();
  await frr(lab.node('r1')).configure(['router bgp 64501', 'address-family ipv4 unicast', `network ${P}`]);
  const added = await watcher.waitFor((c) => c.type === 'prefix-added', { what: 'P added again', after: t1, timeout: 10_000 });
  t.is(added.to?.peer, '198.18.254.1');
  const loggedAdd = await watcher.waitFor((c) => c.type === 'prefix-added', { what: 'P added in the log', after: t1, source: 'frr-log', timeout: 5000 });
  t.is(loggedAdd.to?.nexthop, '198.18.254.1');
});

test.serial('a wait that never matches says what it saw', async (t) => {
  await t.throwsAsync(watcher.waitFor((c) => c.to?.peer === '198.18.254.99', { what: 'path via nowhere', timeout: 100 }), {
    message: /r2: path via nowhere\n  last problem: no matching change yet; best paths now: 198\.18\.100\.0\/24 via 198\.18\.254\.1 \(AS path 64501\)/,
  });
});

test.serial('two watchers on one prefix: the first to stop leaves FRR log debugging on for the other', async (t) => {
  const second = await watchRoutes(lab.node('r2'), [P]);
  const third = await watchRoutes(lab.node('r2'), [P]);
  await third.stop();
  const debugging = await frr(lab.node('r2')).command('show debugging');
  t.regex(debugging, /BGP zebra debugging is on for 198\.18\.100\.0\/24/, debugging);
  await second.stop();
  await watcher.stop();
  const after = await frr(lab.node('r2')).command('show debugging');
  t.notRegex(after, /BGP zebra debugging is on/, after);
});

/** An FRR log line's stamp for `ms` (epoch), in local time as bgpd writes it. */
function frrStamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

test.serial('the FRR log is read by one reader at a time: concurrent reads neither repeat nor skip a line', async (t) => {
  // A log file of our own on r2 (bgpd keeps writing its real one): 300 installs of P with
  // alternating next hops, appended in chunks while six reads run at once after each chunk.
  const dir = mkdtempSync(join(tmpdir(), 'route-watcher-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'frr.log');
  writeFileSync(file, '');
  const w = await watchRoutes(lab.node('r2'), [P], { logFile: file });
  t.teardown(() => w.stop());
  const hops = ['198.18.254.101', '198.18.254.102'];
  const base = Date.now() - 60_000;
  const changes = 300;
  for (let i = 0; i < changes; i += 30) {
    let chunk = '';
    for (let k = i; k < i + 30; k++) {
      const stamp = frrStamp(base + k);
      chunk += `${stamp} BGP: [V15FP-4CPVK] Tx route add VRF 0 ${P} metric 0 tag 0 count 1 nhg 0\n${stamp} BGP: [JQXM8-V0CKB]   nhop [1]: ${hops[k % 2]} if 0 VRF 0 wt 0\n`;
    }
    appendFileSync(file, chunk);
    await Promise.all(Array.from({ length: 6 }, () => w.waitFor(() => false, { what: 'a read', timeout: 20, source: 'frr-log' }).catch(() => undefined)));
  }
  // A last line ends the last install's next-hop list.
  appendFileSync(file, `${frrStamp(base + changes)} BGP: [PXVXG-TFNNT] end of test\n`);
  const fromLog = () => w.changes.filter((c) => c.source === 'frr-log');
  await waitUntil(
    async () => {
      await w.waitFor(() => false, { what: 'a read', timeout: 20, source: 'frr-log' }).catch(() => undefined);
      return fromLog().length;
    },
    (n) => n >= changes,
    { what: 'every install read', timeout: 5000, interval: 20 },
  ).catch(() => undefined);
  const seen = fromLog().map((c) => c.to?.nexthop);
  t.is(seen.length, changes, `${seen.length} changes read from the log, ${changes} written`);
  t.true(seen.every((hop, k) => hop === hops[k % 2]), 'in order, none repeated or skipped');
});

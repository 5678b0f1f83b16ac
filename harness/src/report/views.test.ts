import test from 'ava';
import type { RunRecord, RunTopology } from '../run/record.js';
import { distributionAxis, logTicks } from './distribution.js';
import { syntheticRunRecord } from '../../testing/report-fixture.js';
import { scenarioSlice, scenarioWindows } from './scenario-window.js';
import { NO_ANSWER, sortOrderData, sortOrderGroups } from './sort-order.js';
import { nestingDepths, timelineData } from './timeline.js';
import { layoutTopology } from './topology-diagram.js';
import { trends } from './trends.js';

const T0 = 1_000_000;

function tiny(): RunRecord {
  const r = syntheticRunRecord();
  return {
    ...r,
    scenarios: ['cut'],
    steps: [{ scenario: 'cut', name: 'cut', start: T0, end: T0 + 10_000, ok: true }],
    faults: [
      { at: T0 + 1000, fault: 'link-down', target: 'r1:eth1', action: 'inject' },
      { at: T0 + 4000, fault: 'link-down', target: 'r1:eth1', action: 'revert' },
      { at: T0 + 6000, fault: 'freeze', target: 'sorter', action: 'inject' },
      // Outside every window, no scenario: belongs to no scenario.
      { at: T0 + 50_000, fault: 'kill', target: 'r2', action: 'inject' },
    ],
    events: [
      { at: T0 + 1004, node: 'r1', plane: 'bgp', type: 'session-down', source: 'frr-log' },
      { at: T0 + 1300, node: 'c1', plane: 'dns', type: 'answer-order-changed', source: 'dns-probe' },
      { at: T0 + 1010, node: 'a-router', plane: 'bgp', type: 'bestpath-changed', source: 'vty-poll' },
    ],
    dnsOrder: [
      { at: T0 + 100, client: 'c1', answers: ['198.18.1.1', '198.18.2.1'] },
      { at: T0 + 200, client: 'c1', answers: ['198.18.1.1', '198.18.2.1'] },
      { at: T0 + 1300, client: 'c1', answers: ['198.18.2.1', '198.18.1.1'] },
      { at: T0 + 1400, client: 'c2', answers: [] },
    ],
  };
}

test('scenario windows span their steps; unlabelled items are placed by time', (t) => {
  const record = tiny();
  const [w] = scenarioWindows(record);
  t.deepEqual(w, { scenario: 'cut', start: T0, end: T0 + 10_000 });
  const slice = scenarioSlice(record, w);
  t.is(slice.faults.length, 3);
  t.is(slice.events.length, 3);
});

test('timeline: numbered steps on top, faults become spans (open ones run to the end), lanes steps → faults → bgp → dns', (t) => {
  const record = tiny();
  const data = timelineData(scenarioSlice(record, scenarioWindows(record)[0]));
  t.is(data.duration, 10);
  t.deepEqual(data.spans, [
    { lane: 'link-down r1:eth1', fault: 'link-down', from: 1, to: 4, reverted: true },
    { lane: 'freeze sorter', fault: 'freeze', from: 6, to: 10, reverted: false },
  ]);
  t.deepEqual(data.lanes, ['steps', 'freeze sorter', 'link-down r1:eth1', 'bgp a-router', 'bgp r1', 'dns c1']);
  t.deepEqual(data.steps, [{ n: 1, lane: 'steps', from: 0, to: 10, failed: false }]);
  t.deepEqual(data.injections, [1, 6]);
  t.is(data.points.find((p) => p.lane === 'bgp r1')!.t, 1.004);
});

test('sort-order matrix: one row per client and rank, repeats merged, no answer shown as such', (t) => {
  const record = tiny();
  const data = sortOrderData(scenarioSlice(record, scenarioWindows(record)[0]));
  t.deepEqual(data.rows, ['c1 #1', 'c1 #2', 'c2 #1', 'c2 #2']);
  t.deepEqual(data.addresses, ['198.18.1.1', '198.18.2.1', NO_ANSWER]);
  const c1first = data.cells.filter((c) => c.row === 'c1 #1');
  t.deepEqual(
    c1first.map((c) => [c.address, c.from, c.to]),
    [
      ['198.18.1.1', 0.1, 1.3],
      ['198.18.2.1', 1.3, 10],
    ],
  );
  t.deepEqual(data.cells.filter((c) => c.client === 'c2').map((c) => c.address), [NO_ANSWER]);
});

test('topology layout: clients at the bottom, layers by hops, every link placed', (t) => {
  const topo: RunTopology = {
    nodes: [
      { name: 'server', kind: 'frr' },
      { name: 'isp1', kind: 'frr' },
      { name: 'isp2', kind: 'frr' },
      { name: 'c1', kind: 'client' },
      { name: 'c2', kind: 'client' },
      { name: 'lonely', kind: 'tinydns' },
    ],
    links: [
      { a: { node: 'c1', iface: 'eth1' }, b: { node: 'isp1', iface: 'eth1' } },
      { a: { node: 'c2', iface: 'eth1' }, b: { node: 'isp2', iface: 'eth1' } },
      { a: { node: 'isp1', iface: 'eth2' }, b: { node: 'server', iface: 'eth1' } },
      { a: { node: 'isp2', iface: 'eth2' }, b: { node: 'server', iface: 'eth2' } },
      { a: { node: 'isp1', iface: 'eth3' }, b: { node: 'isp2', iface: 'eth3' } },
    ],
  };
  const layout = layoutTopology(topo, 400, 80);
  const layer = Object.fromEntries(layout.nodes.map((n) => [n.name, n.layer]));
  t.deepEqual(layer, { server: 2, isp1: 1, isp2: 1, c1: 0, c2: 0, lonely: 3 });
  t.is(layout.layers, 4);
  const x = Object.fromEntries(layout.nodes.map((n) => [n.name, n.x]));
  t.true(x.isp1 < x.isp2 && x.c1 < x.c2, 'the barycentre keeps c1 under isp1');
  t.is(layout.links.length, 5);
  const sameLayer = layout.links.find((l) => l.a === 'isp1' && l.b === 'isp2')!;
  t.true(sameLayer.points[1].y > sameLayer.points[0].y, 'links inside a layer bow upwards');
});

test('distribution axis goes logarithmic only when the trials sit far below the SLO', (t) => {
  const [cut, sorter] = syntheticRunRecord().measurements;
  t.is(distributionAxis(cut).type, 'log');
  t.is(distributionAxis(sorter).type, 'linear');
  t.deepEqual(logTicks([5, 25_000]), [10, 30, 100, 300, 1000, 3000, 10_000]);
});

test('trends: one per measurement, points in run order', (t) => {
  const older = syntheticRunRecord({ run: 'a', seed: 1, startedAt: '2026-11-01T00:00:00.000Z' });
  const newer = syntheticRunRecord({ run: 'b', seed: 2, startedAt: '2026-11-02T00:00:00.000Z' });
  const all = trends([newer, older]);
  t.is(all.length, older.measurements.length);
  const first = all.find((x) => x.measurement === older.measurements[0].name)!;
  t.deepEqual(first.points.map((p) => [p.run, p.p50]), [
    ['a', older.measurements[0].p50],
    ['b', newer.measurements[0].p50],
  ]);
});

test('scenarios that record parts of themselves under other names get their own windows, in time order', (t) => {
  const record = tiny();
  record.steps.push(
    { scenario: 'cut: part b', name: 'b', start: T0 + 20_000, end: T0 + 21_000 },
    { scenario: 'cut: part a', name: 'a', start: T0 + 11_000, end: T0 + 12_000 },
  );
  t.deepEqual(
    scenarioWindows(record).map((w) => w.scenario),
    ['cut', 'cut: part a', 'cut: part b'],
  );
});

test('a scenario with labelled events but no steps still gets a window', (t) => {
  const record = tiny();
  record.events.push({ at: T0 + 30_000, node: 'r9', plane: 'bgp', type: 'session-up', source: 'frr-log', scenario: 'watch-only' });
  record.events.push({ at: T0 + 31_000, node: 'r9', plane: 'bgp', type: 'session-down', source: 'frr-log', scenario: 'watch-only' });
  t.deepEqual(scenarioWindows(record).at(-1), { scenario: 'watch-only', start: T0 + 30_000, end: T0 + 31_000 });
});

test('steps inside steps get their own lanes', (t) => {
  t.deepEqual(nestingDepths([[0, 10], [1, 2], [3, 9], [4, 5], [11, 12], [11, 12]]), [0, 1, 1, 2, 0, 1]);
  const record = tiny();
  record.steps.push({ scenario: 'cut', name: 'inner', start: T0 + 1000, end: T0 + 2000, ok: false });
  const data = timelineData(scenarioSlice(record, scenarioWindows(record)[0]));
  t.deepEqual(data.lanes.slice(0, 2), ['steps', 'steps level 2']);
  t.deepEqual(data.steps[1], { n: 2, lane: 'steps level 2', from: 1, to: 2, failed: true });
});

test('a client probing two servers gets one matrix per server, colours shared', (t) => {
  const record = tiny();
  record.dnsOrder = [
    { at: T0 + 100, client: 'h1', answers: ['198.18.1.1', '198.18.2.1'], via: 'front' },
    { at: T0 + 110, client: 'h1', answers: ['198.18.3.1'], via: 'resolver' },
    { at: T0 + 120, client: 'h1', answers: ['198.18.1.1', '198.18.2.1'], via: 'front' },
    { at: T0 + 130, client: 'h1', answers: ['198.18.3.1'], via: 'resolver' },
  ];
  const groups = sortOrderGroups(scenarioSlice(record, scenarioWindows(record)[0]));
  t.deepEqual(groups.map((g) => g.via), ['front', 'resolver']);
  for (const g of groups) t.deepEqual(g.data.addresses, ['198.18.1.1', '198.18.2.1', '198.18.3.1']);
  // Not interleaved: the front's rank 1 holds one address for the whole window.
  t.deepEqual(groups[0].data.cells.filter((c) => c.rank === 1).map((c) => [c.address, c.from, c.to]), [['198.18.1.1', 0.1, 10]]);
});

/**
 * FIXTURE FOR RENDERING TESTS — a synthetic run record, not a measurement.
 *
 * It imitates what a run of the multihomed BGPDNS lab records (four scenarios,
 * steps, faults, BGP events at several routers, DNS answer-order changes at several
 * clients, measurements with trials and SLOs, one SLO missed and one assertion
 * failed) so that the report, JUnit and browser tests have realistic input without
 * a lab. The numbers are drawn from a seeded generator shaped after timings measured in this project's labs
 * (link down → 4 ms, hold timer 9.6–12 s, BFD 0.7–0.9 s); nothing here was measured.
 */
import { RUN_RECORD_VERSION } from '../src/run/record.js';
import { sloMet } from '../src/run/stats.js';
import { summarize } from '@bgpdns-lab/bgpdns';
import type {
  Assertion,
  DnsOrderSample,
  FaultEvent,
  Measurement,
  ObservedEvent,
  RunRecord,
  RunTopology,
  Slo,
  Step,
} from '../src/run/record.js';

export interface FixtureOptions {
  run?: string;
  seed?: number;
  /** ISO time of the run start. */
  startedAt?: string;
  /** Trials per timed scenario (default 3). */
  trials?: number;
  /** When false, the BFD trials all stay inside their SLO and the failing assertion passes. */
  withFailures?: boolean;
}

/** Server addresses, one per upstream ISP (the BGPDNS "one address per ISP"). */
export const FIXTURE_ADDRESSES = { isp1: '198.18.1.10', isp2: '198.18.2.10', isp3: '198.18.3.10' } as const;
export const FIXTURE_CLIENTS = ['client1', 'client2', 'client3'] as const;

/** Deterministic PRNG (mulberry32) so every render of the fixture is identical. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function topology(): RunTopology {
  const nodes: RunTopology['nodes'] = [
    { name: 'site', kind: 'frr', asn: 64500 },
    { name: 'sorter', kind: 'bgpdns-sorter', addresses: ['198.18.0.20'] },
    { name: 'dns', kind: 'bgpdns-dns', addresses: ['198.18.0.53'] },
    { name: 'tinydns', kind: 'tinydns', addresses: ['198.18.0.54'] },
    { name: 'isp1', kind: 'frr', asn: 64501 },
    { name: 'isp2', kind: 'frr', asn: 64502 },
    { name: 'isp3', kind: 'frr', asn: 64503 },
    { name: 'transit1', kind: 'frr', asn: 64510 },
    { name: 'transit2', kind: 'frr', asn: 64511 },
    { name: 'cas1', kind: 'frr', asn: 64521 },
    { name: 'cas2', kind: 'frr', asn: 64522 },
    { name: 'cas3', kind: 'frr', asn: 64523 },
    { name: 'client1', kind: 'client', addresses: ['198.18.21.2'] },
    { name: 'client2', kind: 'client', addresses: ['198.18.22.2'] },
    { name: 'client3', kind: 'client', addresses: ['198.18.23.2'] },
  ];
  const pairs: [string, string, string, string][] = [
    ['site', 'eth1', 'isp1', 'eth1'],
    ['site', 'eth2', 'isp2', 'eth1'],
    ['site', 'eth3', 'isp3', 'eth1'],
    ['site', 'eth4', 'sorter', 'eth1'],
    ['site', 'eth5', 'dns', 'eth1'],
    ['dns', 'eth2', 'tinydns', 'eth1'],
    ['isp1', 'eth2', 'transit1', 'eth1'],
    ['isp2', 'eth2', 'transit1', 'eth2'],
    ['isp2', 'eth3', 'transit2', 'eth1'],
    ['isp3', 'eth2', 'transit2', 'eth2'],
    ['cas1', 'eth1', 'isp1', 'eth3'],
    ['cas1', 'eth2', 'transit2', 'eth3'],
    ['cas2', 'eth1', 'isp2', 'eth4'],
    ['cas2', 'eth2', 'transit1', 'eth3'],
    ['cas3', 'eth1', 'isp3', 'eth3'],
    ['cas3', 'eth2', 'transit1', 'eth4'],
    ['client1', 'eth1', 'cas1', 'eth3'],
    ['client2', 'eth1', 'cas2', 'eth3'],
    ['client3', 'eth1', 'cas3', 'eth3'],
  ];
  return { nodes, links: pairs.map(([an, ai, bn, bi]) => ({ a: { node: an, iface: ai }, b: { node: bn, iface: bi } })) };
}

/** Builds the record step by step on one clock, like a recorder would. */
class FixtureRecorder {
  readonly steps: Step[] = [];
  readonly faults: FaultEvent[] = [];
  readonly events: ObservedEvent[] = [];
  readonly measurements: Measurement[] = [];
  readonly assertions: Assertion[] = [];
  readonly dnsOrder: DnsOrderSample[] = [];
  /** Milliseconds since t0. */
  now = 0;
  constructor(
    readonly t0: number,
    readonly rand: () => number,
  ) {}

  between(lo: number, hi: number): number {
    return round(lo + (hi - lo) * this.rand());
  }
  step(scenario: string, name: string, durationMs: number, ok = true): void {
    this.steps.push({ scenario, name, start: this.t0 + this.now, end: this.t0 + this.now + durationMs, ok });
    this.now += durationMs;
  }
  fault(scenario: string, fault: string, target: string, action: 'inject' | 'revert', at: number, args?: Record<string, unknown>): void {
    this.faults.push({ at: this.t0 + at, fault, target, action, scenario, ...(args ? { args } : {}) });
  }
  event(scenario: string, node: string, plane: 'bgp' | 'dns', type: string, source: string, at: number, detail?: Record<string, unknown>): void {
    this.events.push({ at: this.t0 + at, node, plane, type, source, scenario, ...(detail ? { detail } : {}) });
  }
  order(scenario: string, client: string, at: number, answers: string[]): void {
    this.dnsOrder.push({ at: this.t0 + at, client, answers, scenario, qname: 'www.svc.example', via: 'dns' });
  }
  measure(scenario: string, name: string, plane: 'bgp' | 'dns', trials: number[], slo: Slo, extra: Partial<Measurement> = {}): void {
    // The recorder's own statistics (nearest rank) and verdict (every trial meets the SLO).
    this.measurements.push({
      name,
      plane,
      unit: 'ms',
      trials,
      ...summarize(trials),
      slo,
      met: sloMet(trials, slo),
      scenario,
      ...extra,
    });
  }
  assert(scenario: string, name: string, ok: boolean, message?: string): void {
    this.assertions.push({ scenario, name, ok, ...(message ? { message } : {}) });
  }
}

const { isp1, isp2, isp3 } = FIXTURE_ADDRESSES;
/** Each client's best ISP comes first when routing is intact. */
const PREFERRED: Record<string, string[]> = {
  client1: [isp1, isp2, isp3],
  client2: [isp2, isp3, isp1],
  client3: [isp3, isp1, isp2],
};

function sortOrder(r: FixtureRecorder): void {
  const sc = 'sort-order';
  r.step(sc, 'wait for BGP converged at every router', r.between(2200, 2800));
  const at = r.now;
  for (const client of FIXTURE_CLIENTS) r.order(sc, client, at + r.between(10, 40), PREFERRED[client]);
  r.step(sc, 'query www.svc.example from every client', 1200);
  for (const client of FIXTURE_CLIENTS) {
    r.assert(sc, `${client} gets ${PREFERRED[client][0]} first`, true);
  }
}

/** Cut client AS 1's link to its preferred ISP; measure routers, sorter and client1's answers. */
function linkCut(r: FixtureRecorder, trials: number): void {
  const sc = 'upstream-link-cut';
  const routerMoved: number[] = [];
  const sorterMoved: number[] = [];
  const answersMoved: number[] = [];
  for (let k = 1; k <= trials; k++) {
    const cut = r.now + 200;
    r.step(sc, `trial ${k}: cut cas1—isp1`, 200);
    r.fault(sc, 'link-down', 'cas1:eth1', 'inject', cut);
    const sessionDown = cut + r.between(3, 6);
    const router = sessionDown + r.between(2, 25);
    const sorter = cut + r.between(950, 1150);
    const answers = sorter + r.between(12, 60);
    r.event(sc, 'cas1', 'bgp', 'session-down', 'frr-log', sessionDown, { peer: 'isp1' });
    r.event(sc, 'isp1', 'bgp', 'session-down', 'frr-log', cut + r.between(3, 6), { peer: 'cas1' });
    r.event(sc, 'cas1', 'bgp', 'bestpath-changed', 'vty-poll', router, { prefix: '198.18.1.0/24', via: 'transit2' });
    r.event(sc, 'sorter', 'bgp', 'bestpath-changed', 'vty-poll', sorter, { prefix: '198.18.21.0/24', via: 'isp2' });
    r.event(sc, 'client1', 'dns', 'answer-order-changed', 'dns-probe', answers, { first: isp2 });
    r.order(sc, 'client1', answers, [isp2, isp3, isp1]);
    routerMoved.push(round(router - cut));
    sorterMoved.push(round(sorter - cut));
    answersMoved.push(round(answers - cut));
    r.step(sc, `trial ${k}: wait for client1's answers to move`, answers - r.now + 300);
    const restore = r.now + 100;
    r.fault(sc, 'link-down', 'cas1:eth1', 'revert', restore);
    const up = restore + r.between(1200, 1500);
    r.event(sc, 'cas1', 'bgp', 'session-up', 'frr-log', up, { peer: 'isp1' });
    r.event(sc, 'isp1', 'bgp', 'session-up', 'frr-log', up + r.between(0, 2), { peer: 'cas1' });
    r.event(sc, 'cas1', 'bgp', 'bestpath-changed', 'vty-poll', up + r.between(20, 60), { prefix: '198.18.1.0/24', via: 'isp1' });
    const sorterBack = up + r.between(900, 1100);
    r.event(sc, 'sorter', 'bgp', 'bestpath-changed', 'vty-poll', sorterBack, { prefix: '198.18.21.0/24', via: 'isp1' });
    const back = sorterBack + r.between(12, 60);
    r.event(sc, 'client1', 'dns', 'answer-order-changed', 'dns-probe', back, { first: isp1 });
    r.order(sc, 'client1', back, PREFERRED.client1);
    r.step(sc, `trial ${k}: restore and wait for the original order`, back - r.now + 400);
  }
  const slo: Slo = { op: '<', value: 15000 };
  r.measure(sc, 'link-cut: cas1 best path moved', 'bgp', routerMoved, slo, { description: 'cut → cas1 best path to 198.18.1.0/24 leaves isp1' });
  r.measure(sc, 'link-cut: sorter best path moved', 'bgp', sorterMoved, slo, { description: "cut → the sorter's best path to client1's network leaves isp1" });
  r.measure(sc, 'link-cut: client1 answer order changed', 'dns', answersMoved, slo, {
    description: 'cut → the first answer client1 receives is no longer 198.18.1.10',
  });
  r.assert(sc, 'client2 and client3 answers unchanged during the cuts', true);
}

/** Silent drop between site and isp1: hold timer without BFD, BFD detection with it. */
function silentFailure(r: FixtureRecorder, trials: number, withFailures: boolean): void {
  const sc = 'silent-upstream-failure';
  for (const bfd of [false, true]) {
    const withdrawn: number[] = [];
    const moved: number[] = [];
    for (let k = 1; k <= trials; k++) {
      const label = bfd ? 'with BFD' : 'hold timer';
      const drop = r.now + 150;
      r.step(sc, `trial ${k} (${label}): drop site—isp1 silently`, 150);
      r.fault(sc, 'silent-drop', 'site:eth1', 'inject', drop, { bfd });
      const slowTrial = bfd && withFailures && k === trials;
      const detect = drop + (bfd ? (slowTrial ? r.between(2250, 2400) : r.between(700, 900)) : r.between(9600, 12000));
      r.event(sc, 'site', 'bgp', bfd ? 'bfd-down' : 'hold-timer-expired', 'frr-log', detect, { peer: 'isp1' });
      r.event(sc, 'sorter', 'bgp', 'session-down', 'frr-log', detect + r.between(1, 4), { peer: 'isp1' });
      const sorter = detect + r.between(5, 30);
      r.event(sc, 'sorter', 'bgp', 'bestpath-changed', 'vty-poll', sorter, { prefix: '198.18.21.0/24', via: 'isp2' });
      const answers = sorter + r.between(12, 60);
      r.event(sc, 'client1', 'dns', 'answer-order-changed', 'dns-probe', answers, { first: isp2 });
      r.order(sc, 'client1', answers, [isp2, isp3, isp1]);
      withdrawn.push(round(sorter - drop));
      moved.push(round(answers - drop));
      r.step(sc, `trial ${k} (${label}): wait for the withdrawal`, answers - r.now + 200);
      const restore = r.now + 100;
      r.fault(sc, 'silent-drop', 'site:eth1', 'revert', restore, { bfd });
      const up = restore + r.between(1500, 2600);
      r.event(sc, 'site', 'bgp', 'session-up', 'frr-log', up, { peer: 'isp1' });
      r.event(sc, 'sorter', 'bgp', 'session-up', 'frr-log', up + r.between(30, 90), { peer: 'isp1' });
      const back = up + r.between(1000, 1300);
      r.event(sc, 'client1', 'dns', 'answer-order-changed', 'dns-probe', back, { first: isp1 });
      r.order(sc, 'client1', back, PREFERRED.client1);
      r.step(sc, `trial ${k} (${label}): restore`, back - r.now + 300);
    }
    if (bfd) {
      const slo: Slo = { op: '<', value: 2000 };
      r.measure(sc, 'silent failure + BFD: sorter withdrawal', 'bgp', withdrawn, slo);
      r.measure(sc, 'silent failure + BFD: client1 answer order changed', 'dns', moved, slo);
    } else {
      const slo: Slo = { op: '<', value: 15000 };
      const claim = { source: 'seed 000 (telecom design)', text: 'sub-15 s failover from timers 3 12', value: 15000 };
      r.measure(sc, 'silent failure: sorter withdrawal (hold timer)', 'bgp', withdrawn, slo, { claim });
      r.measure(sc, 'silent failure: client1 answer order changed', 'dns', moved, slo);
    }
  }
  r.assert(
    sc,
    'BFD session back up within 5 s of restore',
    !withFailures,
    withFailures ? 'site: BFD peer 198.18.0.1 (isp1) still down 5.0 s after the drop was removed' : undefined,
  );
}

/** Freeze the sorter: the DNS front must keep answering (random order), mark it defective, recover. */
function sorterFrozen(r: FixtureRecorder, trials: number): void {
  const sc = 'sorter-frozen';
  const latency: number[] = [];
  const recovered: number[] = [];
  for (let k = 1; k <= trials; k++) {
    const freeze = r.now + 100;
    r.step(sc, `trial ${k}: freeze the sorter (SIGSTOP)`, 100);
    r.fault(sc, 'freeze', 'sorter', 'inject', freeze);
    r.event(sc, 'dns', 'dns', 'sorter-defective', 'metrics', freeze + r.between(150, 200), { failures: 3 });
    for (const client of FIXTURE_CLIENTS) {
      // Unordered answers: every query may come back in a new order.
      for (let t = freeze + r.between(50, 60); t < freeze + 3000; t += r.between(240, 420)) {
        const shuffled = [...PREFERRED[client]].sort(() => r.rand() - 0.5);
        r.order(sc, client, t, shuffled);
      }
      r.event(sc, client, 'dns', 'answer-order-changed', 'dns-probe', freeze + r.between(50, 60), { first: 'random' });
      latency.push(r.between(48, 58));
    }
    r.step(sc, `trial ${k}: answers keep coming, unordered`, 3000);
    const thaw = r.now + 100;
    r.fault(sc, 'freeze', 'sorter', 'revert', thaw);
    const ordered = thaw + r.between(500, 1100);
    r.event(sc, 'dns', 'dns', 'sorter-healthy', 'metrics', ordered - 10);
    for (const client of FIXTURE_CLIENTS) {
      r.order(sc, client, ordered + r.between(0, 20), PREFERRED[client]);
      r.event(sc, client, 'dns', 'answer-order-changed', 'dns-probe', ordered, { first: PREFERRED[client][0] });
    }
    recovered.push(round(ordered - thaw));
    r.step(sc, `trial ${k}: thaw and wait for ordered answers`, ordered - r.now + 500);
  }
  r.measure(sc, 'sorter frozen: answer latency', 'dns', latency, { op: '<', value: 100 }, { description: "the front's 50 ms sorter timeout plus slack" });
  r.measure(sc, 'sorter thawed: ordered answers again', 'dns', recovered, { op: '<', value: 5000 });
  r.assert(sc, 'sorter marked defective after repeated timeouts', true);
  r.assert(sc, 'no SERVFAIL while the sorter was frozen', true);
}

/** A complete, valid synthetic run record (see the file comment: a fixture, not data). */
export function syntheticRunRecord(options: FixtureOptions = {}): RunRecord {
  const trials = options.trials ?? 3;
  const withFailures = options.withFailures ?? true;
  const rand = seeded(options.seed ?? 7);
  const t0 = 81_234_567.125;
  const r = new FixtureRecorder(t0, rand);
  sortOrder(r);
  linkCut(r, trials);
  silentFailure(r, trials, withFailures);
  sorterFrozen(r, trials);
  const startedAt = options.startedAt ?? '2026-11-21T22:14:03.512Z';
  const finishedAt = new Date(Date.parse(startedAt) + Math.ceil(r.now)).toISOString();
  const met = r.measurements.every((m) => m.met) && r.assertions.every((a) => a.ok);
  return {
    version: RUN_RECORD_VERSION,
    run: options.run ?? '20261121-221403-fixture',
    startedAt,
    finishedAt,
    lab: 'multihomed',
    runtime: 'netns',
    machine: { kernel: '6.18.44', cores: 2, frrVersion: '8.4.4', netem: false, node: 'v20.20.2' },
    scenarios: ['sort-order', 'upstream-link-cut', 'silent-upstream-failure', 'sorter-frozen'],
    steps: r.steps,
    faults: r.faults,
    events: r.events.sort((a, b) => a.at - b.at),
    measurements: r.measurements,
    assertions: r.assertions,
    met,
    t0,
    topology: topology(),
    dnsOrder: r.dnsOrder.sort((a, b) => a.at - b.at),
  };
}

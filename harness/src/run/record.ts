/**
 * The run record (run.json): what one `bgpdns-lab run` did and saw.
 * CONTRACT (docs/contracts.md): fields are only ever added.
 * The reports issue owns the full, versioned JSON schema (docs/run-record.md);
 * this file is its TypeScript shape.
 */
import type { Millis } from '../clock.js';

export const RUN_RECORD_VERSION = 1;

export type Plane = 'bgp' | 'dns' | 'data' | 'harness';

export interface Slo {
  op: '<' | '<=' | '>' | '>=';
  value: number;
}

export interface Measurement {
  name: string;
  plane: Plane;
  unit: 'ms' | 'count' | 'ratio';
  /** One value per trial, in trial order. */
  trials: number[];
  p50: number;
  p95: number;
  max: number;
  slo?: Slo;
  /** Which statistic the SLO was checked against; absent means "max" (every trial must meet it). */
  sloOn?: 'p50' | 'p95' | 'max';
  met: boolean;
  /** Which scenario measured it. */
  scenario?: string;
  description?: string;
  /** What a source document claims for the same figure, shown beside the measurement. */
  claim?: Claim;
  /** Lab split over hosts: the largest clock error bound of any host (ms); its events were converted with it. */
  clockErrorMs?: number;
  /** clockErrorMs is more than 10 % of the SLO: the figure is less certain than it looks. */
  clockFlag?: boolean;
}

/** One estimate of a host's clock against the harness's (docs/scaling.md: request/response). */
export interface HostClockSample {
  /** Before the first part or after the last. */
  when: 'before' | 'after';
  /** Harness monotonic time of the estimate. */
  at: Millis;
  /** Host clock minus harness clock, ms. */
  offsetMs: number;
  /** Bound on the offset's error, ms (half the best round trip). */
  errorMs: number;
  rttMs: number;
  exchanges: number;
}

/** A host of a lab split over hosts: where it is, and its clock. */
export interface RunHost {
  name: string;
  endpoint: string;
  underlay: string;
  clock: HostClockSample[];
}

/** A figure claimed elsewhere (e.g. the seed design's "8–15 s partner failover"). */
export interface Claim {
  /** Where the claim comes from, e.g. "seed 000 (telecom design)". */
  source: string;
  /** The claim as written there. */
  text: string;
  /** The claimed figure in the measurement's unit, when the claim has one. */
  value?: number;
}

export interface Step {
  scenario: string;
  name: string;
  start: Millis;
  end?: Millis;
  ok?: boolean;
  error?: string;
}

export interface FaultEvent {
  at: Millis;
  /** e.g. "link-down", "silent-drop", "freeze", "kill". */
  fault: string;
  target: string;
  action: 'inject' | 'revert';
  args?: Record<string, unknown>;
  /** Scenario that injected it; when absent, reports place it by its steps' time windows. */
  scenario?: string;
}

export interface ObservedEvent {
  at: Millis;
  node: string;
  plane: Plane;
  /** e.g. "prefix-added", "bestpath-changed", "prefix-removed", "answer-order-changed". */
  type: string;
  /** Where the time came from: vty poll, FRR log timestamp, DNS probe. */
  source: string;
  detail?: Record<string, unknown>;
  /** Scenario during which it was seen; when absent, reports place it by its steps' time windows. */
  scenario?: string;
}

export interface Assertion {
  scenario: string;
  name: string;
  ok: boolean;
  message?: string;
}

export interface MachineFacts {
  kernel: string;
  cores: number;
  frrVersion?: string;
  netem: boolean;
  node: string;
}

/** The lab's shape, for the report's diagram: nodes and point-to-point links. */
export interface RunTopology {
  nodes: { name: string; kind: string; group?: string; asn?: number; addresses?: string[]; host?: string }[];
  links: { a: { node: string; iface: string }; b: { node: string; iface: string } }[];
}

/**
 * One DNS answer as a client saw it: the addresses in answer order. A sample holds
 * until the client's next sample, so recorders may store only the samples where the
 * order changed.
 */
export interface DnsOrderSample {
  at: Millis;
  client: string;
  answers: string[];
  scenario?: string;
  /** Name queried, e.g. "www.svc.example". */
  qname?: string;
  /** Which server answered: the DNS front directly, or a resolver. */
  via?: string;
  rcode?: string;
}

export interface RunRecord {
  version: typeof RUN_RECORD_VERSION;
  run: string;
  startedAt: string;
  finishedAt?: string;
  lab: string;
  runtime: string;
  machine: MachineFacts;
  scenarios: string[];
  steps: Step[];
  faults: FaultEvent[];
  events: ObservedEvent[];
  measurements: Measurement[];
  assertions: Assertion[];
  met: boolean;
  /** Monotonic time of the run start; every `at` above is on the same clock. */
  t0: Millis;
  /** The lab's nodes and links (for the topology diagram). */
  topology?: RunTopology;
  /** DNS answer order over time per client (for the sort-order matrix). */
  dnsOrder?: DnsOrderSample[];
  /** Why the lab could not be built or torn down (the run exits 2). */
  error?: string;
  /** Hosts of a lab split over several (topology.nodes[].host names them), with their clock offsets. */
  hosts?: RunHost[];
}

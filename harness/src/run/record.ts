/**
 * The run record (run.json): what one `bgpdns-lab run` did and saw.
 * CONTRACT (../shared/design/CONTRACTS.md): fields are only ever added.
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
  met: boolean;
  /** Which scenario measured it. */
  scenario?: string;
  description?: string;
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
}

/**
 * The run recorder: one per `bgpdns-lab run` (or per ava scenario file). Steps,
 * injected faults, observed events, assertions and measurements all land here on
 * the one monotonic clock, and `write()` produces reports/<run-id>/run.json.
 */
import os from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { monoNow, type Millis } from '../clock.js';
import type { Assertion, Claim, DnsOrderSample, FaultEvent, HostClockSample, MachineFacts, Measurement, ObservedEvent, Plane, RunHost, RunRecord, RunTopology, Slo, Step } from './record.js';
import { clockFlag } from './host-clock.js';
import { RUN_RECORD_VERSION } from './record.js';
import { formatSlo, sloMet } from './stats.js';
import { summarize } from '@bgpdns-lab/bgpdns';
import { validateRunRecord } from './schema.js';

/** What faults and probes need of a recorder: somewhere to put what they did and saw. */
export interface RunSink {
  fault(ev: FaultEvent): void;
  event(ev: ObservedEvent): void;
}

export interface MeasurementSpec {
  plane: Plane;
  unit?: Measurement['unit'];
  slo?: Slo;
  description?: string;
  scenario?: string;
  /** What a source document claims for the same figure (shown beside it in reports). */
  claim?: Claim;
}

/** A measurement being taken: add one value per trial, then check its SLO. */
export class MeasurementSeries {
  readonly trials: number[] = [];
  constructor(
    readonly name: string,
    readonly spec: MeasurementSpec,
  ) {}

  add(value: number): void {
    if (!Number.isFinite(value)) throw new Error(`measurement "${this.name}": trial value must be a finite number, got ${value}`);
    this.trials.push(value);
  }

  get met(): boolean {
    return sloMet(this.trials, this.spec.slo);
  }

  toMeasurement(): Measurement {
    if (this.trials.length === 0) throw new Error(`measurement "${this.name}" has no trials`);
    const round = (x: number) => Math.round(x * 10) / 10;
    const trials = this.trials.map(round);
    return {
      name: this.name,
      plane: this.spec.plane,
      unit: this.spec.unit ?? 'ms',
      trials,
      ...summarize(trials),
      ...(this.spec.slo ? { slo: this.spec.slo } : {}),
      met: sloMet(trials, this.spec.slo),
      ...(this.spec.scenario ? { scenario: this.spec.scenario } : {}),
      ...(this.spec.description ? { description: this.spec.description } : {}),
      ...(this.spec.claim ? { claim: this.spec.claim } : {}),
    };
  }

  /** One line for tables and assertion messages. */
  describe(): string {
    const unit = this.spec.unit ?? 'ms';
    const s = this.trials.length ? summarize(this.trials) : undefined;
    const figures = s ? `p50 ${Math.round(s.p50)} ${unit}, max ${Math.round(s.max)} ${unit} over ${this.trials.length} trial(s)` : 'no trials';
    return `${this.name}: ${figures}${this.spec.slo ? `, SLO ${formatSlo(this.spec.slo, unit)}` : ''}`;
  }
}

export interface RecorderOptions {
  lab: string;
  runtime: string;
  scenarios: string[];
  /** Defaults to a new id: <UTC time>-<first scenario>-<random>. */
  run?: string;
  /** Where reports go. Default: $BGPDNS_REPORTS or <cwd>/reports. */
  reportsDir?: string;
}

export class RunRecorder implements RunSink {
  readonly run: string;
  readonly t0: Millis = monoNow();
  readonly startedAt = new Date().toISOString();
  readonly steps: Step[] = [];
  readonly faults: FaultEvent[] = [];
  readonly events: ObservedEvent[] = [];
  readonly assertions: Assertion[] = [];
  private readonly series = new Map<string, MeasurementSeries>();
  private topology?: RunTopology;
  private readonly hosts = new Map<string, RunHost>();
  private readonly dnsOrderSamples: DnsOrderSample[] = [];
  private error?: string;
  /** Scenario name stamped on steps, faults, events recorded from now on. */
  scenario: string;
  readonly reportsDir: string;

  constructor(readonly opts: RecorderOptions) {
    this.scenario = opts.scenarios[0] ?? 'run';
    this.run = opts.run ?? newRunId(this.scenario);
    this.reportsDir = opts.reportsDir ?? process.env.BGPDNS_REPORTS ?? join(process.cwd(), 'reports');
  }

  fault(ev: FaultEvent): void {
    this.faults.push({ scenario: this.scenario, ...ev });
  }

  event(ev: ObservedEvent): void {
    this.events.push({ scenario: this.scenario, ...ev });
  }

  /** Run `fn` as a named step; its start, end and outcome go into the record. Rethrows. */
  async step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const step: Step = { scenario: this.scenario, name, start: monoNow() };
    this.steps.push(step);
    try {
      const result = await fn();
      step.ok = true;
      return result;
    } catch (err) {
      step.ok = false;
      step.error = (err as Error).message;
      throw err;
    } finally {
      step.end = monoNow();
    }
  }

  /** The series for a measurement name (created on first use with `spec`). */
  measurement(name: string, spec: MeasurementSpec): MeasurementSeries {
    let s = this.series.get(name);
    if (!s) {
      s = new MeasurementSeries(name, { scenario: this.scenario, ...spec });
      this.series.set(name, s);
    }
    return s;
  }

  measurements(): MeasurementSeries[] {
    return [...this.series.values()].filter((s) => s.trials.length > 0);
  }

  assertion(name: string, ok: boolean, message?: string): void {
    this.assertions.push({ scenario: this.scenario, name, ok, ...(message ? { message } : {}) });
  }

  /** A client's DNS answer in answer order, for the report's sort-order matrix (recording only changes is enough). */
  dnsOrder(sample: DnsOrderSample): void {
    this.dnsOrderSamples.push({ scenario: this.scenario, ...sample });
  }

  /** A host of a split lab and one estimate of its clock. */
  hostClock(host: Omit<RunHost, 'clock'>, sample: HostClockSample): void {
    const h = this.hosts.get(host.name) ?? { ...host, clock: [] };
    h.clock.push(sample);
    this.hosts.set(host.name, h);
  }

  /** The largest clock error bound of any host so far (0 on one host). */
  get clockErrorMs(): number {
    return Math.max(0, ...[...this.hosts.values()].flatMap((h) => h.clock.map((c) => c.errorMs)));
  }

  setTopology(topology: RunTopology): void {
    this.topology = topology;
  }

  /** The lab could not be built or torn down: the run fails with exit 2. */
  setError(message: string): void {
    this.error = this.error ? `${this.error}; ${message}` : message;
  }

  get hasError(): boolean {
    return this.error !== undefined;
  }

  get met(): boolean {
    return !this.error && this.assertions.every((a) => a.ok) && this.measurements().every((m) => m.met);
  }

  toRecord(machine: MachineFacts): RunRecord {
    return {
      version: RUN_RECORD_VERSION,
      run: this.run,
      startedAt: this.startedAt,
      finishedAt: new Date().toISOString(),
      lab: this.opts.lab,
      runtime: this.opts.runtime,
      machine,
      scenarios: this.opts.scenarios,
      steps: this.steps,
      faults: this.faults,
      events: this.events,
      measurements: this.measurements().map((m) => this.withClock(m.toMeasurement())),
      assertions: this.assertions,
      met: this.met,
      t0: this.t0,
      ...(this.topology ? { topology: this.topology } : {}),
      ...(this.dnsOrderSamples.length > 0 ? { dnsOrder: this.dnsOrderSamples } : {}),
      ...(this.error ? { error: this.error } : {}),
      ...(this.hosts.size > 0 ? { hosts: [...this.hosts.values()] } : {}),
    };
  }

  /** On a split lab, every measurement carries the clock error bound and its flag. */
  private withClock(m: Measurement): Measurement {
    if (this.hosts.size === 0) return m;
    const clockErrorMs = this.clockErrorMs;
    return { ...m, clockErrorMs, clockFlag: clockFlag(clockErrorMs, m.slo) };
  }

  /** Write reports/<run>/run.json; returns its path relative to the working directory. */
  async write(machine: MachineFacts): Promise<{ path: string; record: RunRecord }> {
    const record = validateRunRecord(this.toRecord(machine), `run record ${this.run}`);
    const dir = join(this.reportsDir, this.run);
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'run.json');
    await writeFile(path, `${JSON.stringify(record, null, 2)}\n`);
    return { path: relative(process.cwd(), path) || path, record };
  }
}

/** A run id that names a directory: 20261122T001500Z-upstream-failover-3fa2. */
export function newRunId(label: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const safe = label.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
  return `${stamp}-${safe}-${randomBytes(2).toString('hex')}`;
}

/** Facts about this machine for the record. */
export function machineFacts(extra: Partial<MachineFacts> = {}): MachineFacts {
  return { kernel: os.release(), cores: os.cpus().length, netem: false, node: process.version, ...extra };
}

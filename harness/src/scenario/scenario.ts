/**
 * A scenario: a story on a lab, in parts. The same definition runs under ava
 * (scenarios/*.test.ts: each part a `test.serial`) and under `bgpdns-lab run`
 * (each part in turn, the lab destroyed even when a part throws). Parts talk to
 * the lab only through the ScenarioContext, so both runners record the same
 * steps, faults, events, assertions and measurements into one run record.
 *
 *   export default defineScenario({
 *     name: 'upstream-failover',
 *     lab: { file: 'labs/multihomed/multihomed.clab.yml', name: 'mh-failover' },
 *     parts: [{ name: 'converge', run: async (s) => { … } }, …],
 *   });
 */
import type { HostNeed } from '../install/host-need.js';
import type { DeployedLab } from '../lab/handle.js';
import type { FrrControl } from '../frr/frr-control.js';
import type { Faults } from '../faults/faults.js';
import type { RouteWatcher, RouteWatchOptions } from '../probes/route-watcher.js';
import type { MeasurementSeries, MeasurementSpec, RunRecorder } from '../run/recorder.js';

export interface ScenarioLab {
  /** Topology file, relative to the repository root (or absolute). */
  file: string;
  /** Deploy under this lab name instead of the file's (unique per scenario, so runs never collide). */
  name?: string;
  /**
   * Split the lab over the hosts of a simulated host set (`bgpdns-lab hosts up`):
   * `place` maps node names or groups to host names, `*` every other node.
   * Needs the docker runtime.
   */
  hosts?: { set: string; place: Record<string, string> };
}

export interface ScenarioPart {
  name: string;
  /** Longest this part may take (ava's timeout for it). Default 5 minutes. */
  timeoutMs?: number;
  run(s: ScenarioContext): Promise<void>;
}

export interface Scenario {
  name: string;
  description?: string;
  lab: ScenarioLab;
  parts: ScenarioPart[];
  /**
   * Programs the story itself runs in its nodes beyond what their kinds run (e.g. dig on
   * a client). On the netns runtime they come from the host: the launcher installs them
   * for the commands that run the scenario, and deploying refuses without them.
   */
  hostNeeds?: readonly HostNeed[];
}

export function defineScenario(s: Scenario): Scenario {
  if (s.parts.length === 0) throw new Error(`scenario ${s.name}: needs at least one part`);
  const names = new Set<string>();
  for (const p of s.parts) {
    if (names.has(p.name)) throw new Error(`scenario ${s.name}: two parts are named "${p.name}"`);
    names.add(p.name);
  }
  return s;
}

/** What a part gets: the lab and everything to act on it, observe it and record. */
export interface ScenarioContext {
  readonly scenario: string;
  readonly lab: DeployedLab;
  readonly recorder: RunRecorder;
  /** Trials per measurement (`--trials N`, $BGPDNS_TRIALS, default 3). */
  readonly trials: number;
  /** Faults injected in this part; whatever is still in place is reverted when the part ends. */
  readonly faults: Faults;
  frr(node: string): FrrControl;
  /** A route watcher on a node, stopped when the part ends; its events go into the record. */
  watch(node: string, prefixes: string[], opts?: Omit<RouteWatchOptions, 'sink'>): Promise<RouteWatcher>;
  /** A named step of the story (recorded with its start and end). */
  step<T>(name: string, fn: () => Promise<T> | T): Promise<T>;
  /** A measurement series (one value per trial). */
  measurement(name: string, spec: MeasurementSpec): MeasurementSeries;
  /** Record the SLO verdict of a measurement as an assertion; throws when it was not met. */
  expectSlo(series: MeasurementSeries): void;
  /** Record an assertion; throws ScenarioAssertionError when it does not hold. */
  check(name: string, ok: boolean, message?: string): void;
  /** Run `fn` when the part ends (after its faults are reverted), newest first. */
  cleanup(fn: () => Promise<void> | void): void;
  log(message: string): void;
}

export class ScenarioAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioAssertionError';
  }
}

/** Trials from the environment ($BGPDNS_TRIALS) or the default of 3. */
export function defaultTrials(): number {
  const raw = process.env.BGPDNS_TRIALS;
  if (raw === undefined || raw === '') return 3;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BGPDNS_TRIALS must be a whole number ≥ 1, got "${raw}"`);
  return n;
}

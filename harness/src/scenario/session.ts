/**
 * One scenario against one deployed lab: deploys (under the scenario's lab name),
 * builds each part's context, reverts faults and stops watchers after every part,
 * destroys the lab. Shared by the ava adapter and the `run` command.
 */
import { isInstalled, packagesOf } from '../install/host-need.js';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { deploy } from '../lab/deploy.js';
import type { DeployedLab } from '../lab/handle.js';
import { loadTopology } from '../topology/load.js';
import { placeOnHosts } from '../topology/hosts.js';
import { labHostsOf } from '../runtime/hosts/simulated-hosts.js';
import type { Runtime } from '../runtime/runtime.js';
import type { HostClock } from '../runtime/docker.js';
import type { Lab } from '../topology/model.js';
import { FrrControl } from '../frr/frr-control.js';
import { Faults, netemSupported } from '../faults/faults.js';
import { RouteWatcher } from '../probes/route-watcher.js';
import { RunRecorder, machineFacts } from '../run/recorder.js';
import type { MachineFacts } from '../run/record.js';
import { formatSlo } from '../run/stats.js';
import { ScenarioAssertionError, type Scenario, type ScenarioContext, type ScenarioPart } from './scenario.js';

/** Repository root: topology paths in scenarios are relative to it. */
export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

export interface SessionOptions {
  recorder: RunRecorder;
  trials: number;
  runtime?: Runtime;
  log?(message: string): void;
}

export class ScenarioSession {
  lab?: DeployedLab;
  /** Host name → its clock minus the harness's (ms), from the latest estimate (split labs only). */
  private readonly clockOffsets = new Map<string, number>();

  constructor(
    readonly scenario: Scenario,
    private readonly opts: SessionOptions,
  ) {}

  /** Deploy the scenario's lab; on failure the recorder carries the error (exit 2). */
  async deploy(): Promise<DeployedLab> {
    const rec = this.opts.recorder;
    rec.scenario = this.scenario.name;
    const file = path.resolve(REPO_ROOT, this.scenario.lab.file);
    try {
      const model = await loadTopology(file);
      if (this.scenario.lab.name) model.name = this.scenario.lab.name;
      const runtime = this.opts.runtime;
      const lacking = (runtime?.name ?? 'netns') === 'netns' ? (this.scenario.hostNeeds ?? []).filter((n) => !isInstalled(n)) : [];
      if (lacking.length) {
        throw new Error(`scenario ${this.scenario.name} runs ${lacking.map((n) => n.executable).join(', ')} in its nodes: not installed; apt-get install ${packagesOf(lacking).join(' ')}`);
      }
      const split = this.scenario.lab.hosts;
      if (split) {
        if (runtime?.name !== 'docker') throw new Error(`scenario ${this.scenario.name}: a lab split over hosts needs the docker runtime`);
        placeOnHosts(model, labHostsOf(split.set), split.place);
      }
      this.lab =
        runtime?.name === 'attach'
          ? await rec.step(`attach to running lab ${model.name} (${path.relative(REPO_ROOT, file)})`, async () =>
              (await import('../runtime/attach.js')).attachToLab(model, runtime as import('../runtime/attach.js').AttachRuntime),
            )
          : await rec.step(`deploy ${path.relative(REPO_ROOT, file)} as lab ${model.name}`, () => deploy(model, runtime ? { runtime } : {}));
      await this.measureClocks('before');
      rec.setTopology({
        nodes: this.lab.nodes().map((n) => ({ name: n.name, kind: n.kind, ...(n.model.group ? { group: n.model.group } : {}), ...(n.model.host ? { host: n.model.host } : {}) })),
        links: this.lab.model.links.map((l) => ({ a: l.a, b: l.b })),
      });
      return this.lab;
    } catch (err) {
      rec.setError(`scenario ${this.scenario.name}: lab could not be built: ${(err as Error).message}`);
      throw err;
    }
  }

  /**
   * On a lab split over hosts: each host's clock offset and error bound, recorded;
   * route watchers started after it convert the host's FRR log times with it.
   */
  private async measureClocks(when: 'before' | 'after'): Promise<void> {
    const lab = this.lab;
    const runtime = this.opts.runtime as Partial<ClockedRuntime> | undefined;
    if (!lab?.model.hosts?.length || !runtime?.hostClocks) return;
    for (const c of await runtime.hostClocks(lab.model)) {
      const host = lab.model.hosts.find((h) => h.name === c.host)!;
      this.opts.recorder.hostClock(
        { name: host.name, endpoint: host.endpoint, underlay: host.underlay },
        { when, at: c.at, offsetMs: c.offsetMs, errorMs: c.errorMs, rttMs: c.rttMs, exchanges: c.exchanges },
      );
      this.clockOffsets.set(c.host, c.offsetMs);
    }
  }

  /** Run one part; its faults are reverted and watchers stopped however it ends. */
  async runPart(part: ScenarioPart, log: (m: string) => void = this.opts.log ?? (() => undefined)): Promise<void> {
    const lab = this.lab;
    if (!lab) throw new Error(`scenario ${this.scenario.name}: part "${part.name}" needs the lab, which was not deployed`);
    const rec = this.opts.recorder;
    rec.scenario = this.scenario.name;
    const faults = new Faults(lab, rec);
    const watchers: RouteWatcher[] = [];
    const cleanups: (() => Promise<void> | void)[] = [];
    const ctx: ScenarioContext = {
      scenario: this.scenario.name,
      lab,
      recorder: rec,
      trials: this.opts.trials,
      faults,
      frr: (node) => new FrrControl(lab.node(node)),
      watch: async (node, prefixes, wopts) => {
        const offset = this.clockOffsets.get(lab.node(node).model.host ?? '');
        const w = await RouteWatcher.start(lab.node(node), prefixes, { ...wopts, sink: rec, ...(offset !== undefined ? { clockOffsetMs: offset } : {}) });
        watchers.push(w);
        return w;
      },
      step: (name, fn) => rec.step(name, fn),
      measurement: (name, spec) => rec.measurement(name, spec),
      expectSlo: (series) => {
        const ok = series.met;
        const what = series.spec.slo ? `SLO ${formatSlo(series.spec.slo, series.spec.unit)}` : 'recorded';
        rec.assertion(`${series.name}: ${what}`, ok, series.describe());
        if (!ok) throw new ScenarioAssertionError(`SLO not met — ${series.describe()} (trials: ${series.trials.map((v) => Math.round(v)).join(', ')} ms)`);
      },
      check: (name, ok, message) => {
        rec.assertion(name, ok, message);
        if (!ok) throw new ScenarioAssertionError(`${name}${message ? `: ${message}` : ''}`);
      },
      cleanup: (fn) => cleanups.push(fn),
      log,
    };
    try {
      await rec.step(part.name, () => part.run(ctx));
    } catch (err) {
      // A part that throws without a failed check (a wait timed out, a command failed)
      // must still fail the run: record it as a failed assertion so `met` and exit 1 say so.
      if (!(err instanceof ScenarioAssertionError)) rec.assertion(`${part.name}: completed`, false, (err as Error).message);
      throw err;
    } finally {
      const problems: string[] = [];
      await faults.revertAll().catch((e: Error) => problems.push(e.message));
      for (const w of watchers) await w.stop().catch((e: Error) => problems.push(e.message));
      for (const fn of cleanups.reverse()) {
        try {
          await fn();
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
      if (problems.length) log(`clean-up after "${part.name}": ${problems.join('; ')}`);
    }
  }

  /** Destroy the lab; a failure is recorded (exit 2) and rethrown. */
  async destroy(): Promise<void> {
    if (!this.lab) return;
    const lab = this.lab;
    try {
      await this.measureClocks('after');
    } catch (err) {
      this.opts.recorder.setError(`host clocks after the run: ${(err as Error).message}`);
    }
    this.lab = undefined;
    try {
      await this.opts.recorder.step(`destroy lab ${lab.model.name}`, () => lab.destroy());
    } catch (err) {
      this.opts.recorder.setError(`lab ${lab.model.name} could not be torn down: ${(err as Error).message}`);
      throw err;
    }
  }
}

export interface ClockedRuntime {
  hostClocks(lab: Lab): Promise<HostClock[]>;
}

/** Machine facts for the record: FRR's version, and netem as tried in one of the lab's nodes. */
export async function currentMachineFacts(lab?: DeployedLab): Promise<MachineFacts> {
  let frrVersion: string | undefined;
  try {
    const out = execFileSync('/usr/lib/frr/bgpd', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    frrVersion = /version\s+(\S+)/.exec(out)?.[1];
  } catch {
    frrVersion = undefined;
  }
  const node = lab?.nodes()[0];
  const netem = node ? await netemSupported(node) : false;
  return machineFacts({ netem, ...(frrVersion ? { frrVersion } : {}) });
}

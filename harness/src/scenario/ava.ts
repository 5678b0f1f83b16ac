/**
 * Run a scenario under ava: the lab is deployed in `test.before`, each part is a
 * `test.serial` (faults reverted in its teardown), the lab is destroyed and the run
 * record written in `test.after.always` — also when a part failed.
 *   import test from 'ava';
 *   import scenario from './upstream-failover.js';
 *   avaScenario(test, scenario);
 */
import type { TestFn } from 'ava';
import { RunRecorder } from '../run/recorder.js';
import { ScenarioSession, currentMachineFacts } from './session.js';
import { defaultTrials, type Scenario } from './scenario.js';
import type { MachineFacts } from '../run/record.js';
import { defaultRuntimeName, runtimeNamed, type RuntimeName } from '../runtime/by-name.js';

const DEFAULT_PART_TIMEOUT_MS = 5 * 60_000;

export interface AvaScenarioOptions {
  /** Runtime to deploy on; default BGPDNS_RUNTIME, else netns. */
  runtime?: RuntimeName;
  /** Trials per part; default BGPDNS_TRIALS, else 3. */
  trials?: number;
}

export function avaScenario(test: TestFn, scenario: Scenario, opts: AvaScenarioOptions = {}): void {
  const runtimeName = opts.runtime ?? defaultRuntimeName();
  const recorder = new RunRecorder({ lab: scenario.lab.name ?? scenario.lab.file, runtime: runtimeName, scenarios: [scenario.name] });
  const session = new ScenarioSession(scenario, { recorder, trials: opts.trials ?? defaultTrials(), runtime: runtimeNamed(runtimeName) });
  let machine: MachineFacts | undefined;

  test.before(async (t) => {
    t.timeout(120_000, `deploying ${scenario.lab.file}`);
    const lab = await session.deploy();
    machine = await currentMachineFacts(lab);
  });

  for (const part of scenario.parts) {
    test.serial(part.name, async (t) => {
      t.timeout(part.timeoutMs ?? DEFAULT_PART_TIMEOUT_MS, part.name);
      await session.runPart(part, (m) => t.log(m));
      t.pass();
    });
  }

  test.after.always(async (t) => {
    try {
      await session.destroy();
    } finally {
      const { path } = await recorder.write(machine ?? (await currentMachineFacts()));
      t.log(`run record: ${path}`);
    }
  });
}

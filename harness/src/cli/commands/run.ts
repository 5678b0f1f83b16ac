import { defineCommand, UsageError, wholeNumber } from '../command.js';
import type { RunOptions } from '../../scenario/runner.js';
import type { Scenario } from '../../scenario/scenario.js';
import { labNameOf } from '../lab-arg.js';
import { RUNTIME_NAMES, runtimeNameOf } from '../../runtime/names.js';

/** The options `run` and `demo` share. */
export const RUN_OPTIONS = { trials: { type: 'string' }, runtime: { type: 'string' } } as const;

/**
 * `--trials N` (else $BGPDNS_TRIALS, else 3); `--runtime` (any of RUNTIME_NAMES); `--attach LAB`
 * = `--runtime attach` under lab LAB (a name or a topology file) instead of each scenario's own.
 */
export function runFlags(values: { trials?: string; runtime?: string; attach?: string }): Pick<RunOptions, 'trials' | 'runtime' | 'labName'> {
  const trials = wholeNumber(values.trials ?? process.env.BGPDNS_TRIALS ?? '3', values.trials !== undefined ? '--trials' : 'BGPDNS_TRIALS');
  if (values.attach !== undefined) {
    if (values.runtime !== undefined) throw new UsageError('--attach LAB drives a running lab; it takes no --runtime');
    return { trials, runtime: 'attach', labName: labNameOf(values.attach) };
  }
  return { trials, runtime: runtimeNameOf(values.runtime ?? 'netns', RUNTIME_NAMES, '--runtime', UsageError) };
}

/** Scenarios by name or path; an unknown one is a usage error (nothing has run yet). */
export async function loadScenarios(refs: readonly string[]): Promise<Scenario[]> {
  const { loadScenario } = await import('../../scenario/runner.js');
  const scenarios = [];
  for (const ref of refs) {
    scenarios.push(
      await loadScenario(ref).catch((e: Error) => {
        throw /^unknown scenario /.test(e.message) ? new UsageError(e.message) : e;
      }),
    );
  }
  return scenarios;
}

export const command = defineCommand({
  summary: 'run scenarios (deploy, story, measurements vs SLOs, run record, destroy)',
  usage: `usage: bgpdns-lab run SCENARIO… [--trials N] [--runtime ${RUNTIME_NAMES.join('|')} | --attach LAB]

SCENARIO is a name from scenarios/ (upstream-failover) or a path to a scenario module.
Each scenario deploys its lab, runs its parts, and destroys the lab. Everything goes
into one run record, reports/<run-id>/run.json. Progress goes to stderr; stdout gets
the measurement table and, as its last line,
  {"run":"<run-id>","record":"reports/<run-id>/run.json","met":true}
--runtime attach runs the scenarios against labs that are already up under each
scenario's own lab name (containers named and labelled as containerlab does:
containerlab deploy -t FILE, or bgpdns-lab deploy --runtime docker); the labs are
left running. --attach LAB does the same against lab LAB (a name or its topology file).
--trials N: N trials each (default: BGPDNS_TRIALS, else 3).
Exit 0: every assertion and SLO held; 1: one failed; 2: a lab could not be built or
torn down; 64: usage error (unknown option or scenario, bad value); 77: not root.`,
  options: { ...RUN_OPTIONS, attach: { type: 'string' } },
  async run({ positionals, values }) {
    if (positionals.length === 0) throw new UsageError('expected at least one scenario');
    const opts = runFlags(values);
    const scenarios = await loadScenarios(positionals);
    const { lastLine, measurementTable, runScenarios } = await import('../../scenario/runner.js');
    const result = await runScenarios(scenarios, opts);
    console.log(measurementTable(result.record));
    console.log(lastLine(result));
    return result.exitCode;
  },
});

import { parseArgs, UsageError, type CliCommand } from '../command.js';
import { lastLine, loadScenario, measurementTable, runScenarios } from '../../scenario/runner.js';

/** `--trials N` (else $BGPDNS_TRIALS, else 3) and `--runtime netns|docker`, shared with demo. */
export function runFlags(flags: Map<string, string | true>): { trials: number; runtime: 'netns' | 'docker' | 'attach'; labName?: string } {
  const rawTrials = flags.get('trials') ?? process.env.BGPDNS_TRIALS ?? '3';
  const trials = Number(rawTrials);
  if (rawTrials === true || !Number.isInteger(trials) || trials < 1) throw new UsageError(`--trials: expected a whole number ≥ 1, got ${String(rawTrials)}`);
  // --attach[=LAB]: drive a lab that is already running (containerlab, or deploy --runtime docker).
  const attach = flags.get('attach');
  if (attach !== undefined) {
    if (flags.has('runtime')) throw new UsageError('--attach drives a running lab; it takes no --runtime');
    return { trials, runtime: 'attach', ...(typeof attach === 'string' ? { labName: attach } : {}) };
  }
  const runtime = flags.get('runtime') ?? 'netns';
  if (runtime !== 'netns' && runtime !== 'docker') throw new UsageError(`--runtime: expected netns or docker, got ${String(runtime)}`);
  return { trials, runtime };
}

export const command: CliCommand = {
  summary: 'run scenarios (deploy, story, measurements vs SLOs, run record, destroy)',
  usage: `usage: bgpdns-lab run SCENARIO… [--trials N] [--runtime netns|docker | --attach[=LAB]]

SCENARIO is a name from scenarios/ (upstream-failover) or a path to a scenario module.
Each scenario deploys its lab, runs its parts, and destroys the lab. Everything goes
into one run record, reports/<run-id>/run.json. Progress goes to stderr; stdout gets
the measurement table and, as its last line,
  {"run":"<run-id>","record":"reports/<run-id>/run.json","met":true}
--attach runs the scenarios against a lab that is already up (containers named and
labelled as containerlab does: containerlab deploy -t FILE, or bgpdns-lab deploy
--runtime docker), under the scenario's lab name or LAB; the lab is left running.
Exit 0: every assertion and SLO held; 1: one failed; 2: a lab could not be built or torn down.`,
  async run(argv) {
    const { positional, flags } = parseArgs(argv, ['trials', 'runtime']);
    if (positional.length === 0) throw new UsageError('expected at least one scenario');
    const opts = runFlags(flags);
    const scenarios = [];
    for (const ref of positional) scenarios.push(await loadScenario(ref));
    const result = await runScenarios(scenarios, opts);
    console.log(measurementTable(result.record));
    console.log(lastLine(result));
    return result.exitCode;
  },
};

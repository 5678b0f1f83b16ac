import { parseArgs, type CliCommand } from '../command.js';
import { lastLine, loadScenario, measurementTable, runScenarios } from '../../scenario/runner.js';
import { runFlags } from './run.js';

/** The demo's own lab name, so it never collides with a lab the user deployed by hand. */
const DEMO_LAB = 'mh-demo';

export const command: CliCommand = {
  summary: 'deploy labs/multihomed, run the upstream-failover scenario, print measurements vs SLOs, destroy',
  usage: `usage: bgpdns-lab demo [--trials N] [--runtime netns|docker]

Deploys labs/multihomed as lab "${DEMO_LAB}" (three ISPs, two transits, three client
ASes), runs scenarios/upstream-failover (link cut, silent drop, silent drop with BFD
between client AS 1 and its ISP, N trials each), prints the measurements against
their SLOs, writes reports/<run-id>/run.json and destroys the lab.
Exit codes and last line as \`bgpdns-lab run\`.`,
  async run(argv) {
    const { flags } = parseArgs(argv, ['trials', 'runtime']);
    const opts = runFlags(flags);
    const scenario = await loadScenario('upstream-failover');
    const result = await runScenarios([scenario], { ...opts, labName: DEMO_LAB });
    console.log(measurementTable(result.record));
    console.log(lastLine(result));
    return result.exitCode;
  },
};

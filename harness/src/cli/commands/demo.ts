import { defineCommand, expectPositionals, UsageError } from '../command.js';
import { loadScenarios, RUN_OPTIONS, runFlags } from './run.js';
import { DEPLOYING_RUNTIMES, runtimeList } from '../../runtime/names.js';

/** The demo's own lab name, so it never collides with a lab the user deployed by hand. */
const DEMO_LAB = 'mh-demo';
/** The BGPDNS stories, one after the other, each on a fresh deploy of the lab (about 2 minutes here). */
export const DEMO_SCENARIOS = ['bgpdns-sort-order', 'bgpdns-link-cut', 'bgpdns-sorter-failure'];

export const command = defineCommand({
  summary: 'deploy labs/multihomed, run the BGPDNS sort-order, link-cut and sorter-failure scenarios, print measurements vs SLOs, destroy',
  usage: `usage: bgpdns-lab demo [--trials N] [--runtime ${DEPLOYING_RUNTIMES.join('|')}]

Deploys labs/multihomed as lab "${DEMO_LAB}" (a server multi-homed to three ISPs, the
BGPDNS sorter, tinydns, the DNS front, unbound, three client ASes) and runs
${DEMO_SCENARIOS.join(', ')}: every client gets its own ISP's address
first; a cut link moves the sorter's best path and the client's answers; a frozen
sorter, lost sessions or an unknown client network give answers without preference.
N trials each; prints the measurements against their SLOs, writes
reports/<run-id>/run.json and destroys the lab after each scenario.
The routing-only failover story: bgpdns-lab run upstream-failover.
Exit codes and last line as \`bgpdns-lab run\`: 0 every assertion and SLO held,
1 one failed, 2 a lab could not be built or torn down, 64 usage error, 77 not root.`,
  options: RUN_OPTIONS,
  async run({ positionals, values }) {
    expectPositionals(positionals, 0, 0, 'no arguments besides options');
    const opts = runFlags(values);
    if (opts.runtime === 'attach') throw new UsageError(`--runtime: the demo deploys its own lab; expected ${runtimeList(DEPLOYING_RUNTIMES)}`);
    const scenarios = await loadScenarios(DEMO_SCENARIOS);
    const { lastLine, measurementTable, runScenarios } = await import('../../scenario/runner.js');
    const result = await runScenarios(scenarios, { ...opts, labName: DEMO_LAB });
    console.log(measurementTable(result.record));
    console.log(lastLine(result));
    return result.exitCode;
  },
});

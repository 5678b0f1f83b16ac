/**
 * Keeps docs/reports.md and the CI example honest: the exit codes are the contract's,
 * and the workflow runs scenarios that exist, regenerates reports, uploads them and
 * publishes this run's JUnit even when the run failed.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string) => readFileSync(`${root}${file}`, 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}

test('docs/reports.md states the exit codes of bgpdns-lab run as exit-codes.ts does', (t) => {
  const doc = read('docs/reports.md');
  t.regex(doc, /\| 0 \| every assertion and every SLO held \|/);
  t.regex(doc, /\| 1 \| an assertion or an SLO failed/);
  t.regex(doc, /\| 2 \| the lab could not be built or torn down/);
  t.regex(doc, /\| 64 \| usage error/);
  t.regex(doc, /\| 77 \| not run as root/);
  t.true(doc.includes('{"run":"<run-id>","record":"reports/<run-id>/run.json","met":true}'));
});

test('the CI example runs existing scenarios and publishes reports and JUnit whatever the exit code', (t) => {
  const workflow = parse(read('.github/workflows/scenarios.yml')) as {
    jobs: { scenarios: { env: Record<string, string>; steps: Step[]; container: { image: string; options: string } } };
  };
  const job = workflow.jobs.scenarios;
  t.is(job.container.image, 'debian:bookworm');
  t.regex(job.container.options, /--privileged/);
  const defaults = job.env.SCENARIOS.match(/'([^']+)'/)![1].split(' ');
  for (const name of defaults) t.true(existsSync(`${root}scenarios/${name}.ts`), `scenarios/${name}.ts exists`);

  const steps = job.steps;
  const run = steps.find((s) => s.run?.includes('./bgpdns-lab run '));
  t.truthy(run);
  t.regex(run!.run!, /set -o pipefail/, 'the exit code of bgpdns-lab run survives the tee');
  const after = steps.slice(steps.indexOf(run!) + 1);
  t.true(after.every((s) => s.if?.startsWith('always()')), 'everything after the run happens even when it failed');
  t.truthy(after.find((s) => s.run === './bgpdns-lab report'));
  t.is(after.find((s) => s.uses?.startsWith('actions/upload-artifact') && s.with?.path === 'reports/')?.with?.name, 'convergence-reports');
  const junitPath = 'reports/${{ steps.this.outputs.run }}/junit.xml';
  t.truthy(after.find((s) => s.uses?.startsWith('actions/upload-artifact') && s.with?.path === junitPath));
  t.truthy(after.find((s) => s.uses?.startsWith('mikepenz/action-junit-report') && s.with?.report_paths === junitPath));
});

/**
 * `bgpdns-lab report [RUN-ID…] [--dir DIR]` — regenerate report.html and junit.xml
 * from run.json (all runs when no id is given) and rewrite reports/index.html.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { defineCommand, EXIT, UsageError } from '../command.js';

const usage = `usage: bgpdns-lab report [RUN-ID…] [--dir DIR]

Regenerates reports/<run-id>/report.html and junit.xml from run.json, then
reports/index.html (run list and p50 trends). Without RUN-ID every run is regenerated.
  --dir DIR   reports directory (default: $BGPDNS_REPORTS, else ./reports)
Runs without root and installs nothing.
Exit: 0 done; 1 a run.json was invalid (its file and JSON path are named); 64 usage error or unknown run.`;

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel || '.';
}

export const command = defineCommand({
  summary: 'regenerate HTML and JUnit reports (and the index) from run.json files',
  usage,
  options: { dir: { type: 'string' } },
  async run({ positionals: runs, values }) {
    const { defaultReportsDir, RUN_FILES, regenerateReports } = await import('../../report/write-reports.js');
    const dir = values.dir !== undefined ? resolve(values.dir) : defaultReportsDir();
    for (const run of runs) {
      if (!existsSync(join(dir, run, RUN_FILES.record))) throw new UsageError(`no run "${run}": ${display(join(dir, run, RUN_FILES.record))} does not exist`);
    }
    const result = await regenerateReports(dir, runs.length > 0 ? runs : undefined);
    for (const r of result.rendered) {
      const verdict = r.met ? 'PASS' : 'FAIL';
      console.log(`${verdict} ${r.run}: ${display(join(dir, r.run, RUN_FILES.html))}, ${display(join(dir, r.run, RUN_FILES.junit))}`);
    }
    for (const u of result.unreadable) console.error(`bgpdns-lab report: ${u.run}: ${u.problem}`);
    console.log(`index: ${display(result.index)}`);
    const wanted = runs.length > 0 ? result.unreadable.filter((u) => runs.includes(u.run)) : result.unreadable;
    return wanted.length > 0 ? EXIT.failed : EXIT.ok;
  },
});

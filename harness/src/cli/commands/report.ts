/**
 * `bgpdns-lab report [RUN-ID…] [--dir DIR]` — regenerate report.html and junit.xml
 * from run.json (all runs when no id is given) and rewrite reports/index.html.
 */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { defaultReportsDir, RUN_FILES, regenerateReports } from '../../report/write-reports.js';
import { parseArgs, UsageError, type CliCommand } from '../command.js';

const usage = `usage: bgpdns-lab report [RUN-ID…] [--dir DIR]

Regenerates reports/<run-id>/report.html and junit.xml from run.json, then
reports/index.html (run list and p50 trends). Without RUN-ID every run is regenerated.
  --dir DIR   reports directory (default: $BGPDNS_REPORTS, else ./reports)
Exit: 0 done; 1 a run.json was invalid (its file and JSON path are named); 2 usage or unknown run.`;

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel || '.';
}

export const command: CliCommand = {
  summary: 'regenerate HTML and JUnit reports (and the index) from run.json files',
  usage,
  async run(argv: string[]): Promise<number> {
    const { positional: runs, flags } = parseArgs(argv, ['dir']);
    if (flags.has('help')) {
      console.log(usage);
      return 0;
    }
    for (const name of flags.keys()) {
      if (name !== 'dir') throw new UsageError(`unknown option --${name}`);
    }
    const dirFlag = flags.get('dir');
    if (dirFlag === true) throw new UsageError('--dir needs a directory');
    const dir = dirFlag !== undefined ? resolve(dirFlag) : defaultReportsDir();
    for (const run of runs) {
      if (!existsSync(join(dir, run, RUN_FILES.record))) {
        console.error(`bgpdns-lab report: no run "${run}": ${display(join(dir, run, RUN_FILES.record))} does not exist`);
        return 2;
      }
    }
    const result = await regenerateReports(dir, runs.length > 0 ? runs : undefined);
    for (const r of result.rendered) {
      const verdict = r.met ? 'PASS' : 'FAIL';
      console.log(`${verdict} ${r.run}: ${display(join(dir, r.run, RUN_FILES.html))}, ${display(join(dir, r.run, RUN_FILES.junit))}`);
    }
    for (const u of result.unreadable) console.error(`bgpdns-lab report: ${u.run}: ${u.problem}`);
    console.log(`index: ${display(result.index)}`);
    const wanted = runs.length > 0 ? result.unreadable.filter((u) => runs.includes(u.run)) : result.unreadable;
    return wanted.length > 0 ? 1 : 0;
  },
};

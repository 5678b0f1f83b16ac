/**
 * `bgpdns-lab run SCENARIO… [--trials N] [--runtime NAME]` and `demo`: run
 * scenarios one after the other into one run record. Exit 0 when every assertion and
 * SLO held, 1 when one failed, 2 when a lab could not be built or torn down (EXIT). The last
 * stdout line is `{"run":…,"record":…,"met":…}` (README, docs/cli.md).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Runtime } from '../runtime/runtime.js';
import { runtimeNamed } from '../runtime/by-name.js';
import type { RuntimeName } from '../runtime/names.js';
import { RunRecorder } from '../run/recorder.js';
import type { MachineFacts, RunRecord } from '../run/record.js';
import { formatSlo } from '../run/stats.js';
import { regenerateReports } from '../report/write-reports.js';
import { REPO_ROOT, ScenarioSession, currentMachineFacts } from './session.js';
import type { Scenario } from './scenario.js';
import { EXIT } from '../cli/exit-codes.js';

export interface RunOptions {
  trials: number;
  runtime: RuntimeName;
  /** Deploy under this lab name instead of the scenario's (demo uses its own). */
  labName?: string;
  /** Progress lines (stderr by default, so stdout ends with the JSON line). */
  log?(line: string): void;
}

export interface RunResult {
  exitCode: typeof EXIT.ok | typeof EXIT.failed | typeof EXIT.lab;
  record: RunRecord;
  path: string;
}

/** A scenario by name (scenarios/<name>.ts) or by path to a module whose default export is a Scenario. */
export async function loadScenario(ref: string): Promise<Scenario> {
  const candidates = [path.resolve(ref), path.join(REPO_ROOT, 'scenarios', `${ref}.ts`), path.join(REPO_ROOT, 'scenarios', ref)];
  const file = candidates.find((f) => existsSync(f) && f.endsWith('.ts') && !f.endsWith('.test.ts'));
  if (!file) {
    throw new Error(`unknown scenario "${ref}": no scenarios/${ref}.ts (give a scenario name from scenarios/ or a path to a scenario module)`);
  }
  const mod = (await import(pathToFileURL(file).href)) as { default?: Scenario };
  if (!mod.default?.parts) throw new Error(`${path.relative(process.cwd(), file)}: default export is not a scenario (use defineScenario)`);
  return mod.default;
}

export async function runScenarios(scenarios: Scenario[], opts: RunOptions): Promise<RunResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const labs = scenarios.map((s) => opts.labName ?? s.lab.name ?? path.basename(s.lab.file));
  const recorder = new RunRecorder({ lab: [...new Set(labs)].join(','), runtime: opts.runtime, scenarios: scenarios.map((s) => s.name) });
  let machine: MachineFacts | undefined;
  let runtime: Runtime | undefined;
  try {
    runtime = runtimeNamed(opts.runtime);
  } catch (err) {
    recorder.setError(`runtime ${opts.runtime}: ${(err as Error).message}`);
  }
  for (const scenario of runtime ? scenarios : []) {
    const s = opts.labName ? { ...scenario, lab: { ...scenario.lab, name: opts.labName } } : scenario;
    const session = new ScenarioSession(s, { recorder, trials: opts.trials, runtime, log });
    try {
      log(`== ${s.name}: deploying ${s.lab.file}${s.lab.name ? ` as ${s.lab.name}` : ''}`);
      const lab = await session.deploy();
      machine ??= await currentMachineFacts(lab);
      for (const part of s.parts) {
        log(`-- ${part.name}`);
        try {
          await session.runPart(part, log);
          log(`   ok`);
        } catch (err) {
          log(`   FAILED: ${(err as Error).message}`);
        }
      }
    } catch (err) {
      log(`   lab failed: ${(err as Error).message}`);
    } finally {
      await session.destroy().catch((err: Error) => log(`   destroy failed: ${err.message}`));
    }
  }
  const { path: recordPath, record } = await recorder.write(machine ?? (await currentMachineFacts()));
  // report.html and junit.xml beside run.json, and reports/index.html with the trends.
  await regenerateReports(recorder.reportsDir, [record.run]).then(
    () => log(`report: ${path.join(path.dirname(recordPath), 'report.html')}`),
    (err: Error) => log(`report failed (run.json is kept; retry with bgpdns-lab report ${record.run}): ${err.message}`),
  );
  const exitCode = recorder.hasError ? EXIT.lab : record.met ? EXIT.ok : EXIT.failed;
  return { exitCode, record, path: recordPath };
}

/** The measurements against their SLOs, as a text table. */
export function measurementTable(record: RunRecord): string {
  const split = record.measurements.some((m) => m.clockErrorMs !== undefined);
  const rows = [['measurement', 'trials (ms)', 'p50', 'p95', 'max', 'SLO', 'met', ...(split ? ['clock ±ms'] : [])]];
  // Ratios (0..1) and sub-10 ms figures would all round to 0 or 1: keep their decimals.
  const figure = (v: number, unit: string) => (unit === 'ratio' ? v.toFixed(2) : unit === 'ms' && Math.abs(v) < 10 ? v.toFixed(1) : String(Math.round(v)));
  for (const m of record.measurements) {
    rows.push([
      m.name,
      m.trials.map((v) => figure(v, m.unit)).join(' '),
      figure(m.p50, m.unit),
      figure(m.p95, m.unit),
      figure(m.max, m.unit),
      m.slo ? formatSlo(m.slo, m.unit) : '-',
      m.met ? 'yes' : 'NO',
      // A split lab's clock error bound; "!" flags one above 10 % of the SLO.
      ...(split ? [`${m.clockErrorMs === undefined ? '-' : figure(m.clockErrorMs, 'ms')}${m.clockFlag ? ' !' : ''}`] : []),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const failed = record.assertions.filter((a) => !a.ok);
  return [
    ...rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')),
    ...failed.map((a) => `FAILED ${a.scenario}: ${a.name}${a.message ? ` — ${a.message}` : ''}`),
    ...(record.error ? [`ERROR ${record.error}`] : []),
  ].join('\n');
}

/** The contract's last stdout line. */
export function lastLine(result: RunResult): string {
  return JSON.stringify({ run: result.record.run, record: result.path, met: result.record.met });
}

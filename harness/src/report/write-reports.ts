/**
 * Files on disk: reports/<run-id>/{run.json, report.html, junit.xml} and
 * reports/index.html. Everything is regenerated from run.json, so a report can be
 * rebuilt after the renderer improves, and run.json stays the only source of truth.
 */
import { existsSync, readdirSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunRecord } from '../run/record.js';
import { readRunRecordFile, validateRunRecord } from '../run/schema.js';
import { renderIndexHtml, type UnreadableRun } from './index-html.js';
import { renderJunit } from './junit.js';
import { renderReportHtml } from './report-html.js';

/** Where runs are written, as the recorder does: $BGPDNS_REPORTS, else ./reports. */
export function defaultReportsDir(): string {
  return resolve(process.env.BGPDNS_REPORTS ?? 'reports');
}

export const RUN_FILES = { record: 'run.json', html: 'report.html', junit: 'junit.xml' } as const;

/** Write via a temporary file and rename, so a reader never sees half a report. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Validates and writes reports/<run>/run.json (for recorders and tests). */
export function writeRunRecord(reportsDir: string, record: RunRecord): string {
  const valid = validateRunRecord(record, `run record ${record.run}`);
  const dir = join(reportsDir, valid.run);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, RUN_FILES.record);
  writeAtomically(file, `${JSON.stringify(valid, null, 2)}\n`);
  return file;
}

/** Reads reports/<run>/run.json (validated) and writes report.html and junit.xml beside it. */
export async function renderRunDir(runDir: string): Promise<RunRecord> {
  const record = readRunRecordFile(join(runDir, RUN_FILES.record));
  writeAtomically(join(runDir, RUN_FILES.html), await renderReportHtml(record));
  writeAtomically(join(runDir, RUN_FILES.junit), renderJunit(record));
  return record;
}

/** Run directories under reportsDir: those holding a run.json. */
export function listRunDirs(reportsDir: string): string[] {
  if (!existsSync(reportsDir)) return [];
  return readdirSync(reportsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(reportsDir, e.name, RUN_FILES.record)))
    .map((e) => e.name)
    .sort();
}

export interface RegenerateResult {
  rendered: RunRecord[];
  unreadable: UnreadableRun[];
  index: string;
}

/**
 * Re-renders the given runs (default: all) and rewrites index.html from every
 * readable run.json. A broken run.json does not stop the others; it is listed in the
 * index and returned with the reason.
 */
export async function regenerateReports(reportsDir: string, only?: string[]): Promise<RegenerateResult> {
  const runs = listRunDirs(reportsDir);
  const rendered: RunRecord[] = [];
  const records: RunRecord[] = [];
  const unreadable: UnreadableRun[] = [];
  for (const run of runs) {
    const dir = join(reportsDir, run);
    try {
      if (only === undefined || only.includes(run)) {
        const record = await renderRunDir(dir);
        rendered.push(record);
        records.push(record);
      } else {
        records.push(readRunRecordFile(join(dir, RUN_FILES.record)));
      }
    } catch (err) {
      unreadable.push({ run, problem: (err as Error).message });
    }
  }
  const index = join(reportsDir, 'index.html');
  mkdirSync(reportsDir, { recursive: true });
  writeAtomically(index, await renderIndexHtml(records, unreadable));
  return { rendered, unreadable, index };
}

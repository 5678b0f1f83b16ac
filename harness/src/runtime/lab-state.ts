import { appendFileSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import type { Lab } from '../topology/model.js';
import type { DeployingRuntimeName } from './names.js';

/**
 * The on-disk record of a deployed lab, in <LAB_ROOT>/<lab>/:
 *   state.json      the lab's few fields (runtime, status …), rewritten atomically (temp file + rename)
 *   model.json      the resolved Lab model, written once
 *   resources.jsonl every namespace (before it is created) and process (right after it is
 *                   spawned), one JSON line each, appended
 * so that `destroy <lab>` finds everything even when the harness that deployed it was
 * SIGKILLed. Synchronous on purpose: a write is done before the next await, so no
 * resource exists that the files do not name. Resources are appended, not rewritten:
 * rewriting one file per process made a 300-router deploy (900 daemons) read, parse and
 * write ~300 MB in all, most of the harness's memory churn; another process (a restart
 * by `fault`) appends its own lines, and O_APPEND keeps each line whole.
 */

/** Root of every lab's directories and state; override for tests with BGPDNS_LAB_RUN_DIR. */
export const LAB_ROOT = process.env.BGPDNS_LAB_RUN_DIR ?? '/run/bgpdns-lab';

export interface StateProcess {
  node: string;
  role: string;
  pid: number;
  /** Start time in clock ticks since boot (/proc/PID/stat field 22): tells a reused PID apart. */
  startTime: number;
  argv: string[];
}

export interface LabState {
  version: 1;
  lab: string;
  /** Which runtime deployed it (docker labs keep their containers' ids in containers.json). */
  runtime: DeployingRuntimeName;
  /** Topology file the lab came from. */
  file: string;
  /** PID of the harness that deployed it. */
  harnessPid: number;
  createdAt: string;
  status: 'deploying' | 'ready' | 'failed' | 'destroying';
  /** Namespaces, recorded before each is created. */
  namespaces: string[];
  processes: StateProcess[];
  /** The resolved Lab model, so inspect/exec/fault can reopen the lab from another process. */
  model: Lab;
}

export function labDir(lab: string): string {
  return path.join(LAB_ROOT, lab);
}

export function statePath(lab: string): string {
  return path.join(labDir(lab), 'state.json');
}

/** The resolved model lives in its own file, written once: state.json is rewritten on a status change and stays small. */
export function modelPath(lab: string): string {
  return path.join(labDir(lab), 'model.json');
}

/** Namespaces and processes of the lab, one JSON line each, appended (see above). */
export function resourcesPath(lab: string): string {
  return path.join(labDir(lab), 'resources.jsonl');
}

/** A line of resources.jsonl. */
type Resource = { namespace: string } | { process: StateProcess };
/** The part of LabState kept in state.json. */
type StateHead = Omit<LabState, 'model' | 'namespaces' | 'processes'>;

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Every line that parses; a line cut short (the machine died mid-append) is skipped. */
function readResources(lab: string): { namespaces: string[]; processes: StateProcess[] } {
  const namespaces = new Set<string>();
  const processes: StateProcess[] = [];
  let text = '';
  try {
    text = readFileSync(resourcesPath(lab), 'utf8');
  } catch {
    // None recorded yet.
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    let r: Resource;
    try {
      r = JSON.parse(line) as Resource;
    } catch {
      continue;
    }
    if ('namespace' in r) namespaces.add(r.namespace);
    else if ('process' in r) processes.push(r.process);
  }
  return { namespaces: [...namespaces], processes };
}

export function readState(lab: string): LabState | undefined {
  const state = readJson<StateHead>(statePath(lab));
  if (!state) return undefined;
  return {
    ...state,
    ...readResources(lab),
    model: readJson<Lab>(modelPath(lab)) ?? { name: lab, prefix: 'clab', file: state.file, dir: '', nodes: [], links: [], warnings: [] },
  };
}

/** Names of labs that have a directory under LAB_ROOT (deployed, or left over). */
export function labsOnDisk(): string[] {
  try {
    return readdirSync(LAB_ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    return [];
  }
}

/** The live state of one lab as this process changes it. */
export class LabStateFile {
  private constructor(readonly state: LabState) {}

  /** Start a fresh record (the lab directory is created, world-readable so FRR can reach its node dirs). */
  static create(model: Lab, runtime: LabState['runtime'] = 'netns'): LabStateFile {
    mkdirSync(LAB_ROOT, { recursive: true, mode: 0o755 });
    chmodSync(LAB_ROOT, 0o755);
    mkdirSync(labDir(model.name), { recursive: true, mode: 0o755 });
    const file = new LabStateFile({
      version: 1,
      lab: model.name,
      runtime,
      file: model.file,
      harnessPid: process.pid,
      createdAt: new Date().toISOString(),
      status: 'deploying',
      namespaces: [],
      processes: [],
      model,
    });
    writeAtomically(modelPath(model.name), JSON.stringify(model));
    file.save();
    return file;
  }

  /** The record of a lab already on disk (another process deployed it), or a fresh one. */
  static openOrCreate(model: Lab, runtime: LabState['runtime'] = 'netns'): LabStateFile {
    const existing = readState(model.name);
    return existing ? new LabStateFile(existing) : LabStateFile.create(model, runtime);
  }

  addNamespace(ns: string): void {
    if (this.state.namespaces.includes(ns)) return;
    this.append({ namespace: ns });
    this.state.namespaces.push(ns);
  }

  addProcess(p: StateProcess): void {
    this.append({ process: p });
    this.state.processes.push(p);
  }

  setStatus(status: LabState['status']): void {
    this.update((s) => {
      s.status = status;
    });
  }

  /** One line, one write(2) with O_APPEND: lines of several processes never interleave. */
  private append(r: Resource): void {
    appendFileSync(resourcesPath(this.state.lab), `${JSON.stringify(r)}\n`);
  }

  /** Read-modify-write against the file, so a change made by another process is kept. */
  private update(change: (s: LabState) => void): void {
    const onDisk = readJson<StateHead>(statePath(this.state.lab));
    // Only the head's fields: resources live in their own file.
    if (onDisk) Object.assign(this.state, { ...onDisk, namespaces: this.state.namespaces, processes: this.state.processes });
    change(this.state);
    this.save();
  }

  private save(): void {
    const { model: _model, namespaces: _namespaces, processes: _processes, ...head } = this.state;
    writeAtomically(statePath(this.state.lab), JSON.stringify(head, null, 1));
  }
}

/** Temp file + rename: a reader (or a harness killed mid-write) never sees half a file. */
function writeAtomically(target: string, text: string): void {
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, target);
}

import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import type { Lab } from '../topology/model.js';
import type { DeployingRuntimeName } from './names.js';

/**
 * The on-disk record of a deployed lab: <LAB_ROOT>/<lab>/state.json.
 * Written (atomically: temp file + rename) BEFORE a namespace is created and right
 * after a process is spawned, so that `destroy <lab>` finds everything even when
 * the harness that deployed it was SIGKILLed. Synchronous on purpose: a write is
 * done before the next await, so no resource exists that the file does not name.
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

/** The resolved model lives in its own file, written once: state.json is rewritten per process and stays small. */
export function modelPath(lab: string): string {
  return path.join(labDir(lab), 'model.json');
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function readState(lab: string): LabState | undefined {
  const state = readJson<Omit<LabState, 'model'>>(statePath(lab));
  if (!state) return undefined;
  return { ...state, model: readJson<Lab>(modelPath(lab)) ?? { name: lab, prefix: 'clab', file: state.file, dir: '', nodes: [], links: [], warnings: [] } };
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
    this.update((s) => {
      if (!s.namespaces.includes(ns)) s.namespaces.push(ns);
    });
  }

  addProcess(p: StateProcess): void {
    this.update((s) => s.processes.push(p));
  }

  setStatus(status: LabState['status']): void {
    this.update((s) => {
      s.status = status;
    });
  }

  /** Read-modify-write against the file, so changes made by another process (a restart by `fault`) are kept. */
  private update(change: (s: LabState) => void): void {
    const onDisk = readJson<Omit<LabState, 'model'>>(statePath(this.state.lab));
    if (onDisk) Object.assign(this.state, onDisk);
    change(this.state);
    this.save();
  }

  private save(): void {
    const { model: _model, ...state } = this.state;
    writeAtomically(statePath(this.state.lab), JSON.stringify(state, null, 1));
  }
}

/** Temp file + rename: a reader (or a harness killed mid-write) never sees half a file. */
function writeAtomically(target: string, text: string): void {
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, target);
}

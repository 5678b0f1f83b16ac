/**
 * Memory figures from /proc for benchmarks (files starting with "_" are helpers,
 * not benchmarks).
 */
import { readFileSync } from 'node:fs';

/** A "Field:   N kB" line of a /proc status-like file (status, smaps_rollup), in kB; 0 when absent. */
export function procKb(file: string, field: string): number {
  try {
    const m = readFileSync(file, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Proportional set size of the processes, in MB. */
export function pssMb(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + procKb(`/proc/${pid}/smaps_rollup`, 'Pss'), 0) / 1024;
}

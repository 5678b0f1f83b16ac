import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import type { Leftover } from './runtime.js';
import { labDir, labsOnDisk, readState } from './lab-state.js';
import { cmdline, findByArgv, isAlive, terminate } from './procs.js';
import { labOfNetns } from '../topology/names.js';

/**
 * Tear a netns lab down from what is on the host, not from memory: the state file,
 * the namespaces named `<lab>.*`, the processes inside them and any process whose
 * argv names them (an `ip` command a killed harness left running). Idempotent;
 * works when the deploying harness is gone. Nodes' nft tables and veths live in
 * the namespaces and go with them.
 */
export async function destroyNetnsLab(lab: string, graceMs = 1000): Promise<void> {
  const dir = labDir(lab);
  // Several passes: an `ip netns add` orphaned by a killed harness may land after the first look.
  for (let pass = 0; pass < 5; pass++) {
    const namespaces = await labNamespaces(lab);
    const pids = await labProcesses(lab, namespaces);
    if (namespaces.length === 0 && pids.length === 0) break;
    const names = new Map(pids.map((p) => [p.pid, path.basename(cmdline(p.pid)[0] ?? '')]));
    await terminate(pids, graceMs);
    await removeFrrTmpDirs(names);
    await Promise.all(
      namespaces.map(async (ns) => {
        const out = await $({ nothrow: true, quiet: true })`ip netns del ${ns}`;
        if (out.exitCode !== 0 && !/No such file/.test(out.stderr)) {
          throw new Error(`lab ${lab}: cannot delete namespace ${ns}: ${out.stderr.trim()}`);
        }
      }),
    );
  }
  await rm(dir, { recursive: true, force: true });
  const left = await netnsLeftovers(lab);
  if (left.length > 0) {
    throw new Error(`lab ${lab}: destroy left ${left.map((l) => `${l.type} ${l.id}`).join(', ')}; run \`bgpdns-lab destroy ${lab}\` again`);
  }
}

/** Everything of a lab (or of every lab) still on this host. */
export async function netnsLeftovers(lab?: string): Promise<Leftover[]> {
  const all = await listNamespaces();
  const labs = lab !== undefined ? [lab] : [...new Set([...labsOnDisk(), ...all.map(labOfNetns).filter((l): l is string => !!l)])];
  const out: Leftover[] = [];
  for (const name of labs) {
    const namespaces = await labNamespaces(name, all);
    for (const ns of namespaces) out.push({ lab: name, type: 'netns', id: ns });
    for (const p of await labProcesses(name, namespaces)) out.push({ lab: name, type: 'process', id: String(p.pid) });
    if (existsSync(labDir(name))) out.push({ lab: name, type: 'dir', id: labDir(name) });
  }
  return out;
}

async function listNamespaces(): Promise<string[]> {
  const out = await $({ nothrow: true, quiet: true })`ip -j netns list`;
  const text = out.stdout.trim();
  if (!text) return [];
  return (JSON.parse(text) as { name: string }[]).map((n) => n.name);
}

/** The lab's namespaces that exist now: those named `<lab>.*` (names are unambiguous, see names.ts). */
async function labNamespaces(lab: string, all?: string[]): Promise<string[]> {
  const existing = all ?? (await listNamespaces());
  return existing.filter((ns) => labOfNetns(ns) === lab);
}

async function labProcesses(lab: string, namespaces: string[]): Promise<{ pid: number; startTime?: number }[]> {
  const found = new Map<number, number | undefined>();
  for (const p of readState(lab)?.processes ?? []) {
    if (isAlive(p.pid, p.startTime)) found.set(p.pid, p.startTime);
  }
  const nsPids = await Promise.all(
    namespaces.map(async (ns) => {
      const out = await $({ nothrow: true, quiet: true })`ip netns pids ${ns}`;
      return out.stdout.split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 0);
    }),
  );
  for (const pid of nsPids.flat()) if (!found.has(pid) && pid !== process.pid) found.set(pid, undefined);
  const tokens = new Set([...namespaces, ...(readState(lab)?.namespaces ?? [])]);
  for (const pid of findByArgv(tokens, [`${labDir(lab)}/`])) if (!found.has(pid)) found.set(pid, undefined);
  return [...found].map(([pid, startTime]) => ({ pid, startTime }));
}

/**
 * FRR daemons keep crash-log space in /var/tmp/frr/<daemon>.<pid>/ and remove it on a
 * clean exit only; after a SIGKILL it would stay behind.
 */
async function removeFrrTmpDirs(names: Map<number, string>): Promise<void> {
  await Promise.all(
    [...names].filter(([, name]) => /^[a-z0-9]+$/.test(name)).map(([pid, name]) => rm(`/var/tmp/frr/${name}.${pid}`, { recursive: true, force: true })),
  );
}

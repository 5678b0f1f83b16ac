import { existsSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import type { Leftover } from './runtime.js';
import { labDir, labsOnDisk, readState } from './lab-state.js';
import { cmdline, findByArgv, isAlive, terminate } from './procs.js';
import { labOfNetns } from '../topology/names.js';
import { NETNS_DIR, namespaceNames } from './netns-ip.js';
import { labCgroups, labsWithCgroups, pidsInLabCgroups, removeLabCgroups, thawLab } from './node-cgroups.js';

/**
 * Tear a netns lab down from what is on the host, not from memory: the state file,
 * the namespaces named `<lab>.*`, the processes inside them and any process whose
 * argv names them (an `ip` command a killed harness left running). Idempotent;
 * works when the deploying harness is gone. Nodes' nft tables and veths live in
 * the namespaces and go with them; the nodes' cgroups are thawed first (a frozen
 * process cannot act on SIGTERM) and removed once their processes are gone.
 */
export async function destroyNetnsLab(lab: string, graceMs = 1000): Promise<void> {
  const dir = labDir(lab);
  let deleteErrors = '';
  await thawLab(lab);
  // Several passes: an `ip netns add` orphaned by a killed harness may land after the first look.
  for (let pass = 0; pass < 5; pass++) {
    const namespaces = await labNamespaces(lab);
    const pids = await labProcesses(lab, namespaces);
    if (namespaces.length === 0 && pids.length === 0) break;
    const names = new Map(pids.map((p) => [p.pid, path.basename(cmdline(p.pid)[0] ?? '')]));
    await terminate(pids, graceMs);
    await removeFrrTmpDirs(names);
    deleteErrors = await deleteNamespaces(namespaces);
  }
  removeLabCgroups(lab);
  await rm(dir, { recursive: true, force: true });
  const left = await netnsLeftovers(lab);
  if (left.length > 0) {
    const why = deleteErrors ? ` (ip said: ${deleteErrors})` : '';
    throw new Error(`lab ${lab}: destroy left ${left.map((l) => `${l.type} ${l.id}`).join(', ')}${why}; run \`bgpdns-lab destroy ${lab}\` again`);
  }
}

/**
 * Delete namespaces with one `ip -batch` (a 100-node lab would otherwise cost 100
 * processes); a name that is not plain (not ours: ours are validated) goes alone
 * through zx quoting so it can never split a batch line. Returns what ip complained about.
 */
async function deleteNamespaces(namespaces: string[]): Promise<string> {
  const plain = namespaces.filter((ns) => /^[\w.@-]+$/.test(ns));
  const odd = namespaces.filter((ns) => !plain.includes(ns));
  const errors: string[] = [];
  if (plain.length > 0) {
    const out = await $({ nothrow: true, quiet: true, input: plain.map((ns) => `netns del ${ns}\n`).join('') })`ip -force -batch -`;
    if (out.exitCode !== 0) errors.push(out.stderr.trim());
  }
  for (const ns of odd) {
    const out = await $({ nothrow: true, quiet: true })`ip netns del ${ns}`;
    if (out.exitCode !== 0) errors.push(out.stderr.trim());
  }
  return errors.filter(Boolean).join('; ');
}

/** Everything of a lab (or of every lab) still on this host. */
export async function netnsLeftovers(lab?: string): Promise<Leftover[]> {
  const all = await namespaceNames();
  const labs = lab !== undefined ? [lab] : [...new Set([...labsOnDisk(), ...all.map(labOfNetns).filter((l): l is string => !!l), ...labsWithCgroups()])];
  const out: Leftover[] = [];
  for (const name of labs) {
    const namespaces = await labNamespaces(name, all);
    for (const ns of namespaces) out.push({ lab: name, type: 'netns', id: ns });
    for (const p of await labProcesses(name, namespaces)) out.push({ lab: name, type: 'process', id: String(p.pid) });
    if (existsSync(labDir(name))) out.push({ lab: name, type: 'dir', id: labDir(name) });
    for (const cg of labCgroups(name)) out.push({ lab: name, type: 'cgroup', id: cg });
  }
  return out;
}

/**
 * PIDs living in any of the namespaces: a process's /proc/PID/ns/net names the
 * inode of its namespace, which is the inode of the bind mount /run/netns/<name>.
 * One pass over /proc instead of an `ip netns pids` per namespace.
 */
export function pidsInNamespaces(namespaces: string[]): number[] {
  const inodes = new Set<string>();
  for (const ns of namespaces) {
    try {
      inodes.add(String(statSync(path.join(NETNS_DIR, ns)).ino));
    } catch {
      // Deleted meanwhile.
    }
  }
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const m = readlinkSync(`/proc/${pid}/ns/net`).match(/^net:\[(\d+)\]$/);
      if (m && inodes.has(m[1])) pids.push(pid);
    } catch {
      // Gone, or a kernel thread we may not look at.
    }
  }
  return pids;
}

/** The lab's namespaces that exist now: those named `<lab>.*` (names are unambiguous, see names.ts). */
async function labNamespaces(lab: string, all?: string[]): Promise<string[]> {
  const existing = all ?? (await namespaceNames());
  return existing.filter((ns) => labOfNetns(ns) === lab);
}

async function labProcesses(lab: string, namespaces: string[]): Promise<{ pid: number; startTime?: number }[]> {
  const found = new Map<number, number | undefined>();
  for (const p of readState(lab)?.processes ?? []) {
    if (isAlive(p.pid, p.startTime)) found.set(p.pid, p.startTime);
  }
  for (const pid of [...pidsInNamespaces(namespaces), ...pidsInLabCgroups(lab)]) if (!found.has(pid) && isAlive(pid)) found.set(pid, undefined);
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

/**
 * Per-node cgroups of the netns runtime, so that a node's processes freeze at once
 * (the kernel's cgroup freezer, the mechanism `docker pause` uses): a silent failure,
 * sockets and kernel state untouched. A node's cgroup is
 *   <hierarchy>/bgpdns-lab/<lab>/<node>
 * named with the lab, so `destroy` and `leftovers` find it from the host alone, also
 * after a SIGKILLed harness. Which hierarchy is looked up in the mount table at run
 * time: cgroup v1's `freezer` controller (freezer.state) or cgroup v2 (cgroup.freeze).
 * Without either there is no freezer and faults fall back to SIGSTOP.
 */
import { existsSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { waitUntil } from '@bgpdns-lab/bgpdns';

/** Directory under each hierarchy that holds every lab's cgroups. */
const TOP = 'bgpdns-lab';

export interface CgroupFreezer {
  readonly version: 1 | 2;
  /** Mount point of the hierarchy (e.g. /sys/fs/cgroup/freezer). */
  readonly root: string;
}

/** Octal escapes of /proc/self/mountinfo (a space is \040). */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * Hierarchies that can freeze, from a mountinfo text: v1 `freezer` first (what the
 * mount table says is there is there), then cgroup v2 (cgroup.freeze, kernel ≥ 5.2).
 */
export function freezersIn(mountinfo: string): CgroupFreezer[] {
  const v1: CgroupFreezer[] = [];
  const v2: CgroupFreezer[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const mountPoint = unescapeMount(left.split(' ')[4] ?? '');
    const [fstype, , superOptions = ''] = right.split(' ');
    if (fstype === 'cgroup' && superOptions.split(',').includes('freezer')) v1.push({ version: 1, root: mountPoint });
    if (fstype === 'cgroup2') v2.push({ version: 2, root: mountPoint });
  }
  return [...v1, ...v2];
}

/** The freezers of this machine, looked up now. */
export function machineFreezers(): CgroupFreezer[] {
  try {
    return freezersIn(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return [];
  }
}

export function labCgroup(f: CgroupFreezer, lab: string): string {
  return path.join(f.root, TOP, lab);
}

export function nodeCgroup(f: CgroupFreezer, lab: string, node: string): string {
  return path.join(labCgroup(f, lab), node);
}

/** Create the node's cgroup (idempotent); its file that a process writes its PID into to join. */
export async function ensureNodeCgroup(f: CgroupFreezer, lab: string, node: string): Promise<string> {
  const dir = nodeCgroup(f, lab, node);
  // Another lab's destroy may remove the empty top directory between our mkdirs: try again.
  for (let attempt = 1; ; attempt++) {
    try {
      await mkdir(dir, { recursive: true });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw e;
    }
  }
  if (f.version === 2 && !existsSync(path.join(dir, 'cgroup.freeze'))) {
    throw new Error(`cgroup v2 at ${f.root} has no cgroup.freeze (needs Linux 5.2 or later): node ${node} of lab ${lab} cannot be frozen`);
  }
  return path.join(dir, 'cgroup.procs');
}

/**
 * argv that puts itself into the cgroup (the PID file `procsFile`) and then becomes
 * `argv`: the process joins before it runs, so nothing it forks escapes the freezer.
 */
export function joiningArgv(procsFile: string, argv: string[]): string[] {
  return ['sh', '-c', 'echo $$ >"$0" && exec "$@"', procsFile, ...argv];
}

/** Is the node's cgroup frozen (every process stopped by the freezer)? */
export async function isFrozen(f: CgroupFreezer, lab: string, node: string): Promise<boolean> {
  const dir = nodeCgroup(f, lab, node);
  if (f.version === 1) return (await readFile(path.join(dir, 'freezer.state'), 'utf8')).trim() === 'FROZEN';
  return /^frozen 1$/m.test(await readFile(path.join(dir, 'cgroup.events'), 'utf8'));
}

/** Freeze (or thaw) the node's cgroup and wait until the kernel says it is done. */
export async function setFrozen(f: CgroupFreezer, lab: string, node: string, frozen: boolean): Promise<void> {
  const dir = nodeCgroup(f, lab, node);
  if (!existsSync(dir)) throw new Error(`lab ${lab}: node ${node} has no cgroup ${dir} (is it deployed on the netns runtime by this harness version?)`);
  if (f.version === 1) await writeFile(path.join(dir, 'freezer.state'), frozen ? 'FROZEN' : 'THAWED');
  else await writeFile(path.join(dir, 'cgroup.freeze'), frozen ? '1' : '0');
  await waitUntil(() => isFrozen(f, lab, node), (is) => is === frozen, { what: `node ${node} of lab ${lab} ${frozen ? 'frozen' : 'thawed'} (${dir})`, timeout: 10_000, interval: 5 });
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/** Labs with a cgroup in any hierarchy. */
export function labsWithCgroups(freezers: CgroupFreezer[] = machineFreezers()): string[] {
  return [...new Set(freezers.flatMap((f) => subdirs(path.join(f.root, TOP))))];
}

/** The lab's cgroup directories that exist (lab directories and node directories). */
export function labCgroups(lab: string, freezers: CgroupFreezer[] = machineFreezers()): string[] {
  return freezers.map((f) => labCgroup(f, lab)).filter((d) => existsSync(d));
}

/** PIDs in the lab's node cgroups: every process the runtime started in its nodes, even a killed harness's. */
export function pidsInLabCgroups(lab: string, freezers: CgroupFreezer[] = machineFreezers()): number[] {
  const pids = new Set<number>();
  for (const dir of labCgroups(lab, freezers)) {
    for (const node of subdirs(dir)) {
      try {
        for (const l of readFileSync(path.join(dir, node, 'cgroup.procs'), 'utf8').split('\n')) if (l) pids.add(Number(l));
      } catch {
        // Removed meanwhile.
      }
    }
  }
  return [...pids];
}

/** Thaw every frozen node of the lab: a frozen process cannot act on SIGTERM (nor, under v1, die). */
export async function thawLab(lab: string, freezers: CgroupFreezer[] = machineFreezers()): Promise<void> {
  for (const f of freezers) {
    for (const node of subdirs(labCgroup(f, lab))) {
      if (await isFrozen(f, lab, node).catch(() => false)) await setFrozen(f, lab, node, false);
    }
  }
}

/**
 * Remove the lab's (empty) cgroups, and the top directory once no lab has one; what
 * could not be removed (a process still in it) stays for leftovers to report.
 */
export function removeLabCgroups(lab: string, freezers: CgroupFreezer[] = machineFreezers()): void {
  for (const dir of labCgroups(lab, freezers)) {
    for (const node of subdirs(dir)) tryRmdir(path.join(dir, node));
    tryRmdir(dir);
  }
  for (const f of freezers) {
    const top = path.join(f.root, TOP);
    if (existsSync(top) && subdirs(top).length === 0) tryRmdir(top);
  }
}

function tryRmdir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Busy (a process still in it, or another lab's cgroup appeared): reported by leftovers.
  }
}

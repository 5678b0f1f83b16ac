/**
 * `ip netns` for namespaces that are not a lab's nodes: the simulated hosts' namespaces
 * and the doctor's scratch namespace. Only the netns runtime runs `ip netns`
 * (the dependency check enforces it); this file is that runtime's hand to the rest.
 */
import { readdir } from 'node:fs/promises';
import { $ } from 'zx';

const q = $({ nothrow: true, quiet: true });

/** Where `ip netns add` bind-mounts a namespace (its name is the file name). */
export const NETNS_DIR = '/run/netns';

export interface NetnsExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Create a namespace; the error names it and says why `ip` refused. */
export async function addNamespace(name: string): Promise<void> {
  const out = await q`ip netns add ${name}`;
  if (out.exitCode !== 0) throw new Error(`cannot create namespace ${name}: ${out.stderr.trim()}`);
}

export async function deleteNamespace(name: string): Promise<void> {
  const out = await q`ip netns del ${name}`;
  if (out.exitCode !== 0) throw new Error(`cannot delete namespace ${name}: ${out.stderr.trim()}`);
}

/** Namespace names from /run/netns (what `ip netns list` reads, without a process). */
export async function namespaceNames(): Promise<string[]> {
  try {
    return (await readdir(NETNS_DIR)).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
}

/** Run argv inside the namespace; never throws on a non-zero exit. */
export async function execInNamespace(name: string, argv: string[]): Promise<NetnsExecResult> {
  const out = await q`ip netns exec ${name} ${argv}`;
  return { exitCode: out.exitCode, stdout: out.stdout, stderr: out.stderr };
}

let scratchCount = 0;

/**
 * A throwaway namespace (`<prefix>-<pid>-<n>`, one per call: callers may run at once) for
 * the duration of fn, deleted also when fn throws.
 */
export async function withScratchNamespace<T>(prefix: string, fn: (ns: string) => Promise<T>): Promise<T> {
  const ns = `${prefix}-${process.pid}-${++scratchCount}`;
  await addNamespace(ns);
  try {
    return await fn(ns);
  } finally {
    await deleteNamespace(ns);
  }
}

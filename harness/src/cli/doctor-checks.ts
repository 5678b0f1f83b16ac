/**
 * What `bgpdns-lab doctor` checks. Host executables come from the declarations the
 * launcher installs from: each kind's `needs` (what its nodes run), each scenario's
 * `hostNeeds`, and install/harness-needs.ts (the harness, Docker, tests, benches),
 * each with its Debian package, so a missing one is reported with the exact
 * `apt-get install` that brings it. Kernel features are tried in a scratch namespace,
 * which needs root; without root they are reported as not checked. Nothing is installed.
 */
import { access, constants } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { $ } from 'zx';
import { allKinds } from '../kinds/registry.js';
import { systemUser } from '../kinds/node-dir.js';
import { NFT } from '../faults/nft.js';
import { BENCH_NEEDS, DOCKER_NEEDS, HARNESS_NEEDS, TEST_TOOL_NEEDS } from '../install/harness-needs.js';
import { isInstalled, type HostNeed } from '../install/host-need.js';
import { execInNamespace, withScratchNamespace } from '../runtime/netns-ip.js';

export interface CheckResult {
  /** ok, missing, or not checked (needs root). */
  status: 'ok' | 'missing' | 'unchecked';
  detail: string;
  /** The command that fixes it. */
  fix?: string;
  /** Debian packages that fix it (gathered into one apt-get line). */
  packages?: string[];
}

export interface Check {
  name: string;
  /** Optional checks only limit some features; required ones stop labs from running. */
  optional?: boolean;
  run(): Promise<CheckResult>;
}

export interface Need {
  executable: string;
  package: string;
  /** What uses it, for the report line. */
  usedBy: string;
  optional?: boolean;
}

/** What runs beside the kinds (install/harness-needs.ts); only the harness's own tools are required. */
const HOST_GROUPS: readonly { needs: readonly HostNeed[]; usedBy: string; optional?: boolean }[] = [
  { needs: HARNESS_NEEDS, usedBy: 'the harness (namespaces, links, faults)' },
  { needs: DOCKER_NEEDS, usedBy: '--runtime docker, images build', optional: true },
  { needs: TEST_TOOL_NEEDS, usedBy: 'tests', optional: true },
  { needs: BENCH_NEEDS, usedBy: 'benchmarks', optional: true },
];

/** Every executable a lab kind or a scenario runs, then the harness's own, each once. */
export async function declaredNeeds(): Promise<Need[]> {
  const byExecutable = new Map<string, Need>();
  const add = (n: HostNeed, usedBy: string, optional?: boolean) => {
    const seen = byExecutable.get(n.executable);
    byExecutable.set(n.executable, seen ? { ...seen, usedBy: `${seen.usedBy}, ${usedBy}` } : { ...n, usedBy, ...(optional ? { optional } : {}) });
  };
  for (const kind of allKinds()) for (const n of kind.needs) add(n, `kind ${kind.name}`);
  const { repoScenarios } = await import('../install/install-sets.js');
  for (const s of await repoScenarios()) for (const n of s.hostNeeds ?? []) add(n, `scenario ${s.name}`, true);
  for (const g of HOST_GROUPS) for (const n of g.needs) add(n, g.usedBy, g.optional);
  return [...byExecutable.values()];
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** An absolute path as it is; a bare name searched on PATH and the sbin directories (a user's PATH may lack them). */
async function executable(name: string): Promise<boolean> {
  if (path.isAbsolute(name)) return isExecutable(name);
  const dirs = new Set([...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/local/sbin', '/usr/sbin', '/sbin']);
  for (const dir of dirs) if (await isExecutable(path.join(dir, name))) return true;
  return false;
}

const q = $({ nothrow: true, quiet: true });
const isRoot = () => process.geteuid?.() === 0;
const notRoot: CheckResult = { status: 'unchecked', detail: 'not checked: trying it needs root', fix: 'run bgpdns-lab doctor as root to try it' };

/** One check per package: which of its executables are missing. */
export function packageChecks(declared: readonly Need[]): Check[] {
  const byPackage = new Map<string, Need[]>();
  for (const n of declared) byPackage.set(n.package, [...(byPackage.get(n.package) ?? []), n]);
  return [...byPackage].map(([pkg, needs]) => ({
    name: pkg,
    optional: needs.every((n) => n.optional),
    async run(): Promise<CheckResult> {
      const missing: string[] = [];
      // Declared needs are absolute paths, checked as the launcher and deploy check them (a font is a file, not an executable).
      for (const n of needs) if (!(path.isAbsolute(n.executable) ? isInstalled(n) : await executable(n.executable))) missing.push(n.executable);
      const usedBy = [...new Set(needs.map((n) => n.usedBy))].join('; ');
      if (missing.length === 0) return { status: 'ok', detail: `${needs.map((n) => n.executable).join(', ')} (${usedBy})` };
      return { status: 'missing', detail: `missing ${missing.join(', ')} (${usedBy})`, fix: `apt-get install -y ${pkg}`, packages: [pkg] };
    },
  }));
}

/** A throwaway namespace for kernel feature checks, named so it is never mistaken for a lab's. */
const withScratchNetns = <T>(fn: (ns: string) => Promise<T>): Promise<T> => withScratchNamespace('bgpdns-doctor', fn);

function dockerPing(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: '/var/run/docker.sock', path: '/_ping', timeout: 1500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? undefined : `engine answered HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 1.5 s')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ENOENT' ? 'no /var/run/docker.sock' : e.message));
  });
}

const hostChecks: Check[] = [
  {
    name: 'root',
    optional: true,
    async run() {
      return isRoot()
        ? { status: 'ok', detail: 'running as root' }
        : { status: 'missing', detail: `running as uid ${process.geteuid?.()}: deploy, run, demo, fault and the like need root`, fix: 'sudo ./bgpdns-lab …' };
    },
  },
  {
    name: 'node',
    async run() {
      const [major, minor] = process.versions.node.split('.').map(Number);
      // 20.12: the dependency check of the type-check step (dependency-cruiser 17) needs it.
      const ok = major > 20 || (major === 20 && minor >= 12);
      return { status: ok ? 'ok' : 'missing', detail: `node ${process.versions.node}`, fix: 'install Node.js 20.12 or newer' };
    },
  },
  {
    name: 'user frr',
    async run() {
      return systemUser('frr')
        ? { status: 'ok', detail: 'FRR daemons drop privileges to it' }
        : { status: 'missing', detail: 'no user frr (FRR daemons drop privileges to it)', fix: 'apt-get install -y frr (creates user frr)', packages: ['frr'] };
    },
  },
  {
    name: 'network namespaces + veth',
    async run() {
      if (!isRoot()) return notRoot;
      const err = await withScratchNetns(async (ns) => {
        const veth = await q`ip -n ${ns} link add d0 type veth peer name d1`;
        return veth.exitCode === 0 ? undefined : veth.stderr.trim();
      });
      return { status: err ? 'missing' : 'ok', detail: err ?? 'network namespaces and veth pairs work', fix: 'a kernel with CONFIG_NET_NS and CONFIG_VETH' };
    },
  },
  {
    name: 'nftables in a namespace',
    async run() {
      if (!isRoot()) return notRoot;
      if (!(await executable(NFT))) return { status: 'unchecked', detail: `not checked: ${NFT} is missing` };
      const err = await withScratchNetns(async (ns) => {
        const r = await execInNamespace(ns, [NFT, 'add', 'table', 'inet', 'bgpdns_doctor']);
        return r.exitCode === 0 ? undefined : r.stderr.trim();
      });
      return { status: err ? 'missing' : 'ok', detail: err ?? 'tables in a namespace work', fix: 'a kernel with nf_tables' };
    },
  },
  {
    name: 'netem (delay faults)',
    optional: true,
    async run() {
      if (!isRoot()) return notRoot;
      const err = await withScratchNetns(async (ns) => {
        const r = await execInNamespace(ns, ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
        return r.exitCode === 0 ? undefined : r.stderr.trim().split('\n')[0];
      });
      return {
        status: err ? 'missing' : 'ok',
        detail: err ? `not in this kernel (${err}); delay/jitter faults report "not supported"` : 'tc netem works',
        fix: 'a kernel with sch_netem (modprobe sch_netem); link down, drop, loss and freeze faults work without it',
      };
    },
  },
  {
    name: 'docker engine',
    optional: true,
    async run() {
      const err = await dockerPing();
      return {
        status: err ? 'missing' : 'ok',
        detail: err ? `${err} (only --runtime docker needs it)` : 'engine answers on /var/run/docker.sock',
        fix: 'as root: ./bgpdns-lab images engine up (starts dockerd)',
      };
    },
  },
];

export async function doctorChecks(): Promise<Check[]> {
  return [...hostChecks.slice(0, 2), ...packageChecks(await declaredNeeds()), ...hostChecks.slice(2)];
}

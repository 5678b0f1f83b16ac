/**
 * Which Debian packages a `bgpdns-lab` command needs, derived from what it runs: the
 * kinds of the labs its scenarios deploy (Kind.needs), the runtime, the harness's own
 * tools and, for `test`/`bench`, the tools tests and benchmarks run. The launcher asks
 * `node harness/src/install/main.ts SET` and installs what is missing; nothing here is
 * a second list to keep in step.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Scenario } from '../scenario/scenario.js';
import { BENCH_NEEDS, DOCKER_NEEDS, HARNESS_NEEDS, TEST_TOOL_NEEDS } from './harness-needs.js';
import type { HostNeed } from './host-need.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 *   none   help, report, doctor: nothing (they run without root)
 *   core   commands that act on a lab already deployed (destroy, inspect, exec, fault)
 *   docker the Docker engine and the offline image build (images, --runtime docker)
 *   labs   anything that may deploy any lab of this repository (deploy, run, replay)
 *   demo   the demo's scenarios and their labs
 *   test   every lab and scenario, the Docker runtime and the tools the tests run
 *   bench  every lab, the Docker runtime and the benchmarks' load generators and references
 */
export const INSTALL_SETS = ['none', 'core', 'docker', 'labs', 'demo', 'test', 'bench'] as const;
export type InstallSet = (typeof INSTALL_SETS)[number];

/** Topology files shipped in the repository: labs/, docs/examples/ and the test labs in harness/testing/labs/. */
export function repoLabFiles(root = REPO_ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.clab.yml')) out.push(p);
    }
  };
  for (const top of ['labs', path.join('docs', 'examples'), path.join('harness', 'testing', 'labs')]) walk(path.join(root, top));
  return out.sort();
}

/** Every scenario module in scenarios/ (files whose default export is a scenario). */
export async function repoScenarios(root = REPO_ROOT): Promise<Scenario[]> {
  const dir = path.join(root, 'scenarios');
  const out: Scenario[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue;
    const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { default?: Scenario };
    if (mod.default?.parts) out.push(mod.default);
  }
  return out;
}

/** Host needs of the nodes of these topology files (their kinds' needs; loading checks no executable). */
export async function needsOfLabFiles(files: Iterable<string>): Promise<HostNeed[]> {
  // Loaded here, not at the top: the launcher asks for core/docker on every exec or destroy,
  // and those sets need no topology parser.
  const { loadTopology } = await import('../topology/load.js');
  const { getKind } = await import('../kinds/registry.js');
  const needs: HostNeed[] = [];
  for (const file of new Set(files)) {
    const lab = await loadTopology(file);
    for (const node of lab.nodes) needs.push(...getKind(node.kind).needs);
  }
  return needs;
}

/** Host needs of scenarios: their labs' kinds and what the stories run themselves. */
export async function needsOfScenarios(scenarios: readonly Scenario[], extraLabFiles: string[] = []): Promise<HostNeed[]> {
  return [...(await needsOfLabFiles([...extraLabFiles, ...scenarios.map((s) => s.lab.file)])), ...scenarios.flatMap((s) => s.hostNeeds ?? [])];
}

async function demoScenarios(): Promise<Scenario[]> {
  const { DEMO_SCENARIOS } = await import('../cli/commands/demo.js');
  const { loadScenario } = await import('../scenario/runner.js');
  const out: Scenario[] = [];
  for (const name of DEMO_SCENARIOS) out.push(await loadScenario(name));
  return out;
}

/** The host needs of an install set. */
export async function needsOf(set: InstallSet): Promise<HostNeed[]> {
  switch (set) {
    case 'none':
      return [];
    case 'core':
      return [...HARNESS_NEEDS];
    case 'docker':
      return [...HARNESS_NEEDS, ...DOCKER_NEEDS];
    case 'demo':
      return [...HARNESS_NEEDS, ...(await needsOfScenarios(await demoScenarios()))];
    case 'labs':
      return [...HARNESS_NEEDS, ...(await needsOfScenarios(await repoScenarios(), repoLabFiles()))];
    case 'test':
      return [...(await needsOf('labs')), ...DOCKER_NEEDS, ...TEST_TOOL_NEEDS];
    case 'bench':
      return [...(await needsOf('labs')), ...DOCKER_NEEDS, ...BENCH_NEEDS];
  }
}

/**
 * The launcher installs, for `demo` and `test`, the packages of install-sets.ts. These
 * tests walk what those commands really run — found another way than install-sets.ts
 * finds it: the demo command's scenario list, every topology file git tracks, and the
 * scenario modules that the ava scenario files import — and fail when a package a node
 * kind needs is not in the set installed for that command. They also check each
 * declaration against dpkg: the package named really ships the executable.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadTopology } from '../topology/load.js';
import { allKinds, getKind } from '../kinds/registry.js';
import { loadScenario } from '../scenario/runner.js';
import type { Scenario } from '../scenario/scenario.js';
import { DEMO_SCENARIOS } from '../cli/commands/demo.js';
import { BENCH_NEEDS, DOCKER_NEEDS, HARNESS_NEEDS, TEST_TOOL_NEEDS } from './harness-needs.js';
import { isInstalled, packagesOf, type HostNeed } from './host-need.js';
import { REPO_ROOT, needsOf } from './install-sets.js';

async function kindPackages(labFile: string): Promise<Map<string, string[]>> {
  const lab = await loadTopology(labFile);
  const byPackage = new Map<string, string[]>();
  for (const node of lab.nodes) {
    for (const p of packagesOf(getKind(node.kind).needs)) byPackage.set(p, [...(byPackage.get(p) ?? []), `${node.name} (${node.kind})`]);
  }
  return byPackage;
}

async function assertCovered(t: import('ava').ExecutionContext, labFiles: Iterable<string>, set: Set<string>, command: string) {
  for (const file of new Set(labFiles)) {
    for (const [pkg, nodes] of await kindPackages(file)) {
      t.true(set.has(pkg), `${path.relative(REPO_ROOT, file)}: ${nodes.join(', ')} need the package ${pkg}, which \`${command}\` does not install`);
    }
  }
}

/** Scenario modules that the ava scenario files (scenarios/, docs/examples/) import. */
async function scenariosUnderTest(): Promise<Scenario[]> {
  const out: Scenario[] = [];
  for (const dir of ['scenarios', path.join('docs', 'examples', 'two-upstreams')]) {
    const abs = path.join(REPO_ROOT, dir);
    for (const f of readdirSync(abs).filter((n) => n.endsWith('.test.ts'))) {
      for (const m of readFileSync(path.join(abs, f), 'utf8').matchAll(/^import \w+ from '(\.\/[\w.-]+)\.js';$/gm)) {
        const mod = (await import(pathToFileURL(path.join(abs, `${m[1]}.ts`)).href)) as { default?: Scenario };
        if (mod.default?.parts) out.push(mod.default);
      }
    }
  }
  return out;
}

test('demo installs every package the demo scenarios’ labs need', async (t) => {
  const set = new Set(packagesOf(await needsOf('demo')));
  const files = [];
  const scenarios = [];
  for (const name of DEMO_SCENARIOS) scenarios.push(await loadScenario(name));
  for (const s of scenarios) files.push(s.lab.file);
  t.true(files.length >= 1);
  await assertCovered(t, files, set, 'bgpdns-lab demo');
  for (const n of scenarios.flatMap((s) => s.hostNeeds ?? [])) t.true(set.has(n.package), `a demo scenario runs ${n.executable} (${n.package}), which demo does not install`);
  for (const p of packagesOf(HARNESS_NEEDS)) t.true(set.has(p), `demo does not install the harness's own ${p}`);
});

test('test installs every package of every tracked lab and every scenario the suite runs', async (t) => {
  const set = new Set(packagesOf(await needsOf('test')));
  const tracked = execFileSync('git', ['ls-files', '*.clab.yml'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  t.true(tracked.length >= 4, `git ls-files found ${tracked.length} topology files`);
  const scenarios = await scenariosUnderTest();
  t.true(scenarios.length >= 8, `found ${scenarios.length} scenarios under test`);
  await assertCovered(t, [...tracked.map((f) => path.join(REPO_ROOT, f)), ...scenarios.map((s) => s.lab.file)], set, 'bgpdns-lab test');
  for (const s of scenarios) for (const n of s.hostNeeds ?? []) t.true(set.has(n.package), `scenario ${s.name} runs ${n.executable} (${n.package}), which test does not install`);
  for (const p of packagesOf([...HARNESS_NEEDS, ...DOCKER_NEEDS, ...TEST_TOOL_NEEDS])) t.true(set.has(p), `test does not install ${p}`);
});

/** The package dpkg says ships the file, trying the merged-/usr spellings dpkg may have recorded. */
function owner(file: string): string | undefined {
  const candidates = [file, file.replace(/^\/usr\//, '/'), realpathSync(file)];
  for (const c of candidates) {
    try {
      return execFileSync('dpkg-query', ['-S', c], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[0].trim();
    } catch {
      // not recorded under this spelling
    }
  }
  return undefined;
}

test('every declared need names the Debian package that ships it', async (t) => {
  const scenarioNeeds = (await scenariosUnderTest()).flatMap((s) => s.hostNeeds ?? []);
  const all: HostNeed[] = [...HARNESS_NEEDS, ...DOCKER_NEEDS, ...TEST_TOOL_NEEDS, ...BENCH_NEEDS, ...allKinds().flatMap((k) => k.needs), ...scenarioNeeds];
  let checked = 0;
  for (const need of new Map(all.map((n) => [n.executable, n])).values()) {
    if (!isInstalled(need)) {
      t.log(`${need.executable} is not installed here; its package is not checked`);
      continue;
    }
    t.is(owner(need.executable), need.package, `${need.executable}`);
    checked++;
  }
  t.true(checked > 0);
});

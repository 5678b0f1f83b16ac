/**
 * The dependency check of the type-check step (`npm run typecheck`): the forbidden
 * imports of .dependency-cruiser.cjs, plus the one rule that is not an import (only
 * the netns runtime runs `ip netns`, netns-commands.ts). Prints one line per violation,
 * "rule: from → to", and exits 1 when there is any.
 *
 *   node --import tsx scripts/deps/check.ts [repo-root]
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type IReporterOutput } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { NETNS_REASON, NETNS_RULE, netnsViolations } from './netns-commands.js';

/** What is checked: the two packages and their users. */
export const CHECKED_ROOTS = ['harness', 'images/bgpdns', 'scenarios', 'bench', 'docs'];

export interface Violation {
  rule: string;
  /** The rule's one-line reason (its comment in .dependency-cruiser.cjs). */
  why: string;
  from: string;
  to: string;
}

function tsFiles(root: string, dir: string): string[] {
  const abs = path.join(root, dir);
  try {
    if (!statSync(abs).isDirectory()) return [];
  } catch {
    return [];
  }
  return readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(root, rel);
    return /\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** Every violation in the tree at `root` (a checkout of this repository, or a test's small copy). */
export async function checkDependencies(root: string): Promise<Violation[]> {
  const roots = CHECKED_ROOTS.filter((d) => tsFiles(root, d).length > 0);
  const options = await extractDepcruiseOptions(path.join(root, '.dependency-cruiser.cjs'));
  const tsConfig = extractTSConfig(path.join(root, 'tsconfig.json'));
  const cwd = process.cwd();
  let output: IReporterOutput;
  process.chdir(root); // the config's paths and the resolver's are relative to the working directory
  try {
    output = await cruise(roots, { ...options, baseDir: root, outputType: 'json' }, undefined, { tsConfig });
  } finally {
    process.chdir(cwd);
  }
  const result = typeof output.output === 'string' ? JSON.parse(output.output) : output.output;
  const reasons = new Map((options.ruleSet?.forbidden ?? []).map((r) => [r.name ?? '', r.comment ?? '']));
  const violations: Violation[] = (result.summary.violations as { rule: { name: string }; from: string; to: string }[]).map((v) => ({
    rule: v.rule.name,
    why: reasons.get(v.rule.name) ?? '',
    from: v.from,
    to: v.to,
  }));
  for (const c of netnsViolations(root, roots.flatMap((d) => tsFiles(root, d)))) {
    violations.push({ rule: NETNS_RULE, why: NETNS_REASON, from: `${c.file}:${c.line}`, to: c.text.split('\n')[0] });
  }
  return violations;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '../..'));
  const violations = await checkDependencies(root);
  for (const v of violations) console.error(`${v.rule}: ${v.from} → ${v.to}`);
  for (const rule of new Set(violations.map((v) => v.rule))) console.error(`  ${rule}: ${violations.find((v) => v.rule === rule)!.why}`);
  console.log(`dependency check: ${violations.length} violation${violations.length === 1 ? '' : 's'}`);
  process.exitCode = violations.length ? 1 : 0;
}

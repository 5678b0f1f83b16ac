import path from 'node:path';
import type { Lab } from '../topology/model.js';
import { getKind } from '../kinds/registry.js';
import { HARNESS_NEEDS } from './harness-needs.js';
import { isInstalled } from './host-need.js';

/**
 * Why the lab cannot be deployed on the netns runtime for want of host programs, or
 * undefined: one sentence naming the file, each node whose kind lacks something, the
 * missing executables and the packages that bring them.
 */
export function missingForLab(lab: Lab): string | undefined {
  const byNode: string[] = [];
  const packages = new Set<string>();
  const harness = HARNESS_NEEDS.filter((n) => !isInstalled(n));
  if (harness.length) byNode.push(`the harness needs ${harness.map((n) => n.executable).join(', ')}`);
  for (const n of harness) packages.add(n.package);
  for (const node of lab.nodes) {
    const missing = getKind(node.kind).needs.filter((n) => !isInstalled(n));
    if (missing.length === 0) continue;
    byNode.push(`node ${node.name} (${node.kind}) needs ${missing.map((n) => n.executable).join(', ')}`);
    for (const n of missing) packages.add(n.package);
  }
  if (byNode.length === 0) return undefined;
  const file = path.relative(process.cwd(), lab.file) || lab.file;
  return `${file}: ${byNode.join('; ')} — not installed; apt-get install ${[...packages].sort().join(' ')} (or run ./bgpdns-lab demo / test, which install what their labs use)`;
}

/**
 * Every public entry point (the packages' "exports" maps) is documented in
 * docs/writing-scenarios.md with the file it maps to, and the guide lists no other.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

test('docs/writing-scenarios.md lists exactly the entry points of the exports maps', (t) => {
  const guide = read('docs/writing-scenarios.md');
  const documented = [...guide.matchAll(/^\| `(@bgpdns-lab\/[^`]+)` \|.*\| `([^`]+)` \|$/gm)].map((m) => `${m[1]} → ${m[2]}`);
  const exported: string[] = [];
  for (const dir of ['harness', 'images/bgpdns']) {
    const pkg = JSON.parse(read(`${dir}/package.json`)) as { name: string; exports: Record<string, string> };
    for (const [sub, file] of Object.entries(pkg.exports)) {
      exported.push(`${sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`} → ${dir}/${file.replace(/^\.\//, '')}`);
    }
  }
  t.deepEqual(documented.sort(), exported.sort());
});

/**
 * The dependency check catches each kind of violation: a small tree laid out like this
 * repository (two workspace packages, their users), with one forbidden edge per rule and
 * the allowed edge next to it, checked with the repository's own rules.
 */
import test from 'ava';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDependencies } from './check.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const TREE: Record<string, string> = {
  'package.json': json({ name: 'tree', private: true, type: 'module', workspaces: ['harness', 'images/bgpdns'] }),
  'harness/package.json': json({ name: '@bgpdns-lab/harness', type: 'module', exports: { '.': './src/index.ts', './testing': './testing/index.ts' }, dependencies: { '@bgpdns-lab/bgpdns': '0.1.0' } }),
  'images/bgpdns/package.json': json({ name: '@bgpdns-lab/bgpdns', type: 'module', exports: { '.': './src/index.ts' } }),
  'tsconfig.json': json({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true }, include: ['harness', 'images/bgpdns', 'scenarios'] }),
  'node_modules/dockerode/package.json': json({ name: 'dockerode', main: 'index.js' }),
  'node_modules/dockerode/index.js': 'module.exports = class Docker {};\n',

  // The packages' public entries and what they may do.
  'images/bgpdns/src/index.ts': "export const vty = 1;\n",
  'harness/src/index.ts': "export { vty } from '@bgpdns-lab/bgpdns';\nexport const deploy = 1;\n",
  'harness/src/lab/internal.ts': 'export const internal = 1;\n',
  'harness/src/runtime/docker.ts': "import Docker from 'dockerode';\nexport const engine = Docker;\n",
  'harness/src/runtime/netns.ts': "export const add = (ns: string) => `ip netns add ${ns}`;\n",
  'harness/src/probes/route.ts': 'export const probe = 1;\n',
  'harness/testing/index.ts': "import { internal } from '../src/lab/internal.js';\nexport const helper = internal;\n",
  'scenarios/public.ts': "import { deploy } from '@bgpdns-lab/harness';\nimport { helper } from '@bgpdns-lab/harness/testing';\nexport const ok = [deploy, helper];\n",

  // One violation per rule.
  'images/bgpdns/src/uses-harness.ts': "import { deploy } from '@bgpdns-lab/harness';\nexport const bad = deploy;\n",
  'harness/src/faults/pause.ts': "import Docker from 'dockerode';\nexport const bad = Docker;\n",
  'harness/src/report/html.ts': "import { probe } from '../probes/route.js';\nexport const bad = probe;\n",
  'scenarios/deep.ts': "import { internal } from '../harness/src/lab/internal.js';\nexport const bad = internal;\n",
  'harness/src/frr/relative.ts': "import { vty } from '../../../images/bgpdns/src/index.js';\nexport const bad = vty;\n",
  'harness/src/lab/uses-testing.ts': "import { helper } from '../../testing/index.js';\nexport const bad = helper;\n",
  'harness/src/lab/typo.ts': "import { nothing } from './missing.js';\nexport const bad = nothing;\n",
  'harness/src/kinds/enter.ts': "export const bad = (ns: string, cmd: string) => `ip netns exec ${ns} ${cmd}`;\n",
  'harness/src/kinds/argv.ts': "export const bad = (ns: string) => ['netns', 'del', ns];\n// a comment about ip netns is no command\nexport const names = ['netns', 'docker'];\n",
  'harness/src/kinds/command.ts': "export const ok = (ns: string) => ['link', 'add', 'a', 'netns', ns];\nexport const bad = (ns: string) => ['ip', 'netns', 'add', ns];\n",
};

test('each rule fails on its violation, names the file and the rule, and passes the allowed edges', async (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'bgpdns-lab-deps-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const [file, text] of Object.entries(TREE)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  mkdirSync(path.join(root, 'node_modules/@bgpdns-lab'), { recursive: true });
  symlinkSync('../../harness', path.join(root, 'node_modules/@bgpdns-lab/harness'));
  symlinkSync('../../images/bgpdns', path.join(root, 'node_modules/@bgpdns-lab/bgpdns'));
  copyFileSync(path.join(repo, '.dependency-cruiser.cjs'), path.join(root, '.dependency-cruiser.cjs'));

  const found = (await checkDependencies(root)).map((v) => `${v.rule}: ${v.from}`).sort();
  t.deepEqual(found, [
    'bgpdns-not-on-harness: images/bgpdns/src/uses-harness.ts',
    'cross-package-by-name: harness/src/frr/relative.ts',
    'cross-package-by-name: scenarios/deep.ts',
    'dockerode-only-in-docker-runtime: harness/src/faults/pause.ts',
    'ip-netns-only-in-netns-runtime: harness/src/kinds/argv.ts:1',
    'ip-netns-only-in-netns-runtime: harness/src/kinds/command.ts:2',
    'ip-netns-only-in-netns-runtime: harness/src/kinds/enter.ts:1',
    'no-test-support-in-shipped-code: harness/src/lab/uses-testing.ts',
    'not-to-unresolvable: harness/src/lab/typo.ts',
    'report-not-on-live-lab: harness/src/report/html.ts',
    'users-import-public-entries-only: scenarios/deep.ts',
  ]);
});

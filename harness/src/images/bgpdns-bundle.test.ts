import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { bgpdnsCommands, bundleAgentInstruments, bundleBgpdns } from './bgpdns-bundle.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('the image bundle dispatches every bgpdns command, as the source dispatcher does', async (t) => {
  t.timeout(60_000);
  const dir = await mkdtemp(path.join(tmpdir(), 'h7-bundle-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'bgpdns.mjs');
  const { commands: names } = await bundleBgpdns(REPO, out);
  t.deepEqual(names, await bgpdnsCommands(REPO));
  t.true(names.length > 0);
  // Plain node, no tsx, from a directory outside the repository: the bundle stands alone.
  const help = spawnSync(process.execPath, [out, 'help'], { cwd: dir, encoding: 'utf8' });
  t.is(help.status, 0, help.stderr);
  for (const name of names) t.regex(help.stdout, new RegExp(`^  ${name} `, 'm'));
  const unknown = spawnSync(process.execPath, [out, 'no-such-daemon'], { cwd: dir, encoding: 'utf8' });
  t.is(unknown.status, 2);
  t.is(unknown.stderr.trim(), `bgpdns: unknown command "no-such-daemon"; known commands: ${names.join(', ')}`);
});

/** Every file under a testing/ folder of the two packages (test support, never shipped). */
function testingFiles(): string[] {
  return ['harness/testing', 'images/bgpdns/testing'].flatMap((dir) =>
    readdirSync(path.join(REPO, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(REPO, path.join(e.parentPath, e.name))),
  );
}

// The test support that used to live inside src/ (issue 15), by its new path: it must stay out.
const MOVED_TEST_SUPPORT = [
  'images/bgpdns/testing/bgp/test-support.ts',
  'images/bgpdns/testing/bgp/fixtures.ts',
  'images/bgpdns/testing/bgp/memory-transport.ts',
  'images/bgpdns/testing/bgp/listen-probe.ts',
  'images/bgpdns/testing/dns/canned-upstream.ts',
  'images/bgpdns/testing/dns/corpus.ts',
  'images/bgpdns/testing/dns/dns-client.ts',
  'images/bgpdns/testing/dns/front-process.ts',
  'images/bgpdns/testing/dns/prefix-table-ranker.ts',
  'images/bgpdns/testing/dns/tinydns-process.ts',
  'images/bgpdns/testing/rib/test-helpers.ts',
  'images/bgpdns/testing/user-ids.ts',
  'harness/testing/report-fixture.ts',
  'bench/_frr-netns-pair.ts',
];

test('no test support is in the image bundles: nothing from a testing/ folder, no moved test helper, no test file', async (t) => {
  t.timeout(60_000);
  const dir = await mkdtemp(path.join(tmpdir(), 'h7-bundle-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const testing = testingFiles();
  t.true(testing.length >= MOVED_TEST_SUPPORT.length - 1, `found ${testing.length} files under the testing/ folders`);
  for (const [what, { inputs }] of [
    ['bgpdns.mjs', await bundleBgpdns(REPO, path.join(dir, 'bgpdns.mjs'))],
    ['the agent instruments', await bundleAgentInstruments(REPO, dir)],
  ] as const) {
    // Not vacuous: the metafile lists the repository's own sources.
    t.true(inputs.some((i) => i.startsWith('images/bgpdns/src/') || i.startsWith('harness/src/')), `${what} inputs: ${inputs.slice(0, 5).join(', ')}`);
    const bad = inputs.filter((i) => i.split('/').includes('testing') || testing.includes(i) || MOVED_TEST_SUPPORT.includes(i) || /\.test\.ts$/.test(i));
    t.deepEqual(bad, [], `${what} bundles test support`);
  }
});

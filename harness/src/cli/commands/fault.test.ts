import test from 'ava';
import { parseDuration } from './fault.js';
import { runFlags } from './run.js';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deploy } from '../../lab/deploy.js';
import type { DeployedLab } from '../../lab/handle.js';
import { NFT } from '../../faults/nft.js';

test('durations: ms, s, m and bare milliseconds; anything else is a usage error naming the flag', (t) => {
  t.is(parseDuration('500ms', '--for'), 500);
  t.is(parseDuration('5s', '--for'), 5000);
  t.is(parseDuration('1.5s', '--for'), 1500);
  t.is(parseDuration('2m', '--for'), 120_000);
  t.is(parseDuration('250', '--for'), 250);
  t.throws(() => parseDuration('soon', '--period'), { message: '--period: expected a duration like 500ms, 5s or 2m, got "soon"' });
});

test('run flags: trials and runtime checked', (t) => {
  t.deepEqual(runFlags(new Map([['trials', '5']])), { trials: 5, runtime: 'netns' });
  t.deepEqual(runFlags(new Map<string, string | true>([['runtime', 'docker'], ['trials', '1']])), { trials: 1, runtime: 'docker' });
  t.throws(() => runFlags(new Map([['trials', '0']])), { message: '--trials: expected a whole number ≥ 1, got 0' });
  t.throws(() => runFlags(new Map([['runtime', 'vm']])), { message: '--runtime: expected netns or docker, got vm' });
});

// The command end to end, as a user runs it against a lab deployed by another process.
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { timeout: 30_000 }, (err, _stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve({ code: err ? (typeof code === 'number' ? code : 1) : 0, stderr });
    });
  });
}

let lab: DeployedLab | undefined;
let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'h2fcli-'));
  const file = join(dir, 'two-hosts.clab.yml');
  await writeFile(file, 'name: h2fcli\ntopology:\n  nodes:\n    a: { kind: linux, image: alpine:3 }\n    b: { kind: linux, image: alpine:3 }\n  links:\n    - endpoints: ["a:eth1", "b:eth1"]\n');
  lab = await deploy(file);
});
test.after.always(async () => {
  await lab?.destroy();
  await rm(dir, { recursive: true, force: true });
});

const up = async (node: string, iface: string) => {
  const [info] = JSON.parse((await lab!.node(node).exec(['ip', '-j', 'link', 'show', 'dev', iface])).stdout);
  return info.flags.includes('UP') as boolean;
};

test.serial('fault link-down --for: injected, held, reverted', async (t) => {
  const r = await cli('fault', 'h2fcli', 'link-down', 'a:eth1', '--for', '300ms');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /\+\d+ ms link-down a:eth1 injected \{"commandMs":[\d.]+\}\n\+\d+ ms link-down a:eth1 reverted\n/);
  t.true(await up('a', 'eth1'));
});

test.serial('fault drop --keep leaves the nft table; fault clear removes it and brings links up', async (t) => {
  const kept = await cli('fault', 'h2fcli', 'drop', 'a:eth1', '--keep');
  t.is(kept.code, 0, kept.stderr);
  t.regex(kept.stderr, /undo with: bgpdns-lab fault h2fcli clear a/);
  t.regex((await lab!.node('a').exec([NFT, 'list', 'tables'])).stdout, /bgpdnslab_h2fcli_/);
  await lab!.node('a').exec(['ip', 'link', 'set', 'dev', 'eth1', 'down']);
  const cleared = await cli('fault', 'h2fcli', 'clear', 'a');
  t.is(cleared.code, 0, cleared.stderr);
  t.regex(cleared.stderr, /a: removed 1 fault table\(s\), brought up eth1, resumed its processes/);
  t.notRegex((await lab!.node('a').exec([NFT, 'list', 'tables'])).stdout, /bgpdnslab_/);
  t.true(await up('a', 'eth1'));
});

test.serial('bad invocations: unknown fault is a usage error (exit 2); a bad target names itself (exit 1)', async (t) => {
  const unknown = await cli('fault', 'h2fcli', 'teleport', 'a');
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /expected a fault: link-down, drop, loss, freeze, kill, flap, delay, clear/);
  const bad = await cli('fault', 'h2fcli', 'link-down', 'a');
  t.is(bad.code, 1);
  t.regex(bad.stderr, /fault target "a" must be NODE:INTERFACE/);
  const delay = await cli('fault', 'h2fcli', 'delay', 'a:eth1', '20');
  if (delay.code !== 0) t.regex(delay.stderr, /netem delay is not supported on this kernel/);
  else await cli('fault', 'h2fcli', 'clear', 'a');
});

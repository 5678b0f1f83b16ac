import test from 'ava';
import { parseDuration, planFault } from './fault.js';
import { UsageError } from '../command.js';
import { runCli } from '../cli-process.js';
import { runFlags } from './run.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deploy } from '../../lab/deploy.js';
import type { DeployedLab } from '../../lab/handle.js';
import { NFT } from '../../faults/nft.js';

test('durations: ms, s, m, 1m30s and bare milliseconds; anything else (or 0) is a usage error naming the flag', (t) => {
  t.is(parseDuration('500ms', '--for'), 500);
  t.is(parseDuration('5s', '--for'), 5000);
  t.is(parseDuration('1.5s', '--for'), 1500);
  t.is(parseDuration('2m', '--for'), 120_000);
  t.is(parseDuration('1m30s', '--for'), 90_000);
  t.is(parseDuration('250', '--for'), 250);
  for (const bad of ['soon', '5x', '0', '-1s', '']) {
    t.throws(() => parseDuration(bad, '--period'), { instanceOf: UsageError, message: `--period: expected a duration like 500ms, 5s or 2m, got "${bad}"` });
  }
});

test('fault values are checked before any lab is looked at', (t) => {
  const plan = (words: string[], values: Parameters<typeof planFault>[1] = {}) => planFault(words, values);
  const { labWord, plan: p } = plan(['mylab', 'link-down', 'a:eth1'], { for: '5s' });
  t.is(labWord, 'mylab');
  t.like(p, { target: 'a:eth1', node: 'a', iface: 'eth1', args: {}, keep: false, forMs: 5000 });
  t.is(typeof p.fault === 'object' && p.fault.name, 'link-down');
  // Short words and names alike reach the registry's fault, with its arguments by name.
  const loss = plan(['loss', 'a:eth1', '30'], { dir: 'in', peer: '198.18.0.1' }).plan;
  t.is(typeof loss.fault === 'object' && loss.fault.name, 'random-loss');
  t.deepEqual(loss.args, { percent: '30', direction: 'in', peers: '198.18.0.1' });
  t.is(plan(['session-reset', 'r1', '198.18.0.2']).plan.args.peer, '198.18.0.2');
  const usage = (words: string[], values: Parameters<typeof planFault>[1], message: string | RegExp) =>
    t.throws(() => plan(words, values), { instanceOf: UsageError, message }, words.join(' '));
  usage(['link-down', 'a:eth1'], { for: '5x' }, '--for: expected a duration like 500ms, 5s or 2m, got "5x"');
  usage(['link-down', 'a'], {}, 'fault target "a" must be NODE:INTERFACE, e.g. "isp1:eth2"');
  usage(['link-down', 'a:eth1', 'extra'], {}, 'link-down: expected link-down NODE:IF; unexpected "extra"');
  usage(['loss', 'a:eth1'], {}, 'loss: expected loss NODE:IF PERCENT');
  usage(['loss', 'a:eth1', '101'], {}, 'loss PERCENT: expected a whole number 1–100, got "101"');
  usage(['loss', 'a:eth1', '5%'], {}, 'loss PERCENT: expected a whole number 1–100, got "5%"');
  usage(['delay', 'a:eth1', 'soon'], {}, 'delay MS: expected milliseconds > 0, got "soon"');
  usage(['drop', 'a:eth1'], { dir: 'sideways' }, '--dir: expected in, out or both, got "sideways"');
  usage(['drop', 'a:eth1'], { peer: '198.18.0.1,isp1' }, '--peer: expected IP addresses separated by commas, got "isp1"');
  usage(['freeze', 'a'], { roles: 'bgpd,' }, '--roles: expected names separated by commas, got "bgpd,"');
  usage(['kill', 'a', 'bgpd'], { signal: 'SIGNOPE' }, '--signal: expected a signal name like SIGKILL or SIGTERM, got "SIGNOPE"');
  usage(['session-reset', 'a', 'b'], {}, 'session-reset PEER: expected an IPv4 or IPv6 address, got "b"');
  usage(['freeze', 'a:eth1'], {}, 'freeze: expected a node name, got "a:eth1"');
  usage(['freeze', 'a'], { dir: 'in' }, '--dir does not apply to freeze (only to random-loss, silent-drop)');
  usage(['flap', 'a:eth1'], { count: '3' }, '--period: missing: the time from one down to the next (--period DURATION)');
  usage(['flap', 'a:eth1'], { count: 'x', period: '2s' }, '--count: expected a whole number ≥ 1, got "x"');
  usage(['flap', 'a:eth1'], { count: '3', period: '2s', down: '3s' }, '--down: 3s must be shorter than the period (2s)');
  usage(['flap', 'a:eth1'], { count: '3', period: '2s', for: '5s' }, '--for does not apply to link-flap (only to delay, link-down, random-loss, silent-drop, drain, freeze, kill)');
  usage(['session-reset', 'a', '198.18.0.2'], { keep: true }, '--keep does not apply to session-reset (only to delay, link-down, random-loss, silent-drop, drain, freeze, kill)');
  usage(['link-down', 'a:eth1'], { for: '5s', keep: true }, '--for reverts the fault after a while, --keep leaves it in place: give one');
  usage(['clear', 'a'], { dir: 'in' }, '--dir does not apply to clear');
  const kinds = 'delay, link-flap, flap, link-down, random-loss, loss, silent-drop, drop, drain, freeze, kill, session-reset, clear';
  usage(['teleport', 'a'], {}, `expected a fault: ${kinds}; got "teleport"`);
  usage(['mylab', 'teleport', 'a'], {}, `expected a fault: ${kinds}; got "mylab"`);
});

test('run flags: trials and runtime checked', (t) => {
  t.deepEqual(runFlags({ trials: '5' }), { trials: 5, runtime: 'netns' });
  t.deepEqual(runFlags({ runtime: 'docker', trials: '1' }), { trials: 1, runtime: 'docker' });
  t.throws(() => runFlags({ trials: '0' }), { message: '--trials: expected a whole number ≥ 1, got "0"' });
  t.throws(() => runFlags({ trials: '2.5' }), { message: '--trials: expected a whole number ≥ 1, got "2.5"' });
  t.throws(() => runFlags({ runtime: 'vm' }), { message: '--runtime: expected netns, docker or attach, got "vm"' });
});

// The command end to end, as a user runs it against a lab deployed by another process.
const cli = (...args: string[]) => runCli(args, { timeoutMs: 30_000 });

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
  t.regex(cleared.stderr, /a: brought up eth1, removed 1 fault table\(s\), resumed its processes/);
  t.notRegex((await lab!.node('a').exec([NFT, 'list', 'tables'])).stdout, /bgpdnslab_/);
  t.true(await up('a', 'eth1'));
});

test.serial('bad invocations are usage errors (exit 64) and change nothing: unknown fault, bad target, --for 5x, unknown node, interface or role', async (t) => {
  const unknown = await cli('fault', 'h2fcli', 'teleport', 'a');
  t.is(unknown.code, 64);
  t.regex(unknown.stderr, /expected a fault: delay, link-flap, flap, link-down, random-loss, loss, silent-drop, drop, drain, freeze, kill, session-reset, clear/);
  const bad = await cli('fault', 'h2fcli', 'link-down', 'a');
  t.is(bad.code, 64);
  t.regex(bad.stderr, /fault target "a" must be NODE:INTERFACE/);
  // The README's bug: the duration used to be read only after the fault was in place.
  const badFor = await cli('fault', 'h2fcli', 'link-down', 'a:eth1', '--for', '5x');
  t.is(badFor.code, 64);
  t.regex(badFor.stderr, /^bgpdns-lab fault: --for: expected a duration like 500ms, 5s or 2m, got "5x"\n/);
  t.notRegex(badFor.stderr, /^\+\d+ ms /m);
  t.true(await up('a', 'eth1'), 'a:eth1 is still up');
  const noNode = await cli('fault', 'h2fcli', 'link-down', 'z:eth1', '--for=1s');
  t.is(noNode.code, 64);
  t.regex(noNode.stderr, /lab h2fcli has no node "z"; its nodes: a, b/);
  const noIface = await cli('fault', 'h2fcli', 'drop', 'a:eth7', '--keep');
  t.is(noIface.code, 64);
  t.regex(noIface.stderr, /node a has no interface "eth7" on a lab link; its link interfaces: eth1/);
  t.notRegex((await lab!.node('a').exec([NFT, 'list', 'tables'])).stdout, /bgpdnslab_/);
  const noRole = await cli('fault', 'h2fcli', 'kill', 'a', 'bgpd');
  t.is(noRole.code, 64);
  t.regex(noRole.stderr, /node a has no process with role "bgpd"; its roles: none/);
  const delay = await cli('fault', 'h2fcli', 'delay', 'a:eth1', '20', '--keep');
  if (delay.code !== 0) t.regex(delay.stderr, /netem delay is not supported on this kernel/);
  else await cli('fault', 'h2fcli', 'clear', 'a');
});

test.serial('faults that came from the timeline are CLI faults too: drain --for, and drain --keep undone by clear', async (t) => {
  const file = join(lab!.node('a').dir, 'maintenance');
  const held = await cli('fault', 'h2fcli', 'drain', 'a', '--for', '200ms');
  t.is(held.code, 0, held.stderr);
  t.regex(held.stderr, /drain a injected .*\n\+\d+ ms drain a reverted\n/);
  t.false(existsSync(file));
  const kept = await cli('fault', 'h2fcli', 'drain', 'a', '--keep');
  t.is(kept.code, 0, kept.stderr);
  t.true(existsSync(file));
  const cleared = await cli('fault', 'h2fcli', 'clear', 'a');
  t.regex(cleared.stderr, /a: .*removed its maintenance file/);
  t.false(existsSync(file));
});

test.serial('the lab may be named by its topology file', async (t) => {
  const r = await cli('fault', join(dir, 'two-hosts.clab.yml'), 'link-down', 'b:eth1', '--for=200ms');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /link-down b:eth1 reverted/);
  t.true(await up('b', 'eth1'));
});

/**
 * Every command through the real CLI process: --help/-h (exit 0), an unknown option
 * (64 naming it), values given as `--opt VALUE` and `--opt=VALUE`, labs named by
 * name or topology file, and not root → 77 (as a non-root user looked up by name).
 * No lab is deployed here: each case is refused before anything would change.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from './exit-codes.js';
import { runCli as cli } from './cli-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const COMMANDS = readdirSync(path.join(here, 'commands'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3));
/** Commands that must refuse to run without root (command-needs.json). */
const ROOT_COMMANDS = ['deploy', 'destroy', 'inspect', 'exec', 'fault', 'replay', 'run', 'demo', 'images', 'bench'];
/** A user that is not root, looked up at run time: the account the system reserves for unprivileged runs. */
const NON_ROOT = 'nobody';

// A topology file of a lab that is not deployed (this helper's lab-name prefix: cl-).
const dir = mkdtempSync(path.join(tmpdir(), 'cl-cli-'));
const LAB = 'cl-nolab';
const labFile = path.join(dir, 'nolab.clab.yml');
writeFileSync(labFile, `name: ${LAB}\ntopology:\n  nodes:\n    a: { kind: linux, image: alpine:3 }\n`);
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

for (const name of COMMANDS) {
  test(`${name}: --help and -h print its usage and exit 0; an unknown option exits 64 naming it`, async (t) => {
    for (const flag of ['--help', '-h']) {
      const r = await cli([name, flag]);
      t.is(r.code, EXIT.ok, `${flag}: ${r.stderr}`);
      t.regex(r.stdout, new RegExp(`^usage: bgpdns-lab ${name}`), flag);
    }
    const bad = await cli([name, '--frobnicate']);
    t.is(bad.code, EXIT.usage, bad.stderr);
    t.regex(bad.stderr, new RegExp(`^bgpdns-lab ${name}: unknown option --frobnicate; options: .*--help\\n`));
  });
}

for (const name of ROOT_COMMANDS) {
  test(`${name}: as a non-root user exits 77 in one sentence; --help still works`, async (t) => {
    t.not(userInfo().username, NON_ROOT);
    const r = await cli([name, 'x'], { asUser: NON_ROOT });
    t.is(r.code, EXIT.notRoot, r.stderr);
    t.regex(r.stderr, new RegExp(`^bgpdns-lab ${name}: must run as root \\(.*\\); try: sudo \\./bgpdns-lab ${name} x\\n$`));
    const help = await cli([name, '--help'], { asUser: NON_ROOT });
    t.is(help.code, EXIT.ok, help.stderr);
  });
}

test('help, report and doctor run without root', async (t) => {
  t.is((await cli(['help'], { asUser: NON_ROOT })).code, EXIT.ok);
  const reports = mkdtempSync(path.join(tmpdir(), 'cl-cli-reports-'));
  t.teardown(() => rmSync(reports, { recursive: true, force: true }));
  const idOf = (flag: '-u' | '-g') => Number(execFileSync('id', [flag, NON_ROOT], { encoding: 'utf8' }).trim());
  chownSync(reports, idOf('-u'), idOf('-g'));
  const report = await cli(['report', '--dir', reports], { asUser: NON_ROOT });
  t.is(report.code, EXIT.ok, report.stderr);
  t.regex(report.stdout, /^index: /m);
  const doctor = await cli(['doctor', '--json'], { asUser: NON_ROOT });
  t.not(doctor.code, EXIT.notRoot, doctor.stderr);
  const checks = (JSON.parse(doctor.stdout) as { checks: { check: string; status: string }[] }).checks;
  t.is(checks.find((c) => c.check === 'root')?.status, 'missing');
  t.is(checks.find((c) => c.check === 'network namespaces + veth')?.status, 'unchecked');
});

/** [args, exit code, stderr pattern] for each command's own usage rules. */
const CASES: [string[], number, RegExp][] = [
  // run: the README's typo and its --attach form
  [['run', 'bgpdns-link-cut', '--trial', '5'], EXIT.usage, /unknown option --trial \(did you mean --trials\?\)/],
  [['run', 'cl-nosuch', '--trials', '2'], EXIT.usage, /unknown scenario "cl-nosuch"/],
  [['run', 'cl-nosuch', '--trials=abc'], EXIT.usage, /--trials: expected a whole number ≥ 1, got "abc"/],
  [['run', 'cl-nosuch', '--trials', 'abc'], EXIT.usage, /--trials: expected a whole number ≥ 1, got "abc"/],
  [['run', 'cl-nosuch', '--attach', 'mylab'], EXIT.usage, /unknown scenario "cl-nosuch"/],
  [['run', 'cl-nosuch', '--attach'], EXIT.usage, /--attach needs a value/],
  [['run', 'cl-nosuch', '--attach', '--trials', '2'], EXIT.usage, /--attach needs a value \(got option --trials/],
  [['run', 'cl-nosuch', '--attach=mylab', '--runtime', 'docker'], EXIT.usage, /--attach LAB drives a running lab; it takes no --runtime/],
  [['run', 'cl-nosuch', '--runtime=vm'], EXIT.usage, /--runtime: expected netns, docker or attach, got "vm"/],
  [['run'], EXIT.usage, /expected at least one scenario/],
  [['demo', '--trials=0'], EXIT.usage, /--trials: expected a whole number ≥ 1, got "0"/],
  [['demo', '--runtime', 'attach'], EXIT.usage, /the demo deploys its own lab/],
  [['demo', 'extra'], EXIT.usage, /unexpected "extra"/],
  [['deploy', labFile, '--converge-timeout=soon'], EXIT.usage, /--converge-timeout: expected seconds > 0, got "soon"/],
  [['deploy', labFile, '--converge-timeout', '0'], EXIT.usage, /--converge-timeout: expected seconds > 0, got "0"/],
  [['deploy', labFile, '--runtime', 'vm'], EXIT.usage, /--runtime: expected netns or docker, got "vm"/],
  [['deploy', labFile, '--replace=yes'], EXIT.usage, /--replace takes no value \(got "yes"\)/],
  [['deploy', path.join(dir, 'missing.clab.yml')], EXIT.usage, /missing\.clab\.yml: file not found/],
  // labs named by topology file: the lab name comes from its name:
  [['inspect', labFile], EXIT.usage, new RegExp(`no deployed lab "${LAB}" \\(named in ${labFile}\\)`)],
  [['inspect', LAB], EXIT.usage, new RegExp(`no deployed lab "${LAB}" on this host`)],
  [['inspect', LAB, 'extra'], EXIT.usage, /unexpected "extra"/],
  [['exec', labFile, 'a', '--', 'true'], EXIT.usage, new RegExp(`no deployed lab "${LAB}" \\(named in `)],
  [['exec', labFile, 'a', 'ip', '-br', 'addr'], EXIT.usage, new RegExp(`no deployed lab "${LAB}" \\(named in `)],
  [['exec'], EXIT.usage, /expected \[lab\] <node>/],
  [['fault', labFile, 'link-down', 'a:eth1', '--for', '1s'], EXIT.usage, new RegExp(`no deployed lab "${LAB}" \\(named in `)],
  [['fault', labFile, 'link-down', 'a:eth1', '--for', '5x'], EXIT.usage, /--for: expected a duration like 500ms, 5s or 2m, got "5x"/],
  [['fault', labFile, 'link-down', 'a:eth1', '--for=5x'], EXIT.usage, /--for: expected a duration like 500ms, 5s or 2m, got "5x"/],
  [['replay', labFile, path.join(dir, 'missing.yml')], EXIT.usage, /missing\.yml: cannot read the timeline: ENOENT/],
  [['destroy'], EXIT.usage, /expected a topology file or a lab name/],
  [['destroy', '--all', LAB], EXIT.usage, /--all destroys every lab; name no lab with it/],
  [['destroy', '../etc'], EXIT.usage, /expected a lab name of letters, digits/],
  [['report', '--dir'], EXIT.usage, /--dir needs a value/],
  [['report', '--dir', dir, 'cl-norun'], EXIT.usage, /no run "cl-norun"/],
  [['images'], EXIT.usage, /expected a subcommand/],
  [['images', 'build', 'cl-noimage'], EXIT.usage, /unknown image "cl-noimage"/],
  [['images', 'engine', 'sideways'], EXIT.usage, /expected "engine up" or "engine down"/],
  [['bench'], EXIT.usage, /expected one benchmark name/],
  [['bench', 'cl-nobench'], EXIT.usage, /no benchmark "cl-nobench"/],
  [['bench', 'dns', '--runtime=NOPE'], EXIT.usage, /--runtime: expected a runtime name/],
  [['doctor', 'extra'], EXIT.usage, /unexpected "extra"/],
];

for (const [args, code, stderr] of CASES) {
  test(`${args.map((a) => (a.startsWith(dir) ? path.basename(a) : a)).join(' ')} → ${code}`, async (t) => {
    const r = await cli(args);
    t.is(r.code, code, r.stderr);
    t.regex(r.stderr, stderr);
  });
}

test('destroy accepts a topology file: the lab name comes from its name:', async (t) => {
  const r = await cli(['destroy', labFile]);
  t.is(r.code, EXIT.ok, r.stderr);
  t.is(r.stderr, `lab ${LAB}: nothing to destroy\n`);
});

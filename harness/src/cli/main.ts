/**
 * bgpdns-lab — the harness CLI. Each command is a file in ./commands/ exporting
 * `command: CliCommand`; this dispatcher loads it by name, so commands are added
 * without touching this file. Order for every command: parse the arguments strictly
 * (usage error 64, --help 0), then refuse when it needs root and is not (77), then run.
 * Exit codes: exit-codes.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { EXIT, LabError, UsageError } from './exit-codes.js';
import { parseCommandArgs, type CliCommand } from './command.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const commandsDir = path.join(here, 'commands');

/** command-needs.json: root and install set per command (see command.ts). */
const NEEDS = JSON.parse(readFileSync(path.join(here, 'command-needs.json'), 'utf8')) as Record<string, { root: boolean; installs: string }>;

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function load(name: string): Promise<CliCommand | undefined> {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || !commandNames().includes(name)) return undefined;
  const mod = (await import(pathToFileURL(path.join(commandsDir, `${name}.ts`)).href)) as { command?: CliCommand };
  if (!mod.command) throw new Error(`commands/${name}.ts does not export \`command\``);
  return mod.command;
}

async function help(topic?: string): Promise<number> {
  if (topic) {
    const cmd = await load(topic);
    if (!cmd) return unknown(topic);
    process.stdout.write(`${cmd.usage.trimEnd()}\n`);
    return EXIT.ok;
  }
  const lines = ['usage: bgpdns-lab <command> [args…]', '', 'commands:'];
  const names = commandNames();
  const width = Math.max(4, ...names.map((n) => n.length));
  for (const name of names) {
    let summary: string;
    try {
      summary = (await load(name))?.summary ?? '';
    } catch (e) {
      summary = `(cannot load: ${(e as Error).message.split('\n')[0]})`;
    }
    lines.push(`  ${name.padEnd(width)}  ${summary}`);
  }
  lines.push(`  ${'test'.padEnd(width)}  run every test (type check, unit tests, lab scenarios)`);
  lines.push(
    '',
    'bgpdns-lab <command> --help (or help <command>) shows its usage.',
    `exit codes: ${EXIT.ok} ok/met, ${EXIT.failed} an assertion or SLO failed (or the command failed),`,
    `  ${EXIT.lab} a lab could not be built or torn down, ${EXIT.usage} usage error, ${EXIT.notRoot} must run as root`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

function unknown(name: string): number {
  process.stderr.write(`bgpdns-lab: unknown command "${name}"; commands: ${commandNames().join(', ')}, test\n`);
  return EXIT.usage;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topics = rest.filter((w) => w !== '--help' && w !== '-h');
    if (topics.length > 1) return usageError('help', `expected at most one command, got "${topics.join(' ')}"`, 'usage: bgpdns-lab help [command]');
    return help(topics[0]);
  }
  if (name === '__needs') {
    // Hidden: what the launcher asks before it installs anything (answered by needs.mjs, plain node).
    return spawnSync(process.execPath, [path.join(here, 'needs.mjs'), ...rest], { stdio: 'inherit' }).status ?? EXIT.failed;
  }
  const cmd = await load(name);
  if (!cmd) return unknown(name);
  let args;
  try {
    args = parseCommandArgs(cmd, rest);
  } catch (e) {
    if (e instanceof UsageError) return usageError(name, e.message, cmd.usage);
    throw e;
  }
  if (args.help) {
    process.stdout.write(`${cmd.usage.trimEnd()}\n`);
    return EXIT.ok;
  }
  if (NEEDS[name]?.root && process.geteuid?.() !== 0) {
    process.stderr.write(`bgpdns-lab ${name}: must run as root (it creates network namespaces, runs lab daemons or reads their state); try: sudo ./bgpdns-lab ${argv.join(' ')}\n`);
    return EXIT.notRoot;
  }
  try {
    return await cmd.run(args);
  } catch (e) {
    if (e instanceof UsageError) return usageError(name, e.message, cmd.usage);
    const err = e as Error;
    process.stderr.write(`bgpdns-lab ${name}: ${process.env.BGPDNS_LAB_DEBUG ? err.stack : err.message}\n`);
    return e instanceof LabError ? EXIT.lab : EXIT.failed;
  }
}

function usageError(name: string, message: string, usage: string): number {
  process.stderr.write(`bgpdns-lab ${name}: ${message}\n${usage.trimEnd()}\n`);
  return EXIT.usage;
}

process.exitCode = await main(process.argv.slice(2));

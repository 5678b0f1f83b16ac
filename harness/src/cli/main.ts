/**
 * bgpdns-lab — the harness CLI. Each command is a file in ./commands/ exporting
 * `command: CliCommand`; this dispatcher loads it by name, so commands are added
 * without touching this file.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { UsageError, type CliCommand } from './command.js';

const commandsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');

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
    return 0;
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
  lines.push('', 'bgpdns-lab help <command> shows its usage.');
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function unknown(name: string): number {
  process.stderr.write(`bgpdns-lab: unknown command "${name}"; commands: ${commandNames().join(', ')}, test\n`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return help(rest[0]);
  const cmd = await load(name);
  if (!cmd) return unknown(name);
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bgpdns-lab ${name}: ${e.message}\n${cmd.usage.trimEnd()}\n`);
      return 2;
    }
    const err = e as Error;
    process.stderr.write(`bgpdns-lab ${name}: ${process.env.BGPDNS_LAB_DEBUG ? err.stack : err.message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

/**
 * `bgpdns <command> …` — one binary for every daemon an operator deploys.
 * Each command lives in ./commands/<name>.ts and exports `command: Command`,
 * so adding a daemon never edits this file.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export interface Command {
  summary: string;
  usage: string;
  /** Returns the process exit code. Long-running daemons resolve when they stop. */
  run(argv: string[]): Promise<number>;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

function available(): string[] {
  try {
    return readdirSync(commandsDir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => f.slice(0, -3))
      .sort();
  } catch {
    return [];
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const names = available();
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const lines = ['usage: bgpdns <command> [options]', '', 'commands:'];
    for (const n of names) {
      const { command } = (await import(join(commandsDir, `${n}.ts`))) as { command: Command };
      lines.push(`  ${n.padEnd(10)} ${command.summary}`);
    }
    console.log(lines.join('\n'));
    return name ? 0 : 2;
  }
  if (!names.includes(name)) {
    console.error(`bgpdns: unknown command "${name}"; known commands: ${names.join(', ') || '(none)'}`);
    return 2;
  }
  const { command } = (await import(join(commandsDir, `${name}.ts`))) as { command: Command };
  return command.run(rest);
}

process.exitCode = await main(process.argv.slice(2));

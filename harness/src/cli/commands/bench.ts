import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import { parseArgs, UsageError, type CliCommand } from '../command.js';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bench');

function benchmarks(): string[] {
  try {
    return readdirSync(benchDir)
      .filter((f) => f.endsWith('.ts') && !f.includes('.test.') && !f.startsWith('_'))
      .map((f) => f.slice(0, -3))
      .filter((n) => !n.includes('.'))
      .sort();
  } catch {
    return [];
  }
}

export const command: CliCommand = {
  summary: 'run a benchmark from bench/ (last stdout line: one JSON object with figures and targets)',
  usage: `usage: bgpdns-lab bench <name> [--quick]

Runs bench/<name>.ts in its own process (so its memory figures are its own),
passing --quick through. Contract (CONTRACTS.md): the last stdout line is one JSON
object {"bench","quick","machine","figures","targets"}; exit 0 when it ran.
Benchmarks: ${benchmarks().join(', ') || '(none)'}`,
  async run(argv) {
    const { positional, flags } = parseArgs(argv);
    if (positional.length !== 1) throw new UsageError('expected one benchmark name');
    const name = positional[0];
    const file = path.join(benchDir, `${name}.ts`);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(file)) {
      throw new UsageError(`no benchmark "${name}"; benchmarks: ${benchmarks().join(', ') || '(none)'}`);
    }
    const args = flags.has('quick') ? ['--quick'] : [];
    // Same node flags as this CLI process (--import tsx, heap settings from the launcher).
    const out = await $({ stdio: 'inherit', nothrow: true, quiet: true })`${process.execPath} ${process.execArgv} ${file} ${args}`;
    return out.exitCode ?? 1;
  },
};

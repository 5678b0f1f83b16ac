import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand, EXIT, UsageError } from '../command.js';

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

export const command = defineCommand({
  summary: 'run a benchmark from bench/ (last stdout line: one JSON object with figures and targets)',
  usage: `usage: bgpdns-lab bench <name> [--quick] [--runtime R]

Runs bench/<name>.ts in its own process (so its memory figures are its own),
passing --quick through; --runtime R runs bench/<name>.R.ts (lab-up --runtime docker).
The last stdout line is one JSON object {"bench","quick","machine","figures","targets"}.
Exit 0: it ran (targets met or not); 1: it could not run (one line says why);
2: its lab could not be built; 64: usage error or no such benchmark; 77: not root.
Benchmarks: ${benchmarks().join(', ') || '(none)'}`,
  options: { quick: { type: 'boolean' }, runtime: { type: 'string' } },
  async run({ positionals, values }) {
    if (positionals.length !== 1) throw new UsageError('expected one benchmark name');
    const name = positionals[0];
    const runtime = values.runtime;
    if (runtime !== undefined && !/^[a-z]+$/.test(runtime)) throw new UsageError(`--runtime: expected a runtime name, e.g. docker, got "${runtime}"`);
    // `bench NAME --runtime R` runs bench/NAME.R.ts: the same benchmark on another runtime.
    const variant = runtime ? path.join(benchDir, `${name}.${runtime}.ts`) : undefined;
    if (variant && !existsSync(variant)) throw new UsageError(`benchmark "${name}" has no --runtime ${runtime} variant (bench/${name}.${runtime}.ts)`);
    const file = variant ?? path.join(benchDir, `${name}.ts`);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(file)) {
      throw new UsageError(`no benchmark "${name}"; benchmarks: ${benchmarks().join(', ') || '(none)'}`);
    }
    const args = values.quick ? ['--quick'] : [];
    // Same node flags as this CLI process (--import tsx, heap settings from the launcher).
    const { $ } = await import('zx');
    const out = await $({ stdio: 'inherit', nothrow: true, quiet: true })`${process.execPath} ${process.execArgv} ${file} ${args}`;
    // The benchmark's own code when it is one of ours (exit-codes.ts), else "could not run".
    const code = out.exitCode ?? EXIT.failed;
    return (Object.values(EXIT) as number[]).includes(code) ? code : EXIT.failed;
  },
});

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { defineCommand, EXIT, UsageError } from '../command.js';
import { benchSummary } from '../bench-summary.js';

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
    const code = await runWithSummary([...process.execArgv, file, ...args]);
    // The benchmark's own code when it is one of ours (exit-codes.ts), else "could not run".
    return (Object.values(EXIT) as number[]).includes(code) ? code : EXIT.failed;
  },
});

/**
 * Runs the benchmark, passing its stdout through line by line but holding the last
 * line back, so the met/missed summary can go just before the JSON line (which stays last).
 */
function runWithSummary(nodeArgs: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, nodeArgs, { stdio: ['inherit', 'pipe', 'inherit'] });
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const cut = pending.lastIndexOf('\n', pending.length - 2);
      if (cut >= 0) {
        process.stdout.write(pending.slice(0, cut + 1));
        pending = pending.slice(cut + 1);
      }
    });
    child.once('error', (e) => {
      process.stderr.write(`bench: ${e.message}\n`);
      resolve(EXIT.failed);
    });
    child.once('close', (code) => {
      const last = pending.trimEnd();
      const summary = benchSummary(last);
      if (summary) process.stdout.write(`${summary}\n`);
      if (last) process.stdout.write(`${last}\n`);
      resolve(code ?? EXIT.failed);
    });
  });
}

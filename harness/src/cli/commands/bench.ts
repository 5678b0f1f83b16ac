import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { parseArgs, UsageError, type CliCommand } from '../command.js';
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

export const command: CliCommand = {
  summary: 'run a benchmark from bench/ (last stdout line: one JSON object with figures and targets)',
  usage: `usage: bgpdns-lab bench <name> [--quick] [--runtime R]

Runs bench/<name>.ts in its own process (so its memory figures are its own),
passing --quick through; --runtime R runs bench/<name>.R.ts (lab-up --runtime docker). Contract (CONTRACTS.md): the last stdout line is one JSON
object {"bench","quick","machine","figures","targets"}; exit 0 when it ran.
Benchmarks: ${benchmarks().join(', ') || '(none)'}`,
  async run(argv) {
    const { positional, flags } = parseArgs(argv, ['runtime'], ['quick']);
    if (positional.length !== 1) throw new UsageError('expected one benchmark name');
    const name = positional[0];
    const runtime = flags.get('runtime');
    if (runtime !== undefined && (typeof runtime !== 'string' || !/^[a-z]+$/.test(runtime))) throw new UsageError('--runtime expects a runtime name, e.g. docker');
    // `bench NAME --runtime R` runs bench/NAME.R.ts: the same benchmark on another runtime.
    const variant = runtime ? path.join(benchDir, `${name}.${runtime}.ts`) : undefined;
    if (variant && !existsSync(variant)) throw new UsageError(`benchmark "${name}" has no --runtime ${runtime} variant (bench/${name}.${runtime}.ts)`);
    const file = variant ?? path.join(benchDir, `${name}.ts`);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(file)) {
      throw new UsageError(`no benchmark "${name}"; benchmarks: ${benchmarks().join(', ') || '(none)'}`);
    }
    const args = flags.has('quick') ? ['--quick'] : [];
    // Same node flags as this CLI process (--import tsx, heap settings from the launcher).
    return runWithSummary([...process.execArgv, file, ...args]);
  },
};

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
      resolve(1);
    });
    child.once('close', (code) => {
      const last = pending.trimEnd();
      const summary = benchSummary(last);
      if (summary) process.stdout.write(`${summary}\n`);
      if (last) process.stdout.write(`${last}\n`);
      resolve(code ?? 1);
    });
  });
}

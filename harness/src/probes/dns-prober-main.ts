/** Entry of the DNS prober child process (see dns-prober.ts). */
import { appendFileSync } from 'node:fs';
import { parseProberArgs, runProber, type ProberOptions } from './dns-prober.js';

async function main(): Promise<void> {
  let opts: ProberOptions;
  try {
    opts = parseProberArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 2;
    return;
  }
  const write = opts.out
    ? (line: string) => appendFileSync(opts.out!, line)
    : (line: string) => void process.stdout.write(line);
  const stop = new Promise((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await runProber(opts, (s) => write(`${JSON.stringify(s)}\n`), stop);
  process.exit(0);
}

await main();

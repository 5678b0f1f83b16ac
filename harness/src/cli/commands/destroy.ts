import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { destroyLab, deployedLabs, leftovers } from '../../lab/destroy.js';
import { parseArgs, UsageError, type CliCommand } from '../command.js';

/** A lab name from a topology file's `name:` (read loosely: a broken file must still be destroyable). */
function labNameOf(arg: string): string {
  if (!/\.ya?ml$/.test(arg) && !existsSync(arg)) return arg;
  let doc: unknown;
  try {
    doc = parse(readFileSync(arg, 'utf8'));
  } catch (e) {
    throw new Error(`${arg}: cannot read the lab name: ${(e as Error).message.split('\n')[0]}`);
  }
  const name = (doc as { name?: unknown } | null)?.name;
  if (typeof name !== 'string') throw new Error(`${arg}: name: expected the lab name as a string`);
  return name;
}

export const command: CliCommand = {
  summary: 'stop and remove a lab (by topology file or lab name), also one whose harness was killed',
  usage: `usage: bgpdns-lab destroy <file.clab.yml | lab>… | --all

Stops the lab's daemons by PID (SIGTERM, then SIGKILL), removes its namespaces
(with their veths and nft tables) and its directory under /run/bgpdns-lab.
Works from the state on disk, so it also cleans up after a SIGKILLed harness.
Idempotent: destroying a lab that is gone succeeds.`,
  async run(argv) {
    const { positional, flags } = parseArgs(argv, [], ['all']);
    const labs = flags.has('all') ? [...new Set([...deployedLabs(), ...(await leftovers()).map((l) => l.lab)])] : positional.map(labNameOf);
    if (labs.length === 0) {
      if (flags.has('all')) {
        process.stderr.write('no labs on this host\n');
        return 0;
      }
      throw new UsageError('expected a topology file or a lab name');
    }
    let failed = 0;
    for (const lab of labs) {
      const before = await leftovers(lab);
      const t0 = performance.now();
      try {
        await destroyLab(lab);
        const ms = performance.now() - t0;
        process.stderr.write(before.length ? `destroyed ${lab} in ${(ms / 1000).toFixed(2)} s (${summarize(before)})\n` : `lab ${lab}: nothing to destroy\n`);
      } catch (e) {
        failed++;
        process.stderr.write(`${(e as Error).message}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};

function summarize(items: { type: string }[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.type, (counts.get(i.type) ?? 0) + 1);
  const plural: Record<string, string> = { netns: 'namespaces', process: 'processes' };
  return [...counts].map(([t, n]) => `${n} ${n > 1 ? (plural[t] ?? `${t}s`) : t}`).join(', ');
}

import { defineCommand, EXIT, UsageError } from '../command.js';
import { labNameOf } from '../lab-arg.js';

export const command = defineCommand({
  summary: 'stop and remove a lab (by topology file or lab name), also one whose harness was killed',
  usage: `usage: bgpdns-lab destroy <file.clab.yml | lab>… | --all

Stops the lab's daemons by PID (SIGTERM, then SIGKILL), removes its namespaces
(with their veths and nft tables) and its directory under /run/bgpdns-lab.
Works from the state on disk, so it also cleans up after a SIGKILLed harness.
Idempotent: destroying a lab that is gone succeeds.
Exit 0: every lab named is gone; 2: one could not be torn down; 64: usage error; 77: not root.`,
  options: { all: { type: 'boolean' } },
  async run({ positionals, values }) {
    if (values.all && positionals.length > 0) throw new UsageError('--all destroys every lab; name no lab with it');
    if (!values.all && positionals.length === 0) throw new UsageError('expected a topology file or a lab name');
    const named = positionals.map(labNameOf);
    const { destroyLab, deployedLabs, leftovers } = await import('../../lab/destroy.js');
    const labs = values.all ? [...new Set([...deployedLabs(), ...(await leftovers()).map((l) => l.lab)])] : named;
    if (labs.length === 0) {
      process.stderr.write('no labs on this host\n');
      return EXIT.ok;
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
    return failed ? EXIT.lab : EXIT.ok;
  },
});

function summarize(items: { type: string }[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.type, (counts.get(i.type) ?? 0) + 1);
  const plural: Record<string, string> = { netns: 'namespaces', process: 'processes' };
  return [...counts].map(([t, n]) => `${n} ${n > 1 ? (plural[t] ?? `${t}s`) : t}`).join(', ');
}

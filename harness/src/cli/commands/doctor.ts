import { defineCommand, EXIT, expectPositionals } from '../command.js';
import type { CheckResult } from '../doctor-checks.js';

export const command = defineCommand({
  summary: 'check this host (no root needed, installs nothing): what is missing and the command that installs it',
  usage: `usage: bgpdns-lab doctor [--json]

One line per check: OK, MISSING with the command that fixes it, or UNCHECKED (kernel
features are tried in a scratch namespace, which needs root). Executables are checked
per Debian package: those every lab kind runs (FRR daemons, tinydns, unbound …) and
those the harness runs (ip, nft, dig, dnsperf, dockerd …). A missing optional check
only limits a feature (e.g. no netem: delay faults report "not supported").
The last line gathers one apt-get command for everything missing.
Runs without root and installs nothing.
Exit 0: every required check is OK (or unchecked); 1: a required one is missing; 64: usage error.`,
  options: { json: { type: 'boolean' } },
  async run({ positionals, values }) {
    expectPositionals(positionals, 0, 0, 'no arguments besides --json');
    const { doctorChecks } = await import('../doctor-checks.js');
    const checks = await doctorChecks();
    const results = await Promise.all(
      checks.map(async (c) => ({ c, r: await c.run().catch((e: Error): CheckResult => ({ status: 'missing', detail: e.message })) })),
    );
    const missing = results.filter(({ r }) => r.status === 'missing');
    const packages = [...new Set(missing.flatMap(({ r }) => r.packages ?? []))];
    const install = packages.length ? `apt-get install -y ${packages.join(' ')}` : undefined;
    if (values.json) {
      const rows = results.map(({ c, r }) => ({ check: c.name, status: r.status, ok: r.status === 'ok', optional: !!c.optional, detail: r.detail, fix: r.status === 'ok' ? undefined : r.fix }));
      process.stdout.write(`${JSON.stringify({ checks: rows, install })}\n`);
    } else {
      const width = Math.max(...checks.map((c) => c.name.length));
      const label = { ok: 'OK       ', missing: 'MISSING  ', unchecked: 'UNCHECKED' } as const;
      for (const { c, r } of results) {
        const fix = r.status !== 'ok' && r.fix ? `\n${' '.repeat(11 + width)}  fix: ${r.fix}` : '';
        process.stdout.write(`${label[r.status]}  ${c.name.padEnd(width)}  ${r.status === 'missing' && c.optional ? 'optional: ' : ''}${r.detail}${fix}\n`);
      }
      process.stdout.write(install ? `to install what is missing (as root): ${install}\n` : 'nothing to install\n');
    }
    return missing.some(({ c }) => !c.optional) ? EXIT.failed : EXIT.ok;
  },
});

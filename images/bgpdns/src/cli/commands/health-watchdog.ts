/**
 * `bgpdns health-watchdog` — started by `bgpdns health` itself (not by operators):
 * reads the agent's heartbeats on stdin and withdraws the prefix when the agent dies
 * or hangs (see health/watchdog.ts).
 */
import { parseArgs } from 'node:util';
import type { Command } from '../main.js';
import { runWatchdog } from '../../health/watchdog.js';

const usage = `usage: bgpdns health-watchdog --vty SOCKET --asn ASN --prefix P/LEN --timeout MS --agent-pid PID
  (started by bgpdns health; heartbeats arrive on stdin)`;

export const command: Command = {
  summary: 'the health agent\'s dead man\'s switch (started by bgpdns health)',
  usage,
  async run(argv) {
    let values: Record<string, string | undefined>;
    try {
      ({ values } = parseArgs({ args: argv, options: Object.fromEntries(['vty', 'asn', 'prefix', 'timeout', 'agent-pid'].map((k) => [k, { type: 'string' as const }])), strict: true }));
    } catch (err) {
      console.error(`bgpdns health-watchdog: ${(err as Error).message}\n${usage}`);
      return 2;
    }
    const missing = ['vty', 'asn', 'prefix', 'timeout', 'agent-pid'].filter((k) => !values[k]);
    const numbers = ['asn', 'timeout', 'agent-pid'].filter((k) => values[k] && !/^\d+$/.test(values[k]!));
    if (missing.length || numbers.length) {
      console.error(`bgpdns health-watchdog: ${missing.map((k) => `--${k} is required`).concat(numbers.map((k) => `--${k} must be a number`)).join('; ')}\n${usage}`);
      return 2;
    }
    await runWatchdog({
      vtySocket: values.vty!,
      asn: Number(values.asn),
      prefix: values.prefix!,
      timeoutMs: Number(values.timeout),
      agentPid: Number(values['agent-pid']),
      input: process.stdin,
      log: (e) => process.stdout.write(`${JSON.stringify(e)}\n`),
    });
    return 0;
  },
};

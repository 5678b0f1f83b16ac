/**
 * Per-command cost of FRR control: the persistent vty socket client against a
 * `vtysh --vty_socket DIR -c CMD` spawn per command, on a bgpd with one Established
 * eBGP session and one prefix (the two routers of harness/testing/labs/frr-control,
 * deployed by deploy()). Prints a final
 * JSON line in the benchmark contract's shape.
 *   ./bgpdns-lab bench vty-command-cost [--quick]
 */
import os from 'node:os';
import { $ } from 'zx';
import { fileURLToPath } from 'node:url';
import { deployTestLab, destroyTestLab } from '@bgpdns-lab/harness/testing';
import { frr, waitUntil, monoNow } from '@bgpdns-lab/harness';
import { round } from './_figures.js';

const quick = process.argv.includes('--quick');
const socketRuns = quick ? 500 : 5000;
const spawnRuns = quick ? 10 : 40;
const PREFIX = '198.18.100.0/24';

const lab = await deployTestLab(fileURLToPath(new URL('../harness/testing/labs/frr-control/frr-control.clab.yml', import.meta.url)));
try {
  const r2 = frr(lab.node('r2'));
  await waitUntil(() => r2.bestPath(PREFIX), (p) => p !== undefined, { what: `r2 has a path to ${PREFIX}`, timeout: 30_000, interval: 50 });
  const perCommand = async (cmd: string, n: number) => {
    await r2.command(cmd);
    const t0 = monoNow();
    for (let i = 0; i < n; i++) await r2.command(cmd);
    return (monoNow() - t0) / n;
  };
  const summaryCmd = 'show bgp summary json';
  const prefixCmd = `show bgp ipv4 unicast ${PREFIX} json`;
  const summaryMs = await perCommand(summaryCmd, socketRuns);
  const prefixMs = await perCommand(prefixCmd, socketRuns);
  const dir = lab.node('r2').dir;
  const t0 = monoNow();
  for (let i = 0; i < spawnRuns; i++) await $`vtysh --vty_socket ${dir} -d bgpd -c ${summaryCmd}`.quiet();
  const vtyshMs = (monoNow() - t0) / spawnRuns;
  console.log(`vty socket: "${summaryCmd}" ${round(summaryMs)} ms, "${prefixCmd}" ${round(prefixMs)} ms per command (${socketRuns} each)`);
  console.log(`vtysh spawn: "${summaryCmd}" ${round(vtyshMs)} ms per command (${spawnRuns})`);
  console.log(
    JSON.stringify({
      bench: 'vty-command-cost',
      quick,
      machine: { cores: os.cpus().length, kernel: os.release() },
      figures: { socket_bgp_summary_ms: round(summaryMs), socket_prefix_paths_ms: round(prefixMs), vtysh_bgp_summary_ms: round(vtyshMs) },
      targets: [{ name: 'socket_vs_vtysh', value: round(summaryMs / vtyshMs), op: '<=', target: 0.05, met: summaryMs / vtyshMs <= 0.05 }],
    }),
  );
} finally {
  await destroyTestLab(lab);
}

/**
 * Per-command cost of FRR control: the persistent vty socket client against a
 * `vtysh --vty_socket DIR -c CMD` spawn per command, on one bgpd in a throwaway
 * namespace. Prints a final JSON line in the benchmark contract's shape.
 *   node --import tsx bench/vty-command-cost.ts [--quick]
 */
import os from 'node:os';
import { $ } from 'zx';
import { startTestLab } from '../harness/src/frr/test-lab.js';
import { frr } from '../harness/src/frr/frr-control.js';
import { monoNow } from '../harness/src/clock.js';

const quick = process.argv.includes('--quick');
const socketRuns = quick ? 500 : 5000;
const spawnRuns = quick ? 10 : 40;

const lab = await startTestLab('h2bench', [{ name: 'r1', bgpd: 'router bgp 64501\n bgp router-id 198.18.255.1\n' }], []);
try {
  const r1 = frr(lab.node('r1'));
  const perCommand = async (cmd: string, n: number) => {
    await r1.command(cmd);
    const t0 = monoNow();
    for (let i = 0; i < n; i++) await r1.command(cmd);
    return (monoNow() - t0) / n;
  };
  const versionMs = await perCommand('show version', socketRuns);
  const summaryMs = await perCommand('show bgp summary json', socketRuns);
  const dir = lab.node('r1').dir;
  const t0 = monoNow();
  for (let i = 0; i < spawnRuns; i++) await $`vtysh --vty_socket ${dir} -d bgpd -c ${'show bgp summary json'}`.quiet();
  const vtyshMs = (monoNow() - t0) / spawnRuns;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  console.log(`vty socket: show version ${round(versionMs)} ms, show bgp summary json ${round(summaryMs)} ms per command (${socketRuns} each)`);
  console.log(`vtysh spawn: show bgp summary json ${round(vtyshMs)} ms per command (${spawnRuns})`);
  console.log(
    JSON.stringify({
      bench: 'vty-command-cost',
      quick,
      machine: { cores: os.cpus().length, kernel: os.release() },
      figures: { socket_show_version_ms: round(versionMs), socket_bgp_summary_ms: round(summaryMs), vtysh_bgp_summary_ms: round(vtyshMs) },
      targets: [{ name: 'socket_vs_vtysh', value: round(summaryMs / vtyshMs), op: '<=', target: 0.05, met: summaryMs / vtyshMs <= 0.05 }],
    }),
  );
} finally {
  await lab.destroy();
}

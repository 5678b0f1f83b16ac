import { $ } from 'zx';
import { attachLab, deployedLabs } from '../../lab/destroy.js';
import { parseArgs, UsageError, type CliCommand } from '../command.js';
import { pickLab } from '../lab-arg.js';
import { getKind } from '../../kinds/registry.js';

export const command: CliCommand = {
  summary: 'run a command (or a shell) inside a lab node',
  usage: `usage: bgpdns-lab exec [lab] <node> [-- <command…>]

Runs the command in the node's network namespace with your terminal attached and
exits with its exit code. Without a command: an interactive shell in the node.
The lab may be omitted when only one lab is deployed.
\`vtysh\` in an FRR node talks to that node's daemons.
  bgpdns-lab exec isp1 -- ip -br addr
  bgpdns-lab exec multihomed c1 -- vtysh -c 'show bgp summary'`,
  async run(argv) {
    const dashes = argv.indexOf('--');
    const head = dashes >= 0 ? argv.slice(0, dashes) : argv;
    let cmd = dashes >= 0 ? argv.slice(dashes + 1) : [];
    const { positional } = parseArgs(head);
    let labName: string | undefined;
    let nodeName: string | undefined;
    if (dashes >= 0) {
      if (positional.length === 1) nodeName = positional[0];
      else if (positional.length === 2) [labName, nodeName] = positional;
      else throw new UsageError('expected [lab] <node> before --');
    } else {
      // Without "--": `exec [lab] node cmd…`; the first word is a lab when one by that name is deployed.
      const words = positional;
      if (words.length === 0) throw new UsageError('expected a node');
      if (deployedLabs().includes(words[0]) && words.length >= 2) {
        labName = words[0];
        nodeName = words[1];
        cmd = words.slice(2);
      } else {
        nodeName = words[0];
        cmd = words.slice(1);
      }
    }
    const lab = attachLab(pickLab(labName));
    const node = lab.node(nodeName!);
    if (cmd.length === 0) cmd = [process.env.SHELL || '/bin/bash'];
    const kind = getKind(node.kind);
    // The kind's environment (for FRR: its vtysh bound to the node's daemons first on PATH).
    const env = { ...process.env, ...(kind.execEnv?.({ lab: lab.model, node: node.model, dir: node.dir }) ?? {}) };
    const ns = node.netns.replace('/run/netns/', '');
    const out = await $({ stdio: 'inherit', nothrow: true, quiet: true, env })`ip netns exec ${ns} ${cmd}`;
    return out.exitCode ?? 1;
  },
};

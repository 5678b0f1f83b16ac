import { defineCommand, UsageError } from '../command.js';
import { namesLab, pickLab, pickNode } from '../lab-arg.js';

export const command = defineCommand({
  summary: 'run a command (or a shell) inside a lab node',
  usage: `usage: bgpdns-lab exec [lab | file.clab.yml] <node> [-- <command…>]

Runs the command inside the node (its network namespace, or its container on
Docker; also in a lab driven by attaching) with your terminal attached and exits
with its exit code. Without a command: an interactive shell in the node.
The lab by name or by its topology file; it may be omitted when only one lab is
deployed. Without "--" the command starts at the first word after the node.
\`vtysh\` in an FRR node talks to that node's daemons.
  bgpdns-lab exec isp1 -- ip -br addr
  bgpdns-lab exec multihomed c1 -- vtysh -c 'show bgp summary'
Exit: the command's own exit code once it ran; before that 64 (usage error, no
such lab or node) or 77 (not root).`,
  options: {},
  splitCommand(argv) {
    const dashes = argv.indexOf('--');
    if (dashes >= 0) return { own: argv.slice(0, dashes), command: argv.slice(dashes + 1) };
    // Without "--": options, then [lab] node, then the command (options right after the node are exec's).
    const own: string[] = [];
    let i = 0;
    const takeOptions = () => {
      while (i < argv.length && argv[i].startsWith('-')) own.push(argv[i++]);
    };
    takeOptions();
    const words = argv.slice(i).filter((w) => !w.startsWith('-'));
    const wordCount = words.length >= 2 && namesLab(words[0]) ? 2 : 1;
    for (let taken = 0; taken < wordCount && i < argv.length; taken++) {
      own.push(argv[i++]);
      takeOptions();
    }
    return { own, command: argv.slice(i) };
  },
  async run({ positionals, command: argvInNode }) {
    if (positionals.length === 0 || positionals.length > 2) throw new UsageError('expected [lab] <node>, then the command (after "--")');
    const [labWord, nodeName] = positionals.length === 2 ? positionals : [undefined, positionals[0]];
    const [{ attachLab }, { getKind }] = await Promise.all([import('../../lab/destroy.js'), import('../../kinds/registry.js')]);
    const lab = attachLab(pickLab(labWord));
    const node = pickNode(lab, nodeName);
    // The shell named by SHELL where the node sees it (netns: the host's environment), else bash.
    const cmd = argvInNode.length > 0 ? argvInNode : ['sh', '-c', 'exec "${SHELL:-/bin/bash}"'];
    const kind = getKind(node.kind);
    // The kind's environment (for FRR: its vtysh bound to the node's daemons first on PATH).
    const env = kind.execEnv?.({ lab: lab.model, node: node.model, dir: node.dir }) ?? {};
    return lab.runtime.execAttached(lab.model, node.name, cmd, { env });
  },
});

import { monoNow } from '../../clock.js';
import { deploy } from '../../lab/deploy.js';
import { bgpNodes, waitBgpConverged } from '../../lab/converged.js';
import { loadTopology } from '../../topology/load.js';
import { destroyLab } from '../../lab/destroy.js';
import { RUNTIME_NAMES, defaultRuntimeName, runtimeNamed } from '../../runtime/by-name.js';
import { parseArgs, UsageError, type CliCommand } from '../command.js';
import { ProgressView } from '../progress-view.js';

export const command: CliCommand = {
  summary: 'deploy a topology file (*.clab.yml); prints time to ready and to BGP converged',
  usage: `usage: bgpdns-lab deploy <file.clab.yml> [--runtime netns|docker] [--replace] [--no-converge] [--converge-timeout SECONDS]

Deploys every node (namespace, links, daemons, exec lines) with live progress on
stderr, then waits until every BGP session of the lab is Established.
The lab stays up: bgpdns-lab inspect | exec | destroy <lab>.
Ctrl-C during deploy destroys what was created.
--replace destroys a lab of the same name first (else deploy refuses to touch it).
--runtime docker runs every node in a container from the offline images
(bgpdns-lab images build), named clab-<lab>-<node> as containerlab names them;
default: BGPDNS_RUNTIME, else netns.`,
  async run(argv) {
    const { positional, flags } = parseArgs(argv, ['runtime', 'converge-timeout'], ['no-converge', 'replace']);
    if (positional.length !== 1) throw new UsageError('expected one topology file');
    const timeoutS = Number(flags.get('converge-timeout') ?? 60);
    if (!(timeoutS > 0)) throw new UsageError('--converge-timeout expects seconds > 0');
    const runtimeName = flags.get('runtime') ?? defaultRuntimeName();
    if (!(RUNTIME_NAMES as readonly unknown[]).includes(runtimeName)) {
      throw new UsageError(`runtime "${String(runtimeName)}" is not known; known: ${RUNTIME_NAMES.join(', ')}`);
    }
    const runtime = runtimeNamed(runtimeName as string);
    const t0 = monoNow();
    const model = await loadTopology(positional[0]);
    if (flags.has('replace')) await destroyLab(model.name);
    const view = new ProgressView(model.name, model.nodes.length);
    const lab = await deploy(model, { onProgress: view.on, runtime });
    const ready = lab.timings!.readyAt - t0;
    const links = model.links.length;
    process.stderr.write(`lab ${model.name}: ${model.nodes.length} node${model.nodes.length === 1 ? '' : 's'}, ${links} link${links === 1 ? '' : 's'} ready in ${(ready / 1000).toFixed(2)} s\n`);
    let convergedS: number | undefined;
    if (!flags.has('no-converge') && bgpNodes(lab).length > 0) {
      try {
        const c = await waitBgpConverged(lab, { timeoutMs: timeoutS * 1000, onProgress: view.sessions });
        convergedS = (c.at - t0) / 1000;
        process.stderr.write(`lab ${model.name}: converged in ${convergedS.toFixed(2)} s (${c.sessions} BGP sessions Established)\n`);
      } catch (e) {
        process.stderr.write(`${(e as Error).message}\nthe lab stays deployed; inspect it: bgpdns-lab inspect ${model.name}\n`);
        return 1;
      }
    }
    process.stdout.write(
      `${JSON.stringify({ lab: model.name, nodes: model.nodes.length, links, ready_s: +(ready / 1000).toFixed(3), converged_s: convergedS !== undefined ? +convergedS.toFixed(3) : null })}\n`,
    );
    return 0;
  },
};

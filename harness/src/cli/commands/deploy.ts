import { existsSync } from 'node:fs';
import { monoNow } from '../../clock.js';
import { defineCommand, EXIT, LabError, UsageError } from '../command.js';
import { ProgressView } from '../progress-view.js';
import { DEPLOYING_RUNTIMES, runtimeNameOf } from '../../runtime/names.js';

export const command = defineCommand({
  summary: 'deploy a topology file (*.clab.yml); prints time to ready and to BGP converged',
  usage: `usage: bgpdns-lab deploy <file.clab.yml> [--runtime ${DEPLOYING_RUNTIMES.join('|')}] [--replace] [--no-converge] [--converge-timeout SECONDS]

Deploys every node (namespace, links, daemons, exec lines) with live progress on
stderr, then waits until every BGP session of the lab is Established.
The lab stays up: bgpdns-lab inspect | exec | destroy <lab>.
Ctrl-C during deploy destroys what was created.
--replace destroys a lab of the same name first (else deploy refuses to touch it).
--runtime docker runs every node in a container from the offline images
(bgpdns-lab images build), named clab-<lab>-<node> as containerlab names them;
default: BGPDNS_RUNTIME, else netns.
Exit 0: deployed and converged; 2: the file is invalid, a node did not start, or BGP
did not converge within --converge-timeout (the lab then stays up to inspect);
64: usage error (unknown option, bad value, no such file); 77: not root.`,
  options: {
    runtime: { type: 'string' },
    'converge-timeout': { type: 'string' },
    'no-converge': { type: 'boolean' },
    replace: { type: 'boolean' },
  },
  async run({ positionals, values }) {
    if (positionals.length !== 1) throw new UsageError('expected one topology file');
    const [file] = positionals;
    const timeoutText = values['converge-timeout'] ?? '60';
    const timeoutS = Number(timeoutText);
    if (!/^\d+(\.\d+)?$/.test(timeoutText) || !(timeoutS > 0)) throw new UsageError(`--converge-timeout: expected seconds > 0, got "${timeoutText}"`);
    const [{ deploy }, { bgpNodes, waitBgpConverged }, { loadTopology }, { destroyLab }, { defaultRuntimeName, runtimeNamed }] = await Promise.all([
      import('../../lab/deploy.js'),
      import('../../lab/converged.js'),
      import('../../topology/load.js'),
      import('../../lab/destroy.js'),
      import('../../runtime/by-name.js'),
    ]);
    const runtimeName = runtimeNameOf(values.runtime ?? defaultRuntimeName(), DEPLOYING_RUNTIMES, values.runtime !== undefined ? '--runtime' : 'BGPDNS_RUNTIME', UsageError);
    if (!existsSync(file)) throw new UsageError(`${file}: file not found`);
    const runtime = runtimeNamed(runtimeName);
    const t0 = monoNow();
    // Anything that stops the lab from coming up (invalid file, a node that would not start) is exit 2.
    const asLabError = (e: Error) => Promise.reject(new LabError(e.message));
    const model = await loadTopology(file).catch(asLabError);
    if (values.replace) await destroyLab(model.name).catch(asLabError);
    const view = new ProgressView(model.name, model.nodes.length);
    const lab = await deploy(model, { onProgress: view.on, runtime }).catch(asLabError);
    const ready = lab.timings!.readyAt - t0;
    const links = model.links.length;
    process.stderr.write(`lab ${model.name}: ${model.nodes.length} node${model.nodes.length === 1 ? '' : 's'}, ${links} link${links === 1 ? '' : 's'} ready in ${(ready / 1000).toFixed(2)} s\n`);
    let convergedS: number | undefined;
    if (!values['no-converge'] && bgpNodes(lab).length > 0) {
      try {
        const c = await waitBgpConverged(lab, { timeoutMs: timeoutS * 1000, onProgress: view.sessions });
        convergedS = (c.at - t0) / 1000;
        process.stderr.write(`lab ${model.name}: converged in ${convergedS.toFixed(2)} s (${c.sessions} BGP sessions Established)\n`);
      } catch (e) {
        process.stderr.write(`${(e as Error).message}\nthe lab stays deployed; inspect it: bgpdns-lab inspect ${model.name}\n`);
        return EXIT.lab;
      }
    }
    process.stdout.write(
      `${JSON.stringify({ lab: model.name, nodes: model.nodes.length, links, ready_s: +(ready / 1000).toFixed(3), converged_s: convergedS !== undefined ? +convergedS.toFixed(3) : null })}\n`,
    );
    return EXIT.ok;
  },
});

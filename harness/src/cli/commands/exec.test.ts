/**
 * `bgpdns-lab exec` goes through the lab's runtime: the same commands on a lab
 * deployed on netns and on Docker (containers from the offline images; needs an
 * engine and the images, which `./bgpdns-lab test` brings up). An FRR node and a
 * client on one link; the real CLI runs in a separate process, as a user runs it.
 * Lab names start with r15x.
 */
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deploy } from '../../lab/deploy.js';
import { destroyLab, leftovers } from '../../lab/destroy.js';
import type { DeployedLab } from '../../lab/handle.js';
import { runtimeNamed } from '../../runtime/by-name.js';
import { DEPLOYING_RUNTIMES, type DeployingRuntimeName } from '../../runtime/names.js';
import { runCli } from '../cli-process.js';
import { EXIT } from '../exit-codes.js';

const RUN = process.pid.toString(36);
const labName = (runtime: DeployingRuntimeName) => `r15x${runtime[0]}${RUN}`;
let dir: string;
const labs = new Map<DeployingRuntimeName, DeployedLab>();

test.before(async (t) => {
  t.timeout(180_000);
  dir = await mkdtemp(path.join(tmpdir(), 'r15-exec-'));
  for (const runtime of DEPLOYING_RUNTIMES) {
    const name = labName(runtime);
    await destroyLab(name);
    const file = path.join(dir, `${name}.clab.yml`);
    await writeFile(
      file,
      `name: ${name}
topology:
  nodes:
    r1:
      kind: frr
      exec: [ip addr add 198.18.15.0/31 dev eth1]
    c1:
      kind: client
      exec: [ip addr add 198.18.15.1/31 dev eth1]
  links:
    - endpoints: ["r1:eth1", "c1:eth1"]
`,
    );
    labs.set(runtime, await deploy(file, { runtime: runtimeNamed(runtime, { runId: 'r15-exec' }) }));
  }
});

test.after.always(async () => {
  for (const runtime of DEPLOYING_RUNTIMES) await destroyLab(labName(runtime));
  await rm(dir, { recursive: true, force: true });
});

for (const runtime of DEPLOYING_RUNTIMES) {
  test.serial(`${runtime}: exec runs in the node, passes its output and exit code through`, async (t) => {
    const lab = labName(runtime);
    const r = await runCli(['exec', lab, 'c1', '--', 'sh', '-c', 'ip -br addr show dev eth1; echo to-stderr >&2; exit 3']);
    t.is(r.code, 3, r.stderr);
    t.regex(r.stdout, /^eth1@?\S*\s+UP\s+198\.18\.15\.1\/31/);
    t.is(r.stderr, 'to-stderr\n');
    // Without "--" the command starts after the node; the node has only its link's route.
    const routes = await runCli(['exec', lab, 'c1', 'ip', 'route', 'show']);
    t.is(routes.code, 0, routes.stderr);
    t.is(routes.stdout.trim(), '198.18.15.0/31 dev eth1 proto kernel scope link src 198.18.15.1');
  });

  test.serial(`${runtime}: vtysh in an FRR node talks to that node's daemons`, async (t) => {
    const r = await runCli(['exec', labName(runtime), 'r1', '--', 'vtysh', '-c', 'show interface brief']);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /eth1\s+up\s+default\s+198\.18\.15\.0\/31/);
  });

  test.serial(`${runtime}: a node the lab does not have is a usage error naming its nodes`, async (t) => {
    const r = await runCli(['exec', labName(runtime), 'r9', '--', 'true']);
    t.is(r.code, EXIT.usage);
    t.regex(r.stderr, /r9.*r1, c1/);
  });
}

test.serial('destroying both labs leaves nothing', async (t) => {
  for (const runtime of DEPLOYING_RUNTIMES) {
    await labs.get(runtime)!.destroy();
    t.deepEqual(await leftovers(labName(runtime)), []);
  }
});

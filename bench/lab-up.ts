/**
 * lab-up: deploy-to-converged time and memory of the harness against a plain
 * shell script doing the same work (batched `ip -batch`, daemons started in
 * parallel: lab-up.shell-script.ts), in the same run, on labs/multihomed (its FRR
 * routers and hosts: the part a plain script can start) and on a generated ring of
 * eBGP routers (300; 30 with --quick). "Converged" = every BGP session of the lab
 * Established, polled over the vty sockets the same way for both. Trials alternate
 * which side goes first; figures are medians. The 300-router target compares with
 * a published containerlab deployment of that size: `containerlab deploy` of 300 Linux
 * containers and 6 FRR containers took 39 s on a 16-core AMD Ryzen server with 64 GB
 * (I. Pepelnjak, "How Moving Away from Ansible Made netlab Faster", ipSpace.net blog,
 * January 2026, https://blog.ipspace.net/2026/01/netlab-faster-without-ansible) —
 * containers started, nothing configured or converged. --quick is a smoke run: its
 * small ring cannot judge the size targets, so it carries only the overhead ratio.
 *   ./bgpdns-lab bench lab-up [--quick]
 * Last stdout line: the benchmark contract's JSON (docs/contracts.md).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import {
  monoNow,
  loadTopology,
  writeChainLab,
  type Lab,
  deploy,
  destroyLab,
  leftovers,
  waitBgpConverged,
  waitSessionsEstablished,
  median,
} from '@bgpdns-lab/harness';
import { netnsName, guardLab, unguardLab, pidsInNamespaces } from '@bgpdns-lab/harness/runtime';
import { shellScriptFor } from './lab-up.shell-script.js';
import { round } from './_figures.js';
import { procKb, pssMb } from './_proc.js';

const quick = process.argv.includes('--quick');
const ringSize = quick ? 30 : 300;
/** `containerlab deploy` of 300 Linux + 6 FRR containers on a 16-core server (ipSpace.net, Jan 2026), in seconds. */
const CONTAINERLAB_300_NODES_S = 39;
const convergeTimeoutMs = 300_000;
/** The targets; --quick's small ring cannot judge the size ones, so it carries only the ratio. */
const TARGETS: { name: string; op: '<' | '<='; target: number }[] = [
  { name: 'overhead_vs_script', op: '<=', target: 1.2 },
  ...(quick
    ? []
    : [
        { name: `nodes${ringSize}_converged_s`, op: '<=' as const, target: CONTAINERLAB_300_NODES_S },
        { name: 'harness_rss_mb', op: '<' as const, target: 150 },
      ]),
];
const trials = quick ? 1 : 3;
const here = path.dirname(fileURLToPath(import.meta.url));
const log = (s: string) => process.stderr.write(`lab-up: ${s}\n`);

interface Trial {
  readyS: number;
  convergedS: number;
  labPssMb: number;
  destroyS: number;
}

/** Proportional memory of every process in the lab's namespaces, in MB. */
function labPssMb(lab: Lab): number {
  return pssMb(pidsInNamespaces(lab.nodes.map((n) => netnsName(lab.name, n.name))));
}

/**
 * The part of a lab both sides can build: FRR routers and plain hosts, with the links
 * between them (labs/multihomed also holds sorter/DNS nodes, which the plain script
 * does not know how to start).
 */
function routingPart(lab: Lab): Lab {
  const keep = new Set(lab.nodes.filter((n) => n.kind === 'frr' || n.kind === 'client').map((n) => n.name));
  return { ...lab, nodes: lab.nodes.filter((n) => keep.has(n.name)), links: lab.links.filter((l) => keep.has(l.a.node) && keep.has(l.b.node)) };
}

function renamed(lab: Lab, name: string): Lab {
  return { ...lab, name, nodes: lab.nodes.map((n) => ({ ...n, settings: { ...n.settings } })) };
}

/** Only sessions between nodes of the lab (see routingPart) count; undefined = all. */
type PeerFilter = ((peer: string) => boolean) | undefined;

/**
 * Every interface address of a lab, from one untimed deploy: a router of a cut-down lab
 * keeps sessions to nodes that were cut, which never come up and must not count.
 */
async function labAddresses(model: Lab): Promise<Set<string>> {
  const lab = await deploy(renamed(model, 'h1bprobe'));
  try {
    const addrs = new Set<string>();
    for (const node of lab.nodes()) {
      const out = await node.exec(['ip', '-j', 'addr', 'show']);
      for (const i of JSON.parse(out.stdout || '[]') as { addr_info?: { local: string }[] }[]) for (const a of i.addr_info ?? []) addrs.add(a.local);
    }
    return addrs;
  } finally {
    await lab.destroy();
  }
}

async function harnessTrial(model: Lab, peers: PeerFilter): Promise<Trial> {
  const t0 = monoNow();
  // 300 routers start at once: on a loaded 2-core host their daemons need more than the default 30 s.
  const lab = await deploy(model, { readyTimeoutMs: convergeTimeoutMs });
  const readyS = (monoNow() - t0) / 1000;
  const c = await waitBgpConverged(lab, { timeoutMs: convergeTimeoutMs, intervalMs: 20, peers });
  const convergedS = (c.at - t0) / 1000;
  const pss = labPssMb(model);
  const d0 = monoNow();
  await lab.destroy();
  return { readyS, convergedS, labPssMb: pss, destroyS: (monoNow() - d0) / 1000 };
}

async function scriptTrial(model: Lab, scratch: string, peers: PeerFilter): Promise<Trial> {
  const { script, bgpd } = await shellScriptFor(model);
  const file = path.join(scratch, `${model.name}.sh`);
  await writeFile(file, script, { mode: 0o755 });
  guardLab(model.name, () => destroyLab(model.name));
  try {
    const t0 = monoNow();
    const run = await $({ nothrow: true, quiet: true })`bash ${file}`;
    if (run.exitCode !== 0) throw new Error(`plain script ${file} failed (exit ${run.exitCode}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const readyS = (monoNow() - t0) / 1000;
    const c = await waitSessionsEstablished(bgpd, { timeoutMs: convergeTimeoutMs, intervalMs: 20, what: `script lab ${model.name}`, peers });
    const convergedS = (c.at - t0) / 1000;
    const pss = labPssMb(model);
    const d0 = monoNow();
    await destroyLab(model.name);
    return { readyS, convergedS, labPssMb: pss, destroyS: (monoNow() - d0) / 1000 };
  } finally {
    await destroyLab(model.name);
    unguardLab(model.name);
  }
}

async function compare(label: string, model: Lab, scratch: string, peers?: PeerFilter): Promise<{ harness: Trial[]; script: Trial[] }> {
  const harnessLab = renamed(model, `h1bh-${label}`);
  const scriptLab = renamed(model, `h1bs-${label}`);
  for (const l of [harnessLab, scriptLab]) await destroyLab(l.name);
  const harness: Trial[] = [];
  const script: Trial[] = [];
  for (let i = 0; i < trials; i++) {
    // Alternate who goes first so page cache and CPU state favour neither.
    const order = i % 2 === 0 ? ['harness', 'script'] : ['script', 'harness'];
    for (const who of order) {
      const t = who === 'harness' ? await harnessTrial(harnessLab, peers) : await scriptTrial(scriptLab, scratch, peers);
      (who === 'harness' ? harness : script).push(t);
      const rss = `${(procKb('/proc/self/status', 'VmRSS') / 1024).toFixed(0)}/${(procKb('/proc/self/status', 'VmHWM') / 1024).toFixed(0)}`;
      // The JS heap's part of the RSS: used (live and not yet collected) of what V8 holds.
      const heap = process.memoryUsage();
      const heapMb = `${(heap.heapUsed / 1048576).toFixed(0)}/${(heap.heapTotal / 1048576).toFixed(0)}`;
      log(`${label} trial ${i + 1}/${trials} ${who}: ready ${t.readyS.toFixed(2)} s, converged ${t.convergedS.toFixed(2)} s, lab PSS ${t.labPssMb.toFixed(0)} MB, destroy ${t.destroyS.toFixed(2)} s; bench RSS now/peak ${rss} MB, heap used/total ${heapMb} MB`);
    }
  }
  return { harness, script };
}

const loadStart = os.loadavg();
const scratch = await mkdtemp(path.join(os.tmpdir(), 'h1-lab-up-'));
try {
  const multihomed = routingPart(await loadTopology(path.join(here, '..', 'labs', 'multihomed', 'multihomed.clab.yml')));
  const ringFile = await writeChainLab({ name: 'h1ring', routers: ringSize, ring: true, dir: path.join(scratch, 'ring') });
  const ring = await loadTopology(ringFile);

  const mhAddresses = await labAddresses(multihomed);
  const mh = await compare('mh', multihomed, scratch, (peer) => mhAddresses.has(peer));
  const rg = await compare(`n${ringSize}`, ring, scratch);

  const m = (ts: Trial[], k: keyof Trial) => round(median(ts.map((t) => t[k])));
  const mhRatio = round(m(mh.harness, 'convergedS') / m(mh.script, 'convergedS'));
  const rgRatio = round(m(rg.harness, 'convergedS') / m(rg.script, 'convergedS'));
  const rssMb = round(procKb('/proc/self/status', 'VmHWM') / 1024, 1);
  const ringConverged = m(rg.harness, 'convergedS');
  const left = (await leftovers()).filter((l) => l.lab.startsWith('h1b'));

  const figures = {
    trials,
    multihomed_nodes: multihomed.nodes.length,
    multihomed_links: multihomed.links.length,
    multihomed_ready_s: m(mh.harness, 'readyS'),
    multihomed_converged_s: m(mh.harness, 'convergedS'),
    multihomed_script_ready_s: m(mh.script, 'readyS'),
    multihomed_script_converged_s: m(mh.script, 'convergedS'),
    multihomed_ratio: mhRatio,
    multihomed_lab_pss_mb: m(mh.harness, 'labPssMb'),
    ring_nodes: ringSize,
    ring_sessions: ringSize * 2,
    ring_ready_s: m(rg.harness, 'readyS'),
    ring_converged_s: ringConverged,
    ring_script_ready_s: m(rg.script, 'readyS'),
    ring_script_converged_s: m(rg.script, 'convergedS'),
    ring_ratio: rgRatio,
    ring_lab_pss_mb: m(rg.harness, 'labPssMb'),
    ring_script_lab_pss_mb: m(rg.script, 'labPssMb'),
    ring_pss_per_node_mb: round(m(rg.harness, 'labPssMb') / ringSize, 2),
    ring_destroy_s: m(rg.harness, 'destroyS'),
    harness_rss_mb: rssMb,
    leftovers: left.length,
    // The machine is shared: the load average says how much the timings can be trusted.
    loadavg_start: loadStart.map((x) => round(x, 2)),
    loadavg_end: os.loadavg().map((x) => round(x, 2)),
  };
  const values: Record<string, number> = { overhead_vs_script: Math.max(mhRatio, rgRatio), [`nodes${ringSize}_converged_s`]: ringConverged, harness_rss_mb: rssMb };
  const result = {
    bench: 'lab-up',
    quick,
    machine: { cores: os.cpus().length, kernel: os.release() },
    figures,
    targets: TARGETS.map(({ name, op, target }) => {
      const value = values[name];
      return { name, value, op, target, met: op === '<' ? value < target : value <= target };
    }),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  // Still the contract's JSON: the targets unmeasured, with the reason.
  const error = `lab-up could not run: ${(e as Error).message}`;
  const targets = TARGETS.map((t) => ({ ...t, value: null, met: false, error }));
  process.stdout.write(`${JSON.stringify({ bench: 'lab-up', quick, machine: { cores: os.cpus().length, kernel: os.release() }, figures: { error }, targets })}\n`);
  process.exitCode = 1;
} finally {
  await rm(scratch, { recursive: true, force: true });
}

import path from 'node:path';
import { setMaxListeners } from 'node:events';
import { monoNow } from '../clock.js';
import type { Lab, LabLink, LabNode } from '../topology/model.js';
import { loadTopology } from '../topology/load.js';
import type { NodeProcess, Runtime } from '../runtime/runtime.js';
import { runtimeNamed } from '../runtime/by-name.js';
import type { LabStateFile } from '../runtime/lab-state.js';
import { getKind } from '../kinds/registry.js';
import { logTail } from '../runtime/log-tail.js';
import { missingForLab } from '../install/lab-needs.js';
import type { KindContext } from '../kinds/kind.js';
import { guardLab, unguardLab } from './cleanup-on-signal.js';
import { LabHandle, NodeHandle } from './lab-handle.js';
import type { DeployEvent, DeployTimings, NodePhase } from './progress.js';

export interface DeployOptions {
  /** Default: the runtime named by BGPDNS_RUNTIME, else netns (runtime/by-name.ts). */
  runtime?: Runtime;
  /** Live progress (per node phase, per link, warnings). */
  onProgress?(event: DeployEvent): void;
  /** How long one node may take from start to ready. Default 30 s. */
  readyTimeoutMs?: number;
  /** Destroy the lab on SIGINT/SIGTERM/SIGHUP while it exists. Default true. */
  guardSignals?: boolean;
}

function linkName(l: LabLink): string {
  return `${l.a.node}:${l.a.iface}--${l.b.node}:${l.b.iface}`;
}


/**
 * Deploy a topology file (or a loaded Lab) and resolve once every node is ready and
 * its `exec:` lines ran. Nodes go through their phases concurrently; a link is wired
 * as soon as both its nodes exist; a node starts once all its links are wired.
 * On any failure the lab is destroyed before the error is thrown, and while the lab
 * exists a Ctrl-C/SIGTERM destroys it too.
 *   await using lab = await deploy('labs/multihomed/multihomed.clab.yml');
 */
export async function deploy(topology: string | Lab, opts: DeployOptions = {}): Promise<LabHandle> {
  const startedAt = monoNow();
  const lab = typeof topology === 'string' ? await loadTopology(topology) : topology;
  const runtime = opts.runtime ?? runtimeNamed();
  if (runtime.name === 'attach') throw new Error(`lab ${lab.name}: the attach runtime drives a lab that is already deployed; attach with attachToLab() or \`run --attach\`, not deploy()`);
  const emit = (e: DeployEvent) => opts.onProgress?.(e);
  const warnings = [...lab.warnings];
  for (const message of lab.warnings) emit({ type: 'warning', message, at: monoNow() });

  if (runtime.name === 'netns' && process.getuid?.() !== 0) {
    throw new Error(`deploying lab ${lab.name} on the netns runtime needs root (network namespaces, veths, FRR); run as root, e.g. sudo ./bgpdns-lab deploy ${path.relative(process.cwd(), lab.file) || lab.file}`);
  }
  if (runtime.name === 'netns') {
    // Host-installed daemons: refuse before anything exists rather than fail half-way.
    const missing = missingForLab(lab);
    if (missing) throw new Error(missing);
  }
  const existing = await runtime.leftovers(lab.name);
  if (existing.length > 0) {
    const what = [...new Set(existing.map((l) => l.type))].join(', ');
    throw new Error(`lab "${lab.name}" already exists on this host (${what}); destroy it first: bgpdns-lab destroy ${lab.name}`);
  }

  const abort = new AbortController();
  // Every node's start and readiness waits listen on this one signal, a few listeners per node at
  // once: many, by design, and each removed when its wait ends (Node warns past 10 otherwise).
  setMaxListeners(Math.max(10, 4 * lab.nodes.length), abort.signal);
  let deployed = false;
  let firstError: Error | undefined;
  const fail = (err: unknown) => {
    firstError ??= err instanceof Error ? err : new Error(String(err));
    abort.abort();
  };
  const destroyNow = () => runtime.destroy(lab.name);
  // Settles when every phase task has stopped. A signal mid-deploy stops new phases, destroys
  // (which also ends commands running in the nodes, e.g. a long exec line), waits for the
  // tasks to settle, and destroys again whatever an in-flight step created meanwhile.
  let inFlight: Promise<unknown> = Promise.resolve();
  if (opts.guardSignals !== false) {
    guardLab(lab.name, async () => {
      if (!deployed) {
        abort.abort();
        await destroyNow();
        await Promise.race([inFlight, new Promise((r) => setTimeout(r, 10_000).unref())]);
      }
      await destroyNow();
    });
  }
  emit({ type: 'lab', state: 'deploying', at: startedAt });

  const timings: DeployTimings = { startedAt, readyAt: 0, totalMs: 0, nodes: {} };
  const handles = new Map<string, NodeHandle>(lab.nodes.map((n) => [n.name, new NodeHandle(lab, runtime, n)]));
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;

  const phase = async <T>(node: LabNode, name: NodePhase, fn: () => Promise<T>): Promise<T> => {
    if (abort.signal.aborted) throw new Error('aborted');
    const t0 = monoNow();
    emit({ type: 'phase', node: node.name, phase: name, state: 'start', at: t0 });
    try {
      const result = await fn();
      const t1 = monoNow();
      (timings.nodes[node.name] ??= {})[name] = t1 - t0;
      emit({ type: 'phase', node: node.name, phase: name, state: 'done', at: t1, ms: t1 - t0 });
      return result;
    } catch (e) {
      if (!abort.signal.aborted) emit({ type: 'phase-failed', node: node.name, phase: name, at: monoNow(), error: (e as Error).message });
      throw e;
    }
  };

  const ctxOf = (node: LabNode): KindContext => ({
    lab,
    node,
    runtime,
    dir: runtime.nodeDir(lab, node.name),
    signal: abort.signal,
    warn: (message) => {
      warnings.push(message);
      emit({ type: 'warning', message, at: monoNow() });
    },
  });

  const created = new Map<string, Promise<void>>();
  for (const node of lab.nodes) {
    const kind = getKind(node.kind);
    const ctx = ctxOf(node);
    created.set(
      node.name,
      (async () => {
        await phase(node, 'prepare', () => kind.prepare?.(ctx) ?? Promise.resolve());
        await phase(node, 'create', () => runtime.createNode(lab, node));
      })(),
    );
  }
  const wired = lab.links.map(async (link) => {
    await Promise.all([created.get(link.a.node), created.get(link.b.node)]);
    if (abort.signal.aborted) throw new Error('aborted');
    const t0 = monoNow();
    emit({ type: 'link', link: linkName(link), state: 'start', at: t0 });
    await runtime.wireLink(lab, link);
    emit({ type: 'link', link: linkName(link), state: 'done', at: monoNow(), ms: monoNow() - t0 });
  });

  // Each node's links, found in one pass (a scan of every link per node is quadratic: 90k objects for 300 nodes).
  const linksOf = new Map<string, Promise<void>[]>(lab.nodes.map((n) => [n.name, []]));
  lab.links.forEach((l, i) => {
    linksOf.get(l.a.node)?.push(wired[i]);
    if (l.b.node !== l.a.node) linksOf.get(l.b.node)?.push(wired[i]);
  });

  const nodeTasks = lab.nodes.map(async (node) => {
    const kind = getKind(node.kind);
    const ctx = ctxOf(node);
    const handle = handles.get(node.name)!;
    await created.get(node.name);
    await phase(node, 'wire', () => Promise.all(linksOf.get(node.name)!));
    const procs = await phase(node, 'start', () => kind.start(ctx));
    handle.adopt(...procs);
    const died = new Promise<never>((_, reject) => {
      for (const p of procs) {
        void p.exited.then(async (code) => {
          if (abort.signal.aborted || deployed) return;
          const log = path.join(ctx.dir, `${path.basename(p.argv[0])}.log`);
          reject(new Error(`node ${node.name}: ${p.role} exited (${code}) while starting; ${log}: ${await logTail(log)}`));
        });
      }
    });
    died.catch(() => undefined);
    await phase(node, 'ready', () => Promise.race([kind.ready(ctx, readyTimeoutMs), died]));
    await phase(node, 'exec', () => runExecLines(runtime, lab, node, kind.execEnv?.(ctx) ?? {}));
  });

  const all = [...created.values(), ...wired, ...nodeTasks];
  all.forEach((p) => p.catch(fail));
  inFlight = Promise.allSettled(all);
  await inFlight;
  if (firstError) {
    emit({ type: 'lab', state: 'failed', at: monoNow() });
    try {
      await destroyNow();
    } catch (e) {
      firstError.message += `\n(and the clean-up failed: ${(e as Error).message})`;
    }
    unguardLab(lab.name);
    throw firstError;
  }
  deployed = true;
  // Runtimes that keep a state file (netns, docker) record that the lab is up.
  (runtime as { state?(lab: Lab): LabStateFile }).state?.(lab).setStatus('ready');
  timings.readyAt = monoNow();
  timings.totalMs = timings.readyAt - startedAt;
  emit({ type: 'lab', state: 'ready', at: timings.readyAt, ms: timings.totalMs });
  return new LabHandle(lab, runtime, [...handles.values()], timings, warnings);
}

async function runExecLines(runtime: Runtime, lab: Lab, node: LabNode, kindEnv: Record<string, string>): Promise<void> {
  for (const [i, line] of node.exec.entries()) {
    // A line is a shell command line as in containerlab files (`ip addr add … dev eth1`).
    const r = await runtime.exec(lab, node.name, ['sh', '-c', line], { env: { ...kindEnv, ...node.env }, timeoutMs: 60_000 });
    if (r.exitCode !== 0) {
      throw new Error(`node ${node.name}: exec[${i}] "${line}" failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
    }
  }
}

export type { NodeProcess };

import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Lab, LabNode } from '../topology/model.js';
import type { TopologyIssue } from '../topology/errors.js';
import type { NodeProcess } from '../runtime/runtime.js';
import type { HostNeed } from '../install/host-need.js';
import type { Kind, KindContext } from './kind.js';
import { SUPPORTED_DAEMONS, daemonConfig, parseDaemonsFile, splitFrrConfig, type Daemon, type SplitConfig } from './frr-config.js';
import { ensureNodeDir, systemUser } from './node-dir.js';
import { vtyAnswers } from './vty-ping.js';
import { vtyRouted } from '../frr/frr-control.js';
import { waitUntil, type WaitTimeoutError } from '@bgpdns-lab/bgpdns';
import { logTail } from '../runtime/log-tail.js';

/**
 * FRR router (host-installed FRR 8.4, /usr/lib/frr) under the netns runtime.
 *
 * Files in the node directory DIR = runtime.nodeDir(lab, node), owned by user frr:
 *   DIR/<daemon>.conf   per-daemon config split from the node's integrated frr.conf
 *   DIR/<daemon>.vty    vty socket of each daemon (zebra.vty, bgpd.vty, staticd.vty, bfdd.vty …)
 *   DIR/<daemon>.pid    pid file; DIR/zserv.api zebra's API socket; DIR/bfdd.sock bfdd control
 *   DIR/<daemon>.log    the daemon's stdout/stderr (crash output, early errors)
 *   DIR/frr.log         FRR's own log of every daemon, with millisecond timestamps
 *                       (`log timestamp precision 3`): the route watcher reads router-side
 *                       event times (neighbor up/down, best path) from here.
 *
 * Where the config comes from, as containerlab users write it: `startup-config:`,
 * else a bind whose container path is /etc/frr/frr.conf. A bind to /etc/frr/daemons
 * decides which daemons run (as FRR's own init would); without one, the config decides
 * (zebra always; bgpd, staticd, bfdd, ospfd, ospf6d when it has lines for them).
 */
export const FRR_BIN = '/usr/lib/frr';
/** What an FRR node runs: every daemon the kind may start, and vtysh (exec, inspect). */
export const FRR_NEEDS: readonly HostNeed[] = [
  ...SUPPORTED_DAEMONS.map((d) => ({ executable: `${FRR_BIN}/${d}`, package: 'frr' })),
  { executable: '/usr/bin/vtysh', package: 'frr' },
];
const CONFIG_PATH = '/etc/frr/frr.conf';
const DAEMONS_PATH = '/etc/frr/daemons';
/** Config files containerlab FRR labs bind that have no meaning here (vtysh talks to our sockets directly). */
const HARMLESS_BINDS = new Set(['/etc/frr/vtysh.conf']);

export interface FrrPlan {
  /** Daemons to run, zebra first. */
  daemons: Daemon[];
  split: SplitConfig;
  issues: TopologyIssue[];
  warnings: string[];
}

function bindFor(node: LabNode, containerPath: string): { host: string; index: number } | undefined {
  const index = node.binds.findIndex((b) => b.split(':')[1] === containerPath);
  return index < 0 ? undefined : { host: node.binds[index].split(':')[0], index };
}

async function readText(file: string): Promise<string | { problem: string }> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `file ${file} not found` : `cannot read ${file}: ${code ?? String(e)}` };
  }
}

/** Which daemons a node runs and with what config (no side effects; also used by the lab-up benchmark's plain script). */
export async function planFrrNode(lab: Lab, node: LabNode): Promise<FrrPlan> {
  const issues: TopologyIssue[] = [];
  const warnings: string[] = [];
  let configText = '';
  let configField = 'startup-config';
  let configName = 'startup-config';
  const inline = node.settings['startup-config-inline'];
  const configBind = bindFor(node, CONFIG_PATH);
  if (typeof inline === 'string') {
    configText = inline;
  } else {
    const file = node.startupConfig ?? configBind?.host;
    if (!node.startupConfig && configBind) configField = `binds.${configBind.index}`;
    if (file) {
      configName = path.relative(lab.dir, file) || file;
      const text = await readText(file);
      if (typeof text === 'string') configText = text;
      else issues.push({ path: configField, message: text.problem });
    } else {
      warnings.push(`node ${node.name}: no startup-config and no bind to ${CONFIG_PATH}; FRR starts with an empty config`);
    }
  }
  const split = splitFrrConfig(configText);
  for (const e of split.errors) issues.push({ path: configField, message: `${configName}:${e.line}: ${e.message}` });
  for (const w of split.warnings) warnings.push(`node ${node.name}: ${configName}:${w.line}: ${w.message}`);
  if (split.bfdNeighborLines.length > 0) {
    warnings.push(
      `node ${node.name}: ${configName}:${split.bfdNeighborLines[0]}: "neighbor … bfd" in a startup config makes FRR 8.4 reset sessions right after Established; push BFD config once sessions are up`,
    );
  }

  let daemons: Daemon[];
  const daemonsBind = bindFor(node, DAEMONS_PATH);
  if (daemonsBind) {
    const text = await readText(daemonsBind.host);
    if (typeof text !== 'string') {
      issues.push({ path: `binds.${daemonsBind.index}`, message: text.problem });
      daemons = [...split.needed];
    } else {
      const { enabled } = parseDaemonsFile(text);
      for (const d of enabled) {
        if (!(SUPPORTED_DAEMONS as readonly string[]).includes(d)) {
          warnings.push(`node ${node.name}: daemons file enables ${d}, which the frr kind does not run (it runs ${SUPPORTED_DAEMONS.join(', ')}); skipped`);
        }
      }
      daemons = SUPPORTED_DAEMONS.filter((d) => enabled.has(d));
      for (const d of split.needed) {
        if (!daemons.includes(d)) warnings.push(`node ${node.name}: ${configName} has ${d} config but the daemons file does not enable ${d}; it will not run`);
      }
    }
  } else {
    daemons = SUPPORTED_DAEMONS.filter((d) => split.needed.has(d));
  }
  node.binds.forEach((b, i) => {
    const target = b.split(':')[1];
    if (target !== CONFIG_PATH && target !== DAEMONS_PATH && !HARMLESS_BINDS.has(target)) {
      warnings.push(`node ${node.name}: binds[${i}] "${b}" is not used by the frr kind under the netns runtime`);
    }
  });
  return { daemons, split, issues, warnings };
}

/** The per-daemon config files of a planned node in directory `dir`. */
export function frrConfigFiles(p: FrrPlan, hostname: string, dir: string): { file: string; text: string }[] {
  const logFile = path.join(dir, 'frr.log');
  return p.daemons.map((d) => ({ file: path.join(dir, `${d}.conf`), text: daemonConfig(p.split, d, { hostname, logFile }) }));
}

/** What deploy needs to remember between prepare and start for one node. */
const plans = new WeakMap<LabNode, FrrPlan>();

/**
 * DIR/bin/vtysh: vtysh bound to this node's daemons, first on PATH for `exec:` lines and
 * `bgpdns-lab exec` shells, so `vtysh -c 'show bgp summary'` works as in a container.
 */
async function writeVtyshWrapper(dir: string): Promise<void> {
  const bin = path.join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  // The node directory is a validated plain path (topology/names.ts): safe inside single quotes.
  await writeFile(path.join(bin, 'vtysh'), `#!/bin/sh\nexec /usr/bin/vtysh --vty_socket '${dir}' "$@"\n`, { mode: 0o755 });
}

/** Command line of one daemon in node directory `dir` (foreground, own sockets, no TCP vty). */
export function daemonArgv(dir: string, daemon: Daemon): string[] {
  const argv = [
    path.join(FRR_BIN, daemon),
    '-f', path.join(dir, `${daemon}.conf`),
    '-i', path.join(dir, `${daemon}.pid`),
    '-z', path.join(dir, 'zserv.api'),
    '--vty_socket', dir,
    // No TCP vty: every node would otherwise bind the same port numbers.
    '-P', '0',
  ];
  if (daemon === 'bfdd') argv.push('--bfdctl', path.join(dir, 'bfdd.sock'));
  return argv;
}

async function waitVty(ctx: KindContext, daemon: Daemon, deadline: number): Promise<void> {
  const socket = path.join(ctx.dir, `${daemon}.vty`);
  const wait = (interval: number) => ({
    what: `node ${ctx.node.name}: ${daemon} vty socket answers`,
    timeout: Math.max(0, deadline - Date.now()),
    interval,
    signal: ctx.signal,
    onTimeout: (e: WaitTimeoutError) => new Error(`node ${ctx.node.name}: ${daemon} vty socket ${socket} did not answer (${e.lastProblem}); see ${path.join(ctx.dir, `${daemon}.log`)} and frr.log`),
  });
  // A stat every few ms until the socket exists is far cheaper than a connect attempt (100 nodes wait at once).
  // A node on another host: its socket is not on this machine; the daemon is asked through its host's engine.
  await waitUntil(() => vtyRouted(socket) || existsSync(socket), (exists) => exists || 'socket not created', wait(5));
  await waitUntil(() => vtyAnswers(socket), (answer) => answer, wait(20));
}

export const frrKind: Kind = {
  name: 'frr',
  needs: FRR_NEEDS,
  summary: 'FRR router (zebra, bgpd, staticd, bfdd, ospfd as its config needs) from the host install',
  images: ['quay.io/frrouting/frr', 'quay.io/frrouting/frr:*', 'frrouting/frr', 'frrouting/frr:*'],
  nodeImage: { docker: 'frr' },

  async validate(lab, node) {
    return (await planFrrNode(lab, node)).issues;
  },

  async prepare(ctx) {
    const p = await planFrrNode(ctx.lab, ctx.node);
    if (p.issues.length > 0) throw new Error(`node ${ctx.node.name}: ${p.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    p.warnings.forEach((w) => ctx.warn(w));
    plans.set(ctx.node, p);
    await ensureNodeDir(ctx.dir, 'frr');
    const frr = systemUser('frr');
    await writeVtyshWrapper(ctx.dir);
    await Promise.all(
      frrConfigFiles(p, ctx.node.name, ctx.dir).map(async ({ file, text }) => {
        await writeFile(file, text, { mode: 0o644 });
        if (frr) await chown(file, frr.uid, frr.gid);
      }),
    );
  },

  async start(ctx) {
    const p = plans.get(ctx.node);
    if (!p) throw new Error(`node ${ctx.node.name}: frr kind started before prepare`);
    const started: NodeProcess[] = [];
    const spawnDaemon = async (d: Daemon) => {
      const proc = await ctx.runtime.spawn(ctx.lab, ctx.node.name, daemonArgv(ctx.dir, d), { role: d, env: ctx.node.env });
      started.push(proc);
    };
    // zebra first: the other daemons connect to its zserv.api socket at startup.
    await spawnDaemon('zebra');
    const zebra = started[0];
    // A crashed zebra is caught at once (exited); the deadline only bounds a slow one: 300
    // zebras starting together on a loaded 2-core host took longer than 15 s to answer.
    const first = await Promise.race([
      waitVty(ctx, 'zebra', Date.now() + 60_000).then(() => 'up' as const),
      zebra.exited.then((code) => ({ code })),
    ]);
    if (first !== 'up') {
      const log = path.join(ctx.dir, 'zebra.log');
      throw new Error(`node ${ctx.node.name}: zebra exited (${first.code}) while starting; ${log}: ${await logTail(log)}`);
    }
    await Promise.all(p.daemons.filter((d) => d !== 'zebra').map(spawnDaemon));
    return started;
  },

  async ready(ctx, timeoutMs) {
    const p = plans.get(ctx.node);
    const deadline = Date.now() + timeoutMs;
    await Promise.all((p?.daemons ?? ['zebra']).map((d) => waitVty(ctx, d, deadline)));
  },

  execEnv(ctx) {
    return { PATH: `${path.join(ctx.dir, 'bin')}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}` };
  },

  vtyDaemons(ctx) {
    return plans.get(ctx.node)?.daemons ?? [];
  },
};

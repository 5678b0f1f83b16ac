/**
 * A throwaway FRR lab for this package's own tests (vty control, faults, route
 * watcher): a few namespaces, veths and FRR daemons started directly, shaped like
 * a DeployedLab so the code under test sees what deploy() gives it. Not part of
 * the public API; scenarios use deploy(). Names carry the lab name (tests use "h2…").
 */
import { spawn as spawnChild } from 'node:child_process';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { $ } from 'zx';
import type { DeployedLab, DeployedNode } from '../lab/handle.js';
import type { Lab, LabLink, LabNode } from '../topology/model.js';
import type { ExecOptions, ExecResult, NodeProcess, SpawnOptions } from '../runtime/runtime.js';
import { closeVtyClients, vtyClient } from './frr-control.js';
import { waitUntil } from '../../../images/bgpdns/src/support/wait-until.js';

$.quiet = true;

export interface TestRouterSpec {
  name: string;
  /** bgpd.conf body after `hostname` and the logging lines. */
  bgpd: string;
  /** Start bfdd too. */
  bfd?: boolean;
}

export interface TestLinkSpec {
  a: string; // "r1:eth1"
  b: string;
  /** Addresses as CIDR, e.g. ["198.18.0.1/30", "2001:db8::1/64"]. */
  aAddrs: string[];
  bAddrs: string[];
}

export type TestLab = DeployedLab & { model: Lab };

const FRR = '/usr/lib/frr';

export async function startTestLab(labName: string, routers: TestRouterSpec[], links: TestLinkSpec[]): Promise<TestLab> {
  const base = join('/tmp', `${labName}-lab`);
  const procs = new Map<string, NodeProcess[]>();
  const nsOf = (node: string) => `${labName}-${node}`;
  const model: Lab = {
    name: labName,
    prefix: 'clab',
    file: join(base, 'test.clab.yml'),
    dir: base,
    nodes: routers.map((r): LabNode => ({ name: r.name, kind: 'frr', binds: [], env: {}, exec: [], labels: {}, settings: {} })),
    links: links.map((l): LabLink => {
      const [an, ai] = l.a.split(':');
      const [bn, bi] = l.b.split(':');
      return { a: { node: an, iface: ai }, b: { node: bn, iface: bi } };
    }),
    warnings: [],
  };

  const destroy = async () => {
    await closeVtyClients(base);
    const all = [...procs.values()].flat();
    await Promise.all(all.map((p) => p.stop(2000)));
    for (const r of routers) await $`ip netns del ${nsOf(r.name)}`.nothrow();
    await rm(base, { recursive: true, force: true });
  };

  const makeNode = (spec: TestRouterSpec, lnode: LabNode): DeployedNode => {
    const dir = join(base, spec.name);
    const ns = nsOf(spec.name);
    const node: DeployedNode = {
      name: spec.name,
      kind: 'frr',
      model: lnode,
      dir,
      netns: `/var/run/netns/${ns}`,
      exec: (argv, opts) => execIn(ns, argv, opts),
      spawn: async (argv, opts) => {
        const p = spawnIn(spec.name, ns, argv, opts);
        procs.get(spec.name)!.push(p);
        return p;
      },
      processes: () => procs.get(spec.name) ?? [],
      vtySocket: (daemon) => join(dir, `${daemon}.vty`),
    };
    return node;
  };

  const nodes = new Map<string, DeployedNode>();
  try {
    await rm(base, { recursive: true, force: true });
    await mkdir(base, { recursive: true });
    for (const r of routers) {
      await $`ip netns del ${nsOf(r.name)}`.nothrow();
      await $`ip netns add ${nsOf(r.name)}`;
      await $`ip -n ${nsOf(r.name)} link set lo up`;
      procs.set(r.name, []);
      nodes.set(r.name, makeNode(r, model.nodes.find((n) => n.name === r.name)!));
    }
    for (const [i, l] of links.entries()) {
      const link = model.links[i];
      await $`ip link add ${link.a.iface} netns ${nsOf(link.a.node)} type veth peer name ${link.b.iface} netns ${nsOf(link.b.node)}`;
      for (const [end, addrs] of [[link.a, l.aAddrs], [link.b, l.bAddrs]] as const) {
        for (const a of addrs) {
          const extra = a.includes(':') ? ['nodad'] : [];
          await $`ip -n ${nsOf(end.node)} addr add ${a} dev ${end.iface} ${extra}`;
        }
        await $`ip -n ${nsOf(end.node)} link set ${end.iface} up`;
      }
    }
    await Promise.all(routers.map((r) => startFrr(r, nodes.get(r.name)!)));
  } catch (err) {
    await destroy();
    throw err;
  }

  const lab: TestLab = {
    model,
    runtime: undefined as never,
    node(name) {
      const n = nodes.get(name);
      if (!n) throw new Error(`test lab ${labName} has no node "${name}" (nodes: ${[...nodes.keys()].join(', ')})`);
      return n;
    },
    nodes: () => [...nodes.values()],
    destroy,
    [Symbol.asyncDispose]: destroy,
  };
  return lab;
}

async function startFrr(spec: TestRouterSpec, node: DeployedNode): Promise<void> {
  const dir = node.dir;
  await mkdir(dir, { recursive: true });
  const conf = (daemon: string, body: string) =>
    `hostname ${spec.name}\nlog file ${join(dir, 'frr.log')}\nlog timestamp precision 3\n${body}\n`;
  await writeFile(join(dir, 'zebra.conf'), conf('zebra', ''));
  await writeFile(join(dir, 'bgpd.conf'), conf('bgpd', spec.bgpd));
  if (spec.bfd) await writeFile(join(dir, 'bfdd.conf'), conf('bfdd', ''));
  const { uid, gid } = await frrIds();
  for (const f of ['', 'zebra.conf', 'bgpd.conf', ...(spec.bfd ? ['bfdd.conf'] : [])]) await chown(join(dir, f), uid, gid);
  const common = (d: string) => [`${FRR}/${d}`, '-f', join(dir, `${d}.conf`), '-i', join(dir, `${d}.pid`), '-z', join(dir, 'zserv.api'), '--vty_socket', dir, '-P', '0'];
  const daemons: [string, string[]][] = [
    ['zebra', common('zebra')],
    ['bgpd', common('bgpd')],
    ...(spec.bfd ? [['bfdd', [...common('bfdd'), '--bfdctl', join(dir, 'bfdd.sock')]] as [string, string[]]] : []),
  ];
  for (const [role, argv] of daemons) {
    await node.spawn(argv, { role });
    await waitUntil(() => vtyClient(node.vtySocket(role)).command('show version'), () => true, {
      what: `${spec.name} ${role} vty answering`,
      timeout: 10_000,
      interval: 20,
    });
  }
}

let ids: { uid: number; gid: number } | undefined;
async function frrIds() {
  if (!ids) {
    const uid = Number((await $`id -u frr`).stdout.trim());
    const gid = Number((await $`id -g frr`).stdout.trim());
    ids = { uid, gid };
  }
  return ids;
}

async function execIn(ns: string, argv: string[], opts?: ExecOptions): Promise<ExecResult> {
  const p = $({ input: opts?.input, env: { ...process.env, ...opts?.env }, timeout: opts?.timeoutMs, cwd: opts?.cwd })`ip netns exec ${ns} ${argv}`.nothrow();
  const r = await p;
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function spawnIn(node: string, ns: string, argv: string[], opts?: SpawnOptions): NodeProcess {
  // `ip netns exec` execs the program, so the child's PID is the daemon's PID.
  const child = spawnChild('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, ...opts?.env } });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? -1)));
  let running = true;
  void exited.then(() => (running = false));
  return {
    node,
    role: opts?.role ?? argv[0],
    pid: child.pid!,
    argv,
    exited,
    signal: (sig) => {
      if (running) child.kill(sig);
    },
    stop: async (graceMs = 2000) => {
      if (!running) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const t = setTimeout(() => running && child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

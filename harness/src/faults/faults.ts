/**
 * Faults on a deployed lab (netns runtime): link down, silent drop, random loss,
 * freeze, kill + restart, flapping trains, netem delay where the kernel has it.
 * Every fault is reversible (it returns a FaultHandle), every inject and revert is
 * logged with a monotonic timestamp, and `revertAll()` undoes whatever is still in place.
 *   const faults = new Faults(lab, recorder);
 *   const cut = await faults.linkDown('c1:eth1');   // … measure …
 *   await cut.revert();
 */
import os from 'node:os';
import ipaddr from 'ipaddr.js';
import { monoNow } from '../clock.js';
import type { FaultEvent } from '../run/record.js';
import type { NodeProcess } from '../runtime/runtime.js';
import type { DeployedNode } from '../lab/handle.js';
import { vtyClient } from '../frr/frr-control.js';
import { waitUntil } from '../../../images/bgpdns/src/support/wait-until.js';
import { handle, ifaceToward, parseEndpoint, run, tunnelPeer, type FaultHandle, type FaultLab } from './fault.js';
import { NFT, faultTableName, ifaceRuleset, type Direction } from './nft.js';

/** Where fault events go: a RunRecorder (anything with `fault(ev)`), or nothing. */
export interface FaultSink {
  fault(ev: FaultEvent): void;
}

/** FRR daemons whose readiness after a restart is "its vty socket answers". */
const FRR_DAEMONS = new Set(['zebra', 'bgpd', 'staticd', 'bfdd', 'ospfd', 'ospf6d']);

export class NetemUnsupportedError extends Error {
  constructor(detail: string) {
    super(`netem delay is not supported on this kernel (${os.release()}): ${detail}`);
    this.name = 'NetemUnsupportedError';
  }
}

export interface FlapOptions {
  /** How many down/up cycles. */
  count: number;
  /** Time from one down to the next. */
  periodMs: number;
  /** How long the link stays down in each cycle. Default half the period. */
  downMs?: number;
}

export interface FlapHandle extends FaultHandle {
  /** Resolves when the train has run (or was stopped by revert). */
  readonly done: Promise<void>;
}

export class Faults {
  /** Every event this instance logged, in order (also sent to the sink). */
  readonly events: FaultEvent[] = [];
  private readonly active = new Set<FaultHandle>();

  constructor(
    readonly lab: FaultLab,
    private readonly sink?: FaultSink,
  ) {}

  /**
   * `ip link set dev IF down` at one end of a link ("node:iface"); revert brings it up.
   * On a link between hosts (a VXLAN tunnel, which carries no carrier) both ends go
   * down at once: the same cable cut a veth's peer would see as lost carrier.
   */
  async linkDown(target: string): Promise<FaultHandle> {
    const { node, iface } = parseEndpoint(target);
    const peer = tunnelPeer(this.lab, node, iface);
    const ends = [{ node, iface }, ...(peer ? [peer] : [])];
    const set = (state: 'up' | 'down') => Promise.all(ends.map((e) => run(this.lab.node(e.node), ['ip', 'link', 'set', 'dev', e.iface, state])));
    const at = monoNow();
    await set('down');
    return this.track('link-down', target, at, peer ? { tunnel: true, peer: `${peer.node}:${peer.iface}` } : {}, () => set('up').then(() => undefined));
  }

  /** The "node:iface" end on `node` of its link to `peer` (for linkDown and friends). */
  endpoint(node: string, peer: string): string {
    return `${node}:${ifaceToward(this.lab, node, peer)}`;
  }

  /**
   * Silent blackhole: every packet into and out of the interface is dropped by nft
   * while the link stays up, so only timers (BGP hold, BFD) can notice. With `peers`
   * (addresses), only traffic from and to those addresses: one peer on a shared LAN.
   */
  silentDrop(target: string, direction: Direction = 'both', peers?: string[]): Promise<FaultHandle> {
    return this.nftFault('silent-drop', target, 'drop', direction, { direction, ...(peers ? { peers } : {}) }, peers);
  }

  /** Random loss of `percent` % of the packets each way through the interface (nft numgen), optionally only from/to `peers`. */
  randomLoss(target: string, percent: number, direction: Direction = 'both', peers?: string[]): Promise<FaultHandle> {
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) {
      return Promise.reject(new Error(`random loss on ${target}: percent must be an integer 1–100, got ${percent}`));
    }
    // numgen's range is 0–99, so "< 100" is not expressible: 100 % is a plain drop.
    const verdict = percent === 100 ? 'drop' : `numgen random mod 100 < ${percent} drop`;
    return this.nftFault('random-loss', target, verdict, direction, { percent, direction, ...(peers ? { peers } : {}) }, peers);
  }

  /** SIGSTOP the node's processes (all, or those with the given roles); revert sends SIGCONT. */
  async freeze(node: string, roles?: string[]): Promise<FaultHandle> {
    const n = this.lab.node(node);
    const procs = await running(n.processes().filter((p) => !roles || roles.includes(p.role)));
    if (procs.length === 0) throw new Error(`freeze ${node}: no running process${roles ? ` with role ${roles.join('/')}` : ''}`);
    const at = monoNow();
    for (const p of procs) p.signal('SIGSTOP');
    return this.track('freeze', node, at, { pids: procs.map((p) => p.pid), roles: procs.map((p) => p.role) }, async () => {
      for (const p of procs) p.signal('SIGCONT');
    });
  }

  /**
   * Kill one process of a node by role (SIGKILL by default: no goodbye, as in a crash).
   * Revert starts it again with the same argv and, for FRR daemons, waits until its vty answers.
   */
  async kill(node: string, role: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<FaultHandle> {
    const n = this.lab.node(node);
    const candidates = await running(n.processes().filter((p) => p.role === role));
    const victim = candidates.at(-1);
    if (!victim) {
      const roles = [...new Set(n.processes().map((p) => p.role))].join(', ');
      throw new Error(`kill ${node} ${role}: no running process with that role (roles: ${roles || 'none'})`);
    }
    const at = monoNow();
    victim.signal(signal);
    await gone(victim, `${node} ${role} (pid ${victim.pid}) gone after ${signal}`);
    return this.track('kill', `${node}:${role}`, at, { pid: victim.pid, signal }, async () => {
      await n.spawn(victim.argv, { role });
      if (FRR_DAEMONS.has(role)) {
        const vty = vtyClient(n.vtySocket(role));
        await waitUntil(() => vty.command('show version'), () => true, { what: `${node} ${role} answering on its vty after restart`, timeout: 15_000, interval: 20 });
      }
    });
  }

  /**
   * A flapping train on one link end: `count` times down for `downMs`, then up until
   * the next period. Returns at once; `done` resolves when the train ends. Revert
   * stops the train and leaves the link up.
   */
  flap(target: string, opts: FlapOptions): FlapHandle {
    const { node, iface } = parseEndpoint(target);
    const n = this.lab.node(node);
    const downMs = opts.downMs ?? opts.periodMs / 2;
    if (!(opts.count >= 1 && opts.periodMs > 0 && downMs > 0 && downMs < opts.periodMs)) {
      throw new Error(`flap ${target}: need count ≥ 1 and 0 < downMs < periodMs (got count ${opts.count}, period ${opts.periodMs}, down ${downMs})`);
    }
    let stopped = false;
    const wake = new Set<() => void>();
    const sleep = (ms: number) =>
      new Promise<void>((r) => {
        const t = setTimeout(done, ms);
        function done() {
          clearTimeout(t);
          wake.delete(done);
          r();
        }
        wake.add(done);
      });
    const at = monoNow();
    const args = { count: opts.count, periodMs: opts.periodMs, downMs };
    const train = (async () => {
      for (let i = 0; i < opts.count && !stopped; i++) {
        const cycleStart = monoNow();
        this.log({ at: cycleStart, fault: 'link-down', target, action: 'inject', args: { flap: i + 1 } });
        await run(n, ['ip', 'link', 'set', 'dev', iface, 'down']);
        await sleep(downMs - (monoNow() - cycleStart));
        this.log({ at: monoNow(), fault: 'link-down', target, action: 'revert', args: { flap: i + 1 } });
        await run(n, ['ip', 'link', 'set', 'dev', iface, 'up']);
        if (i < opts.count - 1) await sleep(opts.periodMs - (monoNow() - cycleStart));
      }
    })();
    const h = this.track(
      'link-flap',
      target,
      at,
      args,
      async () => {
        stopped = true;
        for (const w of wake) w();
        await train.catch(() => undefined);
        await run(n, ['ip', 'link', 'set', 'dev', iface, 'up']);
      },
      false,
    );
    return Object.assign(h, { done: train });
  }

  /**
   * A routing-policy fault as FRR configuration (a route leak, say): each change's
   * `apply` lines go to its daemon (default bgpd) in order; revert sends the
   * `undo` lines in reverse order. A bad line fails naming itself (vty).
   */
  async frrConfig(node: string, fault: string, changes: { daemon?: string; apply: string[]; undo: string[] }[], args: Record<string, unknown> = {}): Promise<FaultHandle> {
    const n = this.lab.node(node);
    const at = monoNow();
    for (const c of changes) await vtyClient(n.vtySocket(c.daemon ?? 'bgpd')).configure(c.apply);
    return this.track(fault, node, at, args, async () => {
      for (const c of [...changes].reverse()) await vtyClient(n.vtySocket(c.daemon ?? 'bgpd')).configure(c.undo);
    });
  }

  /**
   * netem delay on an interface. Where the kernel lacks netem (this machine's does)
   * it fails with NetemUnsupportedError instead of pretending.
   */
  async delay(target: string, delayMs: number, jitterMs = 0): Promise<FaultHandle> {
    const { node, iface } = parseEndpoint(target);
    const n = this.lab.node(node);
    const argv = ['tc', 'qdisc', 'add', 'dev', iface, 'root', 'netem', 'delay', `${delayMs}ms`, ...(jitterMs ? [`${jitterMs}ms`] : [])];
    const at = monoNow();
    const r = await n.exec(argv);
    if (r.exitCode !== 0) {
      const said = (r.stderr || r.stdout).trim();
      if (/unknown|not found|no such file|not supported/i.test(said)) throw new NetemUnsupportedError(`tc said "${said}"`);
      throw new Error(`${node}: \`${argv.join(' ')}\` failed (exit ${r.exitCode}): ${said}`);
    }
    return this.track('delay', target, at, { delayMs, jitterMs }, () => run(n, ['tc', 'qdisc', 'del', 'dev', iface, 'root']).then(() => undefined));
  }

  /** Revert every fault of this instance still in place (newest first). For teardown. */
  async revertAll(): Promise<void> {
    const errors: string[] = [];
    for (const h of [...this.active].reverse()) {
      await h.revert().catch((err: Error) => errors.push(err.message));
    }
    if (errors.length) throw new Error(`reverting faults failed: ${errors.join('; ')}`);
  }

  private async nftFault(
    fault: string,
    target: string,
    verdict: string,
    direction: Direction,
    args: Record<string, unknown>,
    peers?: string[],
  ): Promise<FaultHandle> {
    const { node, iface } = parseEndpoint(target);
    for (const a of peers ?? []) {
      if (!ipaddr.isValid(a)) throw new Error(`${fault} on ${target}: peer "${a}" is not an IPv4 or IPv6 address`);
    }
    if (peers && peers.length === 0) throw new Error(`${fault} on ${target}: an empty peer list would match nothing; leave it out to match everything`);
    const n = this.lab.node(node);
    const table = faultTableName(this.lab.model.name);
    const at = monoNow();
    await run(n, [NFT, '-f', '-'], ifaceRuleset(table, iface, verdict, direction, peers));
    return this.track(fault, target, at, { ...args, table }, () => run(n, [NFT, 'delete', 'table', 'inet', table]).then(() => undefined));
  }

  /**
   * Record an applied fault. `at` is when its command was issued (measurements count
   * from there, so they include the command's own latency); `commandMs` says how long
   * the command took to return, an upper bound on that latency (a few ms under netns,
   * more through `docker exec`).
   */
  private track(fault: string, target: string, at: number, args: Record<string, unknown>, revertFn: () => Promise<void>, timed = true): FaultHandle {
    const commandMs = timed ? Math.round((monoNow() - at) * 10) / 10 : undefined;
    const injected: FaultEvent = { at, fault, target, action: 'inject', args: commandMs === undefined ? args : { ...args, commandMs } };
    this.log(injected);
    const h = handle((ev) => this.log(ev), injected, async () => {
      await revertFn();
      this.active.delete(h);
    }, monoNow);
    this.active.add(h);
    return h;
  }

  private log(ev: FaultEvent): void {
    this.events.push(ev);
    this.sink?.fault(ev);
  }
}

/** Whether this kernel has netem: try a netem qdisc on the node's loopback, then remove it. */
export async function netemSupported(node: Pick<DeployedNode, 'exec'>): Promise<boolean> {
  const r = await node.exec(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
  if (r.exitCode !== 0) return false;
  await node.exec(['tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
  return true;
}

/**
 * Wait until a signalled process is gone. Not only `exited`: a process attached from a
 * lab's state file (CLI) is not our child, and its exit is only seen by polling.
 */
async function gone(p: NodeProcess, what: string): Promise<void> {
  let exited = false;
  void p.exited.then(() => (exited = true));
  await waitUntil(() => exited || !isRunning(p.pid), (done) => done, { what, timeout: 10_000, interval: 5 });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The processes of a list that are still alive (signal 0 probes without touching them). */
async function running(procs: NodeProcess[]): Promise<NodeProcess[]> {
  return procs.filter((p) => isRunning(p.pid));
}

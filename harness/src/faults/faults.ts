/**
 * Faults on a deployed lab, by method: the facade scenarios use over the fault
 * registry (registry.ts; one module per fault). Every fault is reversible (it returns
 * a FaultHandle), every inject and revert is logged with a monotonic timestamp, and
 * `revertAll()` undoes whatever is still in place.
 *   const faults = new Faults(lab, recorder);
 *   const cut = await faults.linkDown('c1:eth1');   // … measure …
 *   await cut.revert();
 */
import { monoNow } from '../clock.js';
import type { FaultEvent } from '../run/record.js';
import { ifaceToward, type FaultHandle } from './fault.js';
import { FaultArgError, type RawArgs } from './fault-args.js';
import { applyFault, track, type Applied, type FaultContext, type FaultDefinition, type FaultTargetLab, type TrackedFault } from './definition.js';
import type { Direction } from './nft.js';
import { findFault, faultNames } from './registry.js';
import { linkDown } from './catalog/link-down.js';
import { silentDrop } from './catalog/silent-drop.js';
import { randomLoss } from './catalog/random-loss.js';
import { freeze } from './catalog/freeze.js';
import { kill } from './catalog/kill.js';
import { flap, startFlap } from './catalog/flap.js';
import { delay } from './catalog/delay.js';
import { sessionReset } from './catalog/session-reset.js';
import { drain } from './catalog/drain.js';
import { frrConfig, type FrrConfigChange } from './catalog/frr-config.js';

export { NetemUnsupportedError, netemSupported } from './catalog/delay.js';

/** Where fault events go: a RunRecorder (anything with `fault(ev)`), or nothing. */
export interface FaultSink {
  fault(ev: FaultEvent): void;
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
  private readonly ctx: FaultContext;

  constructor(
    readonly lab: FaultTargetLab,
    private readonly sink?: FaultSink,
  ) {
    this.ctx = { lab, log: (ev) => this.log(ev) };
  }

  /**
   * Any fault of the registry by name (or CLI alias) with raw arguments, as a timeline
   * entry gives them; `extra` goes into the inject event's args. Bad arguments fail
   * naming the fault, its target and the argument.
   */
  async apply(fault: string | FaultDefinition<unknown>, target: string, args: RawArgs = {}, extra?: Record<string, unknown>): Promise<TrackedFault> {
    const def = typeof fault === 'string' ? findFault(fault) : fault;
    if (!def) throw new Error(`unknown fault "${String(fault)}"; one of ${faultNames()}`);
    try {
      return this.keep(await applyFault(this.ctx, def, target, args, extra));
    } catch (err) {
      if (err instanceof FaultArgError) throw new Error(`${def.name} on ${target}: ${err.message}`);
      throw err;
    }
  }

  /** `ip link set dev IF down` at one end of a link ("node:iface"); revert brings it up (see link-down.ts). */
  linkDown(target: string): Promise<FaultHandle> {
    return this.apply(linkDown, target);
  }

  /** The "node:iface" end on `node` of its link to `peer` (for linkDown and friends). */
  endpoint(node: string, peer: string): string {
    return `${node}:${ifaceToward(this.lab, node, peer)}`;
  }

  /** Silent blackhole by nft, the link staying up; with `peers`, only traffic from/to those addresses. */
  silentDrop(target: string, direction: Direction = 'both', peers?: string[]): Promise<FaultHandle> {
    return this.apply(silentDrop, target, { direction, peers });
  }

  /** Random loss of `percent` % of the packets each way through the interface (nft numgen), optionally only from/to `peers`. */
  randomLoss(target: string, percent: number, direction: Direction = 'both', peers?: string[]): Promise<FaultHandle> {
    return this.apply(randomLoss, target, { percent, direction, peers });
  }

  /** Freeze the node (the runtime's freezer, else SIGSTOP), or SIGSTOP only the processes with these roles; revert thaws. */
  freeze(node: string, roles?: string[]): Promise<FaultHandle> {
    return this.apply(freeze, node, { roles });
  }

  /** Kill one process of a node by role (SIGKILL by default); revert starts it again. */
  kill(node: string, role: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<FaultHandle> {
    return this.apply(kill, node, { role, signal });
  }

  /**
   * A flapping train on one link end; returns at once, `done` resolves when the train
   * ends, revert stops it and leaves the link up (see flap.ts).
   */
  flap(target: string, opts: FlapOptions): FlapHandle {
    let args;
    try {
      args = flap.parse({ count: opts.count, period: opts.periodMs, down: opts.downMs });
    } catch (err) {
      throw new Error(`${flap.name} on ${target}: ${(err as Error).message}`);
    }
    const at = monoNow();
    const applied: Applied = startFlap(this.ctx, target, args);
    return this.keep(track(flap, target, at, applied, this.ctx.log)) as FlapHandle;
  }

  /** netem delay on an interface; NetemUnsupportedError where the kernel has no netem. */
  delay(target: string, delayMs: number, jitterMs = 0): Promise<FaultHandle> {
    return this.apply(delay, target, { delay: delayMs, jitter: jitterMs || undefined });
  }

  /** `clear bgp PEER` on the node (instantaneous: the handle has nothing to revert). */
  sessionReset(node: string, peer: string): Promise<FaultHandle> {
    return this.apply(sessionReset, node, { peer });
  }

  /** Create the node's maintenance file (drain); revert removes it. */
  drain(node: string): Promise<FaultHandle> {
    return this.apply(drain, node);
  }

  /**
   * A routing-policy fault as FRR configuration, recorded on the clock under the
   * name `fault` (a route leak, say) with `args` (see frr-config.ts).
   */
  async frrConfig(node: string, fault: string, changes: FrrConfigChange[], args: Record<string, unknown> = {}): Promise<FaultHandle> {
    let parsed;
    try {
      parsed = frrConfig.parse({ changes });
    } catch (err) {
      throw new Error(`${fault} on ${node}: ${(err as Error).message}`);
    }
    const at = monoNow();
    const applied = await frrConfig.apply(this.ctx, node, parsed);
    return this.keep(track({ name: fault, lasting: frrConfig.lasting }, node, at, { ...applied, record: args }, this.ctx.log));
  }

  /** Revert every fault of this instance still in place (newest first). For teardown. */
  async revertAll(): Promise<void> {
    const errors: string[] = [];
    for (const h of [...this.active].reverse()) {
      await h.revert().catch((err: Error) => errors.push(err.message));
    }
    if (errors.length) throw new Error(`reverting faults failed: ${errors.join('; ')}`);
  }

  /** Remember a fault in place until its revert completes. */
  private keep<H extends TrackedFault>(h: H): H {
    if (h.reverted) return h;
    this.active.add(h);
    const revert = h.revert.bind(h);
    const kept = Object.assign(h, {
      revert: async () => {
        await revert();
        this.active.delete(kept);
      },
    });
    kept[Symbol.asyncDispose] = kept.revert;
    return kept;
  }

  private log(ev: FaultEvent): void {
    this.events.push(ev);
    this.sink?.fault(ev);
  }
}

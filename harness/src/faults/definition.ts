/**
 * What a fault is: one module (harness/src/faults/catalog/<name>.ts) exporting a
 * FaultDefinition — its name, its arguments (parse with errors naming the argument),
 * apply (returning how to revert), and what it records on the clock. The CLI's
 * `fault` command, timeline files and their replay, and the Faults class all take
 * faults from the registry (registry.ts, which reads catalog/), so adding a fault is
 * its file and its test.
 */
import { monoNow } from '../clock.js';
import type { FaultEvent } from '../run/record.js';
import type { Runtime } from '../runtime/runtime.js';
import { handle, type FaultHandle, type FaultLab, type FaultLog } from './fault.js';
import type { RawArgs } from './fault-args.js';

/** One argument, as the CLI and the help text show it. */
export interface FaultParam {
  /** Its key in a timeline entry's `args` and in the raw mapping parse() reads. */
  readonly name: string;
  /** CLI: a word after the target (e.g. PERCENT), in this order … */
  readonly word?: string;
  /** … or an option (`--dir`); default: the name. */
  readonly flag?: string;
  /** What a value looks like after the flag in help (e.g. "in|out|both"). */
  readonly value?: string;
  readonly required?: boolean;
  /** A structured value (a list of mappings): timelines and code only, no CLI form. */
  readonly structured?: boolean;
  readonly help: string;
}

/** What a fault's apply hands back to the engine. */
export interface Applied {
  /** What the inject event carries in `args` (the parsed arguments and what the fault found). */
  readonly record: Record<string, unknown>;
  /** Undo it; absent for an instantaneous fault (nothing to revert). */
  readonly revert?: () => Promise<void>;
  /** A train fault (flap): resolves when it has run. */
  readonly done?: Promise<void>;
}

/** A lab faults may act on: the runtime is there on a deployed lab (freeze uses its freezer). */
export type FaultTargetLab = FaultLab & { readonly runtime?: Pick<Runtime, 'name' | 'freezeNode' | 'thawNode'> };

export interface FaultContext {
  readonly lab: FaultTargetLab;
  /** Log an extra event on the clock (a flap train's per-cycle events). */
  readonly log: FaultLog;
}

export interface FaultDefinition<A = unknown> {
  /** The fault's name: in timeline files, on the clock (FaultEvent.fault) and in the CLI. */
  readonly name: string;
  /** Other words the CLI accepts for it (its names before the registry, e.g. `drop`). */
  readonly aliases?: readonly string[];
  /** A link end (NODE:IF) or a node (NODE). */
  readonly target: 'link' | 'node';
  /**
   * held: in place until reverted (`--for`, `for:`); instant: done when applied (session
   * reset), nothing to revert; train: runs its own course (flap), revert stops it.
   */
  readonly lasting: 'held' | 'instant' | 'train';
  /** One line for help and docs. */
  readonly summary: string;
  readonly params: readonly FaultParam[];
  /** Check and type the raw arguments; throws FaultArgError naming the argument. */
  parse(raw: RawArgs): A;
  /** Problems only the deployed lab shows (a role the node lacks), before anything changes. */
  check?(lab: FaultTargetLab, target: string, args: A): string | undefined;
  /** Put the fault in place. Throws, naming the node and command, when it cannot. */
  apply(ctx: FaultContext, target: string, args: A): Promise<Applied>;
  /**
   * Undo whatever of this fault was left in place on a node (`fault clear`, after
   * `--keep` or a killed harness); idempotent. Says what it did, or nothing.
   */
  clear?(lab: FaultTargetLab, node: string): Promise<string | undefined>;
}

/** Marks what defineFault made, so the registry can tell a fault among a module's exports. */
const DEFINED = Symbol('bgpdns-lab fault definition');

/** `export const fault = defineFault({...})` in a module of catalog/: the registry finds it there. */
export function defineFault<A>(def: FaultDefinition<A>): FaultDefinition<A> {
  return Object.assign(def, { [DEFINED]: true });
}

export function isFaultDefinition(value: unknown): value is FaultDefinition<unknown> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEFINED] === true;
}

export interface TrackedFault extends FaultHandle {
  /** Train faults: resolves when the train has run. */
  readonly done?: Promise<void>;
}

/**
 * Record an applied fault on the clock and wrap it in a revert handle. `at` is when
 * its command was issued (measurements count from there, so they include the
 * command's own latency); `commandMs` says how long the command took to return,
 * an upper bound on that latency (a few ms under netns, more through `docker exec`).
 * A train's inject carries no commandMs (it returns at once by design).
 */
export function track(
  def: Pick<FaultDefinition, 'name' | 'lasting'>,
  target: string,
  at: number,
  applied: Applied,
  log: FaultLog,
  extra: Record<string, unknown> = {},
): TrackedFault {
  const args = { ...applied.record, ...extra, ...(def.lasting === 'train' ? {} : { commandMs: Math.round((monoNow() - at) * 10) / 10 }) };
  const injected: FaultEvent = { at, fault: def.name, target, action: 'inject', args };
  log(injected);
  const revert = applied.revert;
  if (!revert) {
    // Nothing to undo: a handle that is reverted from the start and logs no revert.
    const noop = () => Promise.resolve();
    return { injected, reverted: true, revert: noop, [Symbol.asyncDispose]: noop };
  }
  const h = handle(log, injected, revert, monoNow);
  return applied.done ? Object.assign(h, { done: applied.done }) : h;
}

/** Parse, apply and record a fault in one step (what the timeline replay and the CLI do). */
export async function applyFault<A>(ctx: FaultContext, def: FaultDefinition<A>, target: string, raw: RawArgs, extra?: Record<string, unknown>): Promise<TrackedFault> {
  const args = def.parse(raw);
  const at = monoNow();
  const applied = await def.apply(ctx, target, args);
  return track(def, target, at, applied, ctx.log, extra);
}

/**
 * Every fault the harness knows, one module each. The CLI's `fault` command, timeline
 * files (parse and replay) and the Faults class take them from here; adding a fault
 * is its module, its line here and its test.
 */
import type { FaultDefinition } from './definition.js';
import { linkDown } from './link-down.js';
import { silentDrop } from './silent-drop.js';
import { randomLoss } from './random-loss.js';
import { freeze } from './freeze.js';
import { kill } from './kill.js';
import { flap } from './flap.js';
import { delay } from './delay.js';
import { sessionReset } from './session-reset.js';
import { drain } from './drain.js';
import { frrConfig } from './frr-config.js';

/** Arguments typed `unknown` here: callers get them from the definition's own parse(). */
export const FAULTS: readonly FaultDefinition<unknown>[] = [linkDown, silentDrop, randomLoss, freeze, kill, flap, delay, sessionReset, drain, frrConfig];

/** The fault a name or alias means, or undefined. */
export function findFault(word: unknown): FaultDefinition<unknown> | undefined {
  return FAULTS.find((f) => f.name === word || f.aliases?.includes(word as string));
}

/** "link-down, silent-drop (drop), …": the names a user may write. */
export function faultNames(faults: readonly FaultDefinition<unknown>[] = FAULTS): string {
  return faults.map((f) => (f.aliases?.length ? `${f.name} (${f.aliases.join(', ')})` : f.name)).join(', ');
}

/**
 * Every fault the harness knows: each module in catalog/ defines one (defineFault) and
 * is found here by reading that folder, so adding a fault is its module and its test
 * (faults.test.ts refuses a module without one) — no list to edit. The CLI's `fault`
 * command, timeline files (parse and replay) and the Faults class take them from here.
 */
import { readdirSync } from 'node:fs';
import { isFaultDefinition, type FaultDefinition } from './definition.js';

const CATALOG = new URL('./catalog/', import.meta.url);

/** A fault module: any .ts/.js file of catalog/ but tests and declarations. */
export function isFaultModule(file: string): boolean {
  return /\.(ts|js)$/.test(file) && !/\.(test|d)\.ts$/.test(file);
}

/** The fault a module defines; a module with none, or more than one, is refused naming the file. */
function definitionOf(file: string, exports: Record<string, unknown>): FaultDefinition<unknown> {
  const defs = Object.values(exports).filter(isFaultDefinition);
  if (defs.length !== 1) throw new Error(`harness/src/faults/catalog/${file}: a fault module defines exactly one fault (defineFault), found ${defs.length}`);
  return defs[0]!;
}

async function loadCatalog(): Promise<FaultDefinition<unknown>[]> {
  const files = readdirSync(CATALOG).filter(isFaultModule).sort();
  const faults = await Promise.all(files.map(async (f) => definitionOf(f, (await import(new URL(f, CATALOG).href)) as Record<string, unknown>)));
  const seen = new Map<string, string>();
  faults.forEach((fault, i) => {
    for (const word of [fault.name, ...(fault.aliases ?? [])]) {
      const other = seen.get(word);
      if (other) throw new Error(`harness/src/faults/catalog/${files[i]}: the fault word "${word}" is already taken by ${other}`);
      seen.set(word, files[i]!);
    }
  });
  // Link faults first, then node faults: the order help and docs list them in.
  return faults.sort((a, b) => (a.target === b.target ? 0 : a.target === 'link' ? -1 : 1));
}

/** Arguments typed `unknown` here: callers get them from the definition's own parse(). */
export const FAULTS: readonly FaultDefinition<unknown>[] = await loadCatalog();

/** The fault a name or alias means, or undefined. */
export function findFault(word: unknown): FaultDefinition<unknown> | undefined {
  return FAULTS.find((f) => f.name === word || f.aliases?.includes(word as string));
}

/** "delay, link-flap (flap), …": the names a user may write. */
export function faultNames(faults: readonly FaultDefinition<unknown>[] = FAULTS): string {
  return faults.map((f) => (f.aliases?.length ? `${f.name} (${f.aliases.join(', ')})` : f.name)).join(', ');
}

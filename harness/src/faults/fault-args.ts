/**
 * Reading a fault's arguments. The same raw mapping comes from a timeline entry's
 * `args` (YAML values), from the CLI (words and option strings) and from the Faults
 * methods (typed values), so every reader accepts a value or its text. Each error is
 * a FaultArgError naming the argument; the caller says how the user wrote it
 * (`--dir`, `loss PERCENT`, `entries[2].args.percent`).
 */
import { isIP } from 'node:net';
import { parseDurationText } from './duration.js';
import type { Direction } from './nft.js';

export class FaultArgError extends Error {
  override name = 'FaultArgError';
  constructor(
    /** The argument's name in the fault's parameter list. */
    readonly arg: string,
    /** What is wrong, without the argument's name. */
    readonly problem: string,
  ) {
    super(`${arg}: ${problem}`);
  }
}

export type RawArgs = Readonly<Record<string, unknown>>;

const shown = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

/** A required argument: `read` it, and when it is absent say what was expected. */
export function required<T>(raw: RawArgs, name: string, read: (raw: RawArgs, name: string) => T | undefined, what: string): T {
  const v = read(raw, name);
  if (v === undefined) throw new FaultArgError(name, `missing: ${what}`);
  return v;
}

/** A whole number in [min, max]; "30" and 30 alike. */
export function wholeArg(raw: RawArgs, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new FaultArgError(name, `expected a whole number ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `${min}–${max}`}, got ${shown(v)}`);
  }
  return n;
}

/** A duration > 0: "5s", "250ms", "2m", "1m30s", or milliseconds ("250" or 250). */
export function durationArg(raw: RawArgs, name: string): number | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  const ms = parseDurationText(typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v);
  if (ms === undefined || !(ms > 0)) throw new FaultArgError(name, `expected a duration like 500ms, 5s or 2m, got ${shown(v)}`);
  return ms;
}

/** Milliseconds > min (default 0), as a number or its text ("20"). */
export function msArg(raw: RawArgs, name: string, min = 0): number | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || !(n > min)) throw new FaultArgError(name, `expected milliseconds > ${min}, got ${shown(v)}`);
  return n;
}

export function directionArg(raw: RawArgs, name: string): Direction {
  const v = raw[name] ?? 'both';
  if (v !== 'in' && v !== 'out' && v !== 'both') throw new FaultArgError(name, `expected in, out or both, got ${shown(v)}`);
  return v;
}

/** A list: a YAML/JS array of strings or "a,b,c". */
function listArg(raw: RawArgs, name: string, what: string): string[] | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  const list = typeof v === 'string' ? v.split(',') : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  if (!list || list.length === 0 || list.some((x) => x === '')) throw new FaultArgError(name, `expected ${what} separated by commas, got ${shown(v)}`);
  return list;
}

export function namesArg(raw: RawArgs, name: string): string[] | undefined {
  return listArg(raw, name, 'names');
}

/** IPv4/IPv6 addresses; a non-address is named. */
export function addressesArg(raw: RawArgs, name: string): string[] | undefined {
  const list = listArg(raw, name, 'IP addresses');
  const bad = list?.find((a) => isIP(a) === 0);
  if (bad !== undefined) throw new FaultArgError(name, `expected IP addresses separated by commas, got "${bad}"`);
  return list;
}

export function addressArg(raw: RawArgs, name: string): string | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || isIP(v) === 0) throw new FaultArgError(name, `expected an IPv4 or IPv6 address, got ${shown(v)}`);
  return v;
}

export function nameArg(raw: RawArgs, name: string): string | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[\w.-]+$/.test(v)) throw new FaultArgError(name, `expected a name, got ${shown(v)}`);
  return v;
}

/** Refuse an argument the fault does not take, listing those it does. */
export function onlyArgs(raw: RawArgs, fault: string, names: readonly string[]): void {
  for (const k of Object.keys(raw)) {
    if (raw[k] !== undefined && !names.includes(k)) throw new FaultArgError(k, `${fault} takes no argument "${k}"; it takes ${names.length ? names.join(', ') : 'none'}`);
  }
}

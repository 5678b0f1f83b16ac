/**
 * A `bgpdns-lab <name>` command: harness/src/cli/commands/<name>.ts exports
 * `command = defineCommand({...})`. main.ts finds commands by file name, so adding
 * one needs no edit anywhere else except its line in command-needs.json.
 *
 * Every command is parsed the same way, by `parseCommandArgs` (node:util parseArgs
 * underneath): an unknown or misspelt option is a usage error naming it; options
 * that take a value accept `--opt VALUE` and `--opt=VALUE`; `--help`/`-h` prints
 * the usage and exits 0. main.ts parses before it checks root, so usage errors and
 * help never need root. Command files import their heavy modules (deploy, runner,
 * reports …) inside run(), so `help`, `--help` and usage errors start in about the
 * time node and tsx take.
 *
 * What a command needs before it runs — root, and which install set the launcher
 * must make present — is declared in command-needs.json, one line per command
 * (plus `test`, which the launcher runs itself). It is data, not code, so the
 * launcher can ask without starting tsx:
 *   node harness/src/cli/needs.mjs COMMAND     → "root=1 installs=demo" (~0.1 s)
 *   bgpdns-lab __needs COMMAND                 → the same through the CLI
 * The install sets and what each holds: harness/src/install/install-sets.ts (derived
 * from the kinds of the labs a command deploys); `--runtime docker` adds the docker set.
 * main.ts refuses (exit 77) a command that needs root when it is not root;
 * command-needs.test.ts fails when a command file has no line there or vice versa.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './exit-codes.js';

export { UsageError, LabError, EXIT } from './exit-codes.js';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The option may repeat; its value is the list in order. */
  readonly multiple?: boolean;
}
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : O[K]['multiple'] extends true ? string[] : string;
};

export interface CommandArgs<O extends OptionSpecs = OptionSpecs> {
  values: OptionValues<O>;
  positionals: string[];
  /** exec only: the words of the command to run in the node (see `splitCommand`). */
  command: string[];
}

export interface CommandSpec<O extends OptionSpecs> {
  /** One line for `bgpdns-lab help`. */
  summary: string;
  /** Full usage text for `--help` and usage errors. */
  usage: string;
  /** The command's options (without --help, which every command has). */
  options: O;
  /**
   * For a command that runs another command (exec): split argv into its own
   * words (parsed strictly) and the other command's words (passed through as they are).
   */
  splitCommand?(argv: string[]): { own: string[]; command: string[] };
  /** Run with the parsed arguments; resolves with the exit code (exit-codes.ts). */
  run(args: CommandArgs<O>): Promise<number>;
}

export interface CliCommand {
  readonly summary: string;
  readonly usage: string;
  readonly options: OptionSpecs;
  splitCommand?(argv: string[]): { own: string[]; command: string[] };
  run(args: CommandArgs): Promise<number>;
}

/** Typed values for the command's own options; erased to CliCommand for main.ts. */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): CliCommand {
  return spec as unknown as CliCommand;
}

const HELP: OptionSpec = { type: 'boolean', short: 'h' };

/**
 * argv → options and positionals, strictly: unknown options, a value given to a flag,
 * a missing value (or an option where the value should be) are UsageErrors that name
 * the option. `help: true` when --help/-h was given (anything else is then ignored).
 */
export function parseCommandArgs(cmd: Pick<CliCommand, 'options' | 'splitCommand'>, argv: string[]): CommandArgs & { help: boolean } {
  const { own, command } = cmd.splitCommand ? cmd.splitCommand(argv) : { own: argv, command: [] };
  const options = { ...cmd.options, help: HELP };
  // Not strict: the tokens are checked below, so each error names the option plainly.
  const { tokens } = parseArgs({ args: own, options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { help: true, values: {}, positionals: [], command };
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const spec = cmd.options[t.name];
    if (!spec) throw new UsageError(unknownOption(t.rawName, cmd.options));
    if (spec.type === 'boolean') {
      if (t.value !== undefined) throw new UsageError(`${t.rawName} takes no value (got "${t.value}")`);
      values[t.name] = true;
      continue;
    }
    if (t.value === undefined || (!t.inlineValue && t.value.startsWith('-'))) {
      throw new UsageError(`${t.rawName} needs a value${t.value !== undefined ? ` (got option ${t.value}; for a value starting with "-" write ${t.rawName}=VALUE)` : ''}`);
    }
    if (spec.multiple) values[t.name] = [...((values[t.name] as string[] | undefined) ?? []), t.value];
    else if (values[t.name] !== undefined) throw new UsageError(`${t.rawName} given twice`);
    else values[t.name] = t.value;
  }
  return { help: false, values: values as OptionValues<OptionSpecs>, positionals, command };
}

function unknownOption(raw: string, options: OptionSpecs): string {
  const names = Object.keys(options);
  const near = raw.startsWith('--') ? names.find((n) => editDistance(n, raw.slice(2)) <= 2) : undefined;
  const known = [...names.map((n) => `--${n}`), '--help'].join(', ');
  return `unknown option ${raw}${near ? ` (did you mean --${near}?)` : ''}; options: ${known}`;
}

/** Levenshtein distance, for "did you mean" on short option names. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** Exactly `min`..`max` positionals, else a usage error saying what was expected. */
export function expectPositionals(positionals: string[], min: number, max: number, what: string): void {
  if (positionals.length < min) throw new UsageError(`expected ${what}`);
  if (positionals.length > max) throw new UsageError(`expected ${what}; unexpected "${positionals.slice(max).join(' ')}"`);
}

/** A whole number ≥ min from an option or word, else a usage error naming it. */
export function wholeNumber(text: string, name: string, min = 1): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${name}: expected a whole number ≥ ${min}, got "${text}"`);
  return n;
}

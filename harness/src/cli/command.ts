/**
 * A `bgpdns-lab <name>` command: harness/src/cli/commands/<name>.ts exports
 * `command: CliCommand`. main.ts finds commands by file name, so adding one needs
 * no edit anywhere else.
 */
export interface CliCommand {
  /** One line for `bgpdns-lab help`. */
  summary: string;
  /** Full usage text for `bgpdns-lab help <name>` and usage errors. */
  usage: string;
  /** Run with the arguments after the command name; resolves with the exit code. */
  run(argv: string[]): Promise<number>;
}

/** A wrong invocation: main prints the message and the command's usage, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Split argv into positionals and --flags (`--key value`, `--key=value`, bare `--flag`); `--` ends flags.
 * When `boolFlags` is given, any flag not in `valueFlags` or `boolFlags` is a usage error naming it.
 */
export function parseArgs(
  argv: string[],
  valueFlags: readonly string[] = [],
  boolFlags?: readonly string[],
): { positional: string[]; flags: Map<string, string | true>; rest: string[] } {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return { positional, flags, rest: argv.slice(i + 1) };
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (boolFlags && !valueFlags.includes(name) && !boolFlags.includes(name)) {
        const known = [...valueFlags, ...boolFlags].map((f) => `--${f}`).join(', ');
        throw new UsageError(`unknown option --${name}${known ? `; options: ${known}` : ''}`);
      }
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else if (valueFlags.includes(a.slice(2))) {
        if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
        flags.set(a.slice(2), argv[++i]);
      } else flags.set(a.slice(2), true);
    } else positional.push(a);
  }
  return { positional, flags, rest: [] };
}

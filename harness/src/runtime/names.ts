/**
 * The one list of runtime names: `--runtime`, BGPDNS_RUNTIME, the lab state file,
 * run records and every `runtime.name` come from here. Free of imports, so the
 * CLI can check a flag without loading any runtime.
 */
export const RUNTIME_NAMES = ['netns', 'docker', 'attach'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

/** Runtimes that build a lab themselves (attach drives a lab someone else deployed). */
export const DEPLOYING_RUNTIMES = ['netns', 'docker'] as const satisfies readonly RuntimeName[];
export type DeployingRuntimeName = (typeof DEPLOYING_RUNTIMES)[number];

export function isRuntimeName(name: string, among: readonly RuntimeName[] = RUNTIME_NAMES): name is RuntimeName {
  return (among as readonly string[]).includes(name);
}

/** "netns, docker or attach": the names of `among` as a sentence lists them. */
export function runtimeList(among: readonly RuntimeName[]): string {
  return among.length < 2 ? among.join('') : `${among.slice(0, -1).join(', ')} or ${among.at(-1)}`;
}

/** `name` as a runtime name of `among`, else an error (of class `Err`) naming `what` (the flag or variable) and the names allowed. */
export function runtimeNameOf<T extends RuntimeName>(name: string, among: readonly T[], what: string, Err: new (message: string) => Error = Error): T {
  if (!isRuntimeName(name, among)) throw new Err(`${what}: expected ${runtimeList(among)}, got "${name}"`);
  return name as T;
}

/**
 * The exit codes of every `bgpdns-lab` command, so a script can tell causes apart
 * (README "Using it", docs/cli.md). 64 and 77 are sysexits.h's EX_USAGE and EX_NOPERM.
 */
export const EXIT = {
  /** Done; every assertion and SLO held. */
  ok: 0,
  /** An assertion or SLO failed, or the command could not do its job at run time (a fault that would not inject, an invalid run.json, a required part missing for doctor). */
  failed: 1,
  /** A lab could not be built (invalid topology, a node that would not start, BGP not converged) or torn down. */
  lab: 2,
  /** The command line is wrong: unknown command or option, bad or missing value, or it names a lab, node, scenario, run or benchmark that does not exist. Nothing was changed. */
  usage: 64,
  /** The command must run as root. Nothing was changed. */
  notRoot: 77,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A wrong invocation: main prints the message and the command's usage, exit 64. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A lab that could not be built or torn down: main prints the message, exit 2. */
export class LabError extends Error {
  override name = 'LabError';
}

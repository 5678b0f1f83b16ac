import { existsSync } from 'node:fs';

/**
 * A program the harness or a lab node runs on the host, and the Debian package that
 * ships it. Kinds, runtimes and the harness itself declare their needs with these;
 * the launcher installs the packages a command's labs and scenarios use
 * (install-sets.ts), `doctor` reports the missing ones, and deploying a lab refuses
 * with the package to install when an executable is absent.
 */
export interface HostNeed {
  /** Absolute path of the executable (or data file, e.g. a font) whose presence is checked. */
  readonly executable: string;
  /** Debian package that installs it. */
  readonly package: string;
}

export function isInstalled(need: HostNeed): boolean {
  return existsSync(need.executable);
}

/** Debian packages of the needs, each once, sorted. */
export function packagesOf(needs: Iterable<HostNeed>): string[] {
  return [...new Set([...needs].map((n) => n.package))].sort();
}

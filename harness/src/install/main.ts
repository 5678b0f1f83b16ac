/**
 * `node --import tsx harness/src/install/main.ts SET…` prints the Debian packages of the
 * install sets (install-sets.ts), one per line, for the launcher to install. Loads the
 * labs' topology files, never deploys anything, needs no root.
 */
import { INSTALL_SETS, needsOf, type InstallSet } from './install-sets.js';
import { packagesOf, type HostNeed } from './host-need.js';

const sets = process.argv.slice(2);
const unknown = sets.filter((s) => !(INSTALL_SETS as readonly string[]).includes(s));
if (sets.length === 0 || unknown.length > 0) {
  process.stderr.write(`usage: install/main.ts SET… (${INSTALL_SETS.join(', ')})${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}\n`);
  process.exit(64);
}
const needs: HostNeed[] = [];
for (const set of sets as InstallSet[]) needs.push(...(await needsOf(set)));
for (const p of packagesOf(needs)) process.stdout.write(`${p}\n`);

/**
 * nftables faults in a node's namespace. Each fault gets its own table, named for
 * the lab (so the lab's teardown and leak checks recognise it) and numbered, so
 * reverting it is one `delete table` and faults never disturb one another.
 */
export type Direction = 'in' | 'out' | 'both';

/**
 * Absolute path on purpose: under `npx`, node_modules/.bin comes first in PATH and
 * holds an unrelated `nft` (@vercel/nft, a file tracer pulled in by ava).
 */
export const NFT = '/usr/sbin/nft';

let counter = 0;

/** `bgpdnslab_<lab>_<n>`: nft identifiers allow letters, digits and underscore. */
export function faultTableName(lab: string): string {
  return `bgpdnslab_${lab.replace(/[^A-Za-z0-9_]/g, '_')}_${process.pid}_${++counter}`;
}

/**
 * A table that applies `verdict` (e.g. `drop`, `numgen random mod 100 < 20 drop`)
 * to packets entering and/or leaving `iface`, locally addressed or forwarded alike:
 * ingress in prerouting, egress in postrouting.
 */
export function ifaceRuleset(table: string, iface: string, verdict: string, direction: Direction): string {
  const name = JSON.stringify(iface);
  const chains: string[] = [];
  if (direction !== 'out') {
    chains.push(`  chain ingress { type filter hook prerouting priority -300; policy accept; iifname ${name} ${verdict}; }`);
  }
  if (direction !== 'in') {
    chains.push(`  chain egress_local { type filter hook output priority -300; policy accept; oifname ${name} ${verdict}; }`);
    chains.push(`  chain egress_fwd { type filter hook forward priority -300; policy accept; oifname ${name} ${verdict}; }`);
  }
  return `table inet ${table} {\n${chains.join('\n')}\n}\n`;
}

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
 * ingress in prerouting; egress in output (local) and forward (routed). With `peers`,
 * only packets from (ingress) or to (egress) those addresses match.
 */
export function ifaceRuleset(table: string, iface: string, verdict: string, direction: Direction, peers?: string[]): string {
  const name = JSON.stringify(iface);
  const matches = (side: 'saddr' | 'daddr'): string[] => {
    if (!peers) return [''];
    const v4 = peers.filter((a) => !a.includes(':'));
    const v6 = peers.filter((a) => a.includes(':'));
    return [...(v4.length ? [`ip ${side} { ${v4.join(', ')} } `] : []), ...(v6.length ? [`ip6 ${side} { ${v6.join(', ')} } `] : [])];
  };
  const chain = (chainName: string, hook: string, ifMatch: string, side: 'saddr' | 'daddr') =>
    `  chain ${chainName} {\n    type filter hook ${hook} priority -300; policy accept;\n${matches(side)
      .map((m) => `    ${ifMatch} ${name} ${m}${verdict}\n`)
      .join('')}  }`;
  const chains: string[] = [];
  if (direction !== 'out') chains.push(chain('ingress', 'prerouting', 'iifname', 'saddr'));
  if (direction !== 'in') {
    chains.push(chain('egress_local', 'output', 'oifname', 'daddr'));
    chains.push(chain('egress_fwd', 'forward', 'oifname', 'daddr'));
  }
  return `table inet ${table} {\n${chains.join('\n')}\n}\n`;
}

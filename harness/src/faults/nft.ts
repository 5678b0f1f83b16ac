/**
 * nftables faults in a node's namespace. Each fault gets its own table, named for
 * the lab (so the lab's teardown and leak checks recognise it) and numbered, so
 * reverting it is one `delete table` and faults never disturb one another.
 */
import type { DeployedNode } from '../lab/handle.js';
import { parseEndpoint, run } from './fault.js';

export type Direction = 'in' | 'out' | 'both';

/**
 * Absolute path on purpose: under `npx`, node_modules/.bin comes first in PATH and
 * holds an unrelated `nft` (@vercel/nft, a file tracer pulled in by ava).
 */
export const NFT = '/usr/sbin/nft';

let counter = 0;

const tablePrefix = (lab: string) => `bgpdnslab_${lab.replace(/[^A-Za-z0-9_]/g, '_')}_`;

/** `bgpdnslab_<lab>_<n>`: nft identifiers allow letters, digits and underscore. */
export function faultTableName(lab: string): string {
  return `${tablePrefix(lab)}${process.pid}_${++counter}`;
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

/** Put a fault table on a node's interface; revert deletes the table. */
export async function applyIfaceRule(
  lab: { readonly model: { readonly name: string }; node(name: string): DeployedNode },
  target: string,
  verdict: string,
  direction: Direction,
  peers: string[] | undefined,
): Promise<{ table: string; revert: () => Promise<void> }> {
  const { node, iface } = parseEndpoint(target);
  const n = lab.node(node);
  const table = faultTableName(lab.model.name);
  await run(n, [NFT, '-f', '-'], ifaceRuleset(table, iface, verdict, direction, peers));
  return { table, revert: () => run(n, [NFT, 'delete', 'table', 'inet', table]).then(() => undefined) };
}

/** Delete every fault table of the lab on a node (`fault clear`); idempotent. */
export async function clearFaultTables(lab: { readonly model: { readonly name: string }; node(name: string): DeployedNode }, nodeName: string): Promise<string | undefined> {
  const node = lab.node(nodeName);
  const prefix = tablePrefix(lab.model.name);
  const tables = (await node.exec([NFT, 'list', 'tables'])).stdout
    .split('\n')
    .map((l) => /^table inet (\S+)$/.exec(l.trim())?.[1])
    .filter((t): t is string => !!t && t.startsWith(prefix));
  for (const t of tables) await node.exec([NFT, 'delete', 'table', 'inet', t]);
  return tables.length ? `removed ${tables.length} fault table(s)` : undefined;
}

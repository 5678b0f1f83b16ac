/**
 * Every k-th IPv4 prefix of a table file (MRT), as BGP prefixes: the churn
 * speaker flaps them, so it works on prefixes the sorter actually holds.
 * Table data only: nothing is ever sent to these addresses.
 */
import { Afi, copyPrefix, visitPrefixes, type Prefix } from '@bgpdns-lab/bgpdns/bgp';
import { readMrtFile } from '@bgpdns-lab/bgpdns/sorter';

export async function sampleIpv4Prefixes(file: string, want: number): Promise<Prefix[]> {
  const { table } = await readMrtFile(file);
  const every = Math.max(1, Math.floor(table.ipv4 / want));
  const out: Prefix[] = [];
  let seen = 0;
  for (const g of table.groups) {
    if (g.afi !== Afi.IPv4 || out.length >= want) continue;
    visitPrefixes(g.nlri, 0, g.nlri.length, Afi.IPv4, (afi, buf, at, len) => {
      if (seen++ % every === 0 && out.length < want) out.push(copyPrefix(afi, buf, at, len));
    });
  }
  if (out.length === 0) throw new Error(`${file}: no IPv4 prefix to sample`);
  return out;
}

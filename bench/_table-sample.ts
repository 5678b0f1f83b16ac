/**
 * Every k-th IPv4 prefix of a table file (MRT), as BGP prefixes: the churn
 * speaker flaps them and the front load asks for clients inside them, so both
 * work on the prefixes the sorter actually holds. Table data only: nothing is
 * ever sent to these addresses.
 */
import { Afi, type Prefix } from '@bgpdns-lab/bgpdns/bgp';
import { readMrtFile } from '@bgpdns-lab/bgpdns/sorter';

export async function sampleIpv4Prefixes(file: string, want: number): Promise<Prefix[]> {
  const { table } = await readMrtFile(file);
  const every = Math.max(1, Math.floor(table.ipv4 / want));
  const out: Prefix[] = [];
  let seen = 0;
  for (const g of table.groups) {
    if (g.afi !== Afi.IPv4) continue;
    // NLRI as on the wire: a length octet, then ceil(len/8) prefix octets (RFC 4271 §4.3).
    for (let off = 0; off < g.nlri.length && out.length < want; ) {
      const len = g.nlri[off];
      const n = (len + 7) >> 3;
      if (seen++ % every === 0) out.push({ afi: Afi.IPv4, len, bytes: g.nlri.slice(off + 1, off + 1 + n) });
      off += 1 + n;
    }
  }
  if (out.length === 0) throw new Error(`${file}: no IPv4 prefix to sample`);
  return out;
}

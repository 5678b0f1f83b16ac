/** Whether prefixes lie inside the lab ranges (198.18.0.0/15, 2001:db8::/32). */
import { Afi } from '../bgp/types.js';
import type { Table } from './table.js';

/** Tests a prefix given as NLRI at buf[at] (length octet, then prefix octets). */
export function nlriInLabRange(afi: Afi, buf: Uint8Array, at: number): boolean {
  const len = buf[at];
  if (afi === Afi.IPv4) return len >= 15 && buf[at + 1] === 198 && (buf[at + 2] & 0xfe) === 18;
  return len >= 32 && buf[at + 1] === 0x20 && buf[at + 2] === 0x01 && buf[at + 3] === 0x0d && buf[at + 4] === 0xb8;
}

/** How many prefixes of a table lie outside the lab ranges. */
export function countOutsideLabRanges(table: Table): number {
  let outside = 0;
  for (const g of table.groups) {
    for (let at = 0; at < g.nlri.length; at += 1 + ((g.nlri[at] + 7) >> 3)) {
      if (!nlriInLabRange(g.afi, g.nlri, at)) outside++;
    }
  }
  return outside;
}

/**
 * A table to inject: prefixes grouped by the path they share, NLRI kept
 * pre-encoded so that packing UPDATEs is copying bytes.
 */
import { Afi, type PathAttributes } from '../bgp/types.js';

export interface RouteGroup {
  afi: Afi;
  /** Attributes as the table source gave them: AS_PATH without the injector's own AS, no next hop. */
  attrs: PathAttributes;
  /** Concatenated NLRI encodings (length octet + prefix octets), RFC 4271 §4.3. */
  nlri: Uint8Array;
  count: number;
}

export interface Table {
  groups: RouteGroup[];
  ipv4: number;
  ipv6: number;
}

/** Builds group NLRI buffers from (group index, encoded prefix) pairs without one array per prefix. */
export class GroupBuilder {
  private parts = new Map<string, { attrs: PathAttributes; afi: Afi; chunks: Uint8Array[]; size: number; count: number }>();

  add(key: string, afi: Afi, attrs: () => PathAttributes, nlri: Uint8Array): void {
    let g = this.parts.get(key);
    if (!g) {
      g = { attrs: attrs(), afi, chunks: [], size: 0, count: 0 };
      this.parts.set(key, g);
    }
    g.chunks.push(nlri);
    g.size += nlri.length;
    g.count++;
  }

  finish(): Table {
    const groups: RouteGroup[] = [];
    let ipv4 = 0;
    let ipv6 = 0;
    for (const g of this.parts.values()) {
      const nlri = new Uint8Array(g.size);
      let at = 0;
      for (const c of g.chunks) {
        nlri.set(c, at);
        at += c.length;
      }
      groups.push({ afi: g.afi, attrs: g.attrs, nlri, count: g.count });
      if (g.afi === Afi.IPv4) ipv4 += g.count;
      else ipv6 += g.count;
    }
    this.parts.clear();
    return { groups, ipv4, ipv6 };
  }
}

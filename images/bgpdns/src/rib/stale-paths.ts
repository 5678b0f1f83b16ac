/**
 * Graceful Restart bookkeeping (RFC 4724 §4.2) for the RIB: per peer and family,
 * the trie nodes where the peer's path is stale — kept and still used, until the
 * peer announces or withdraws that prefix again (refreshed) or the rest is swept
 * at End-of-RIB or when a timer runs out. Only peers in a restart carry a set,
 * so the per-path cost outside a restart is one counter check.
 */
import { Afi } from '../bgp/types.js';

const AFI_IPV4: Afi = 1;

export class StalePaths {
  private readonly v4 = new Map<number, Set<number>>();
  private readonly v6 = new Map<number, Set<number>>();
  /** Peers × families with a stale set: 0 outside any restart. */
  active = 0;

  private of(afi: Afi): Map<number, Set<number>> {
    return afi === AFI_IPV4 ? this.v4 : this.v6;
  }

  /** A fresh stale set for the peer's family (an older one, from a restart in a restart, is merged). */
  begin(peer: number, afi: Afi): Set<number> {
    const m = this.of(afi);
    let set = m.get(peer);
    if (!set) {
      set = new Set();
      m.set(peer, set);
      this.active++;
    }
    return set;
  }

  /** The peer announced or withdrew the prefix at `node`: it is no longer stale. */
  refreshed(peer: number, afi: Afi, node: number): void {
    if (node >= 0) this.of(afi).get(peer)?.delete(node);
  }

  has(peer: number, afi: Afi): boolean {
    return this.of(afi).has(peer);
  }

  count(peer: number, afi: Afi): number {
    return this.of(afi).get(peer)?.size ?? 0;
  }

  /** Ends the peer's restart for the family; returns the nodes still stale. */
  end(peer: number, afi: Afi): Set<number> | undefined {
    const m = this.of(afi);
    const set = m.get(peer);
    if (set) {
      m.delete(peer);
      this.active--;
    }
    return set;
  }
}

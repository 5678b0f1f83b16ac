/**
 * Where the sorter's RIB memory goes on the DFZ-shaped table: one peer's full table
 * applied in-process (as the daemon applies UPDATEs), compacted as the daemon compacts
 * it after a table, then the typed arrays of each part. A tool for working on the
 * memory target of `bench sorter`, not a benchmark with a reference:
 *   node --import tsx bench/rib-memory.ts [--ipv4 N] [--ipv6 N]
 * Last stdout line: one JSON object (bytes as allocated; an idle `node` adds its own
 * ~40 MB RSS and the daemon its V8 heap, which this does not count).
 */
import { parseArgs } from 'node:util';
import { visitPrefixes, Afi } from '@bgpdns-lab/bgpdns/bgp';
import { dfzTable, Rib } from '@bgpdns-lab/bgpdns/sorter';

const { values } = parseArgs({ options: { ipv4: { type: 'string', default: '1000000' }, ipv6: { type: 'string', default: '200000' } } });
const table = dfzTable({ ipv4: Number(values.ipv4), ipv6: Number(values.ipv6), seed: 1 });
const rib = new Rib({ localAsn: 64500 });
const peer = rib.addPeer({ address: '198.18.10.1', asn: 64501 });
rib.peerUp(peer, '198.18.255.1');
for (const g of table.groups) {
  rib.applyUpdate(peer, { attrs: g.attrs, forEachAnnounced: (visit) => visitPrefixes(g.nlri, 0, g.nlri.length, g.afi, visit), forEachWithdrawn: () => undefined });
}
// Runs the background steps to the end: the compaction and the trim of the pages it freed.
rib.compactIfWorthwhile();

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const family = (afi: Afi) => {
  const t = rib.table(afi);
  const trie = t.trie;
  return {
    prefixes: t.prefixes,
    paths: t.paths,
    trie_nodes: trie.size,
    // Nodes without a value only join two subtrees.
    glue_nodes: trie.size - t.prefixes,
    // As allocated (the array grows by doubling), and the node records handed out so far.
    trie_and_entry_index_mb: mb(trie.bytesUsed()),
    trie_and_entry_index_in_use_mb: mb(trie.bytesInUse()),
    path_slots_mb: mb(t.bytesUsed() - trie.bytesUsed()),
  };
};
const v4 = family(Afi.IPv4);
const v6 = family(Afi.IPv6);
console.log(
  JSON.stringify({
    table: `dfzTable ${values.ipv4} IPv4 + ${values.ipv6} IPv6, seed 1, one peer`,
    ipv4: v4,
    ipv6: v6,
    attribute_sets: rib.attrs.size,
    attribute_store_mb: mb(rib.attrs.bytesUsed()),
    total_mb: mb(rib.bytesUsed()),
    bytes_per_prefix: Math.round((rib.bytesUsed() / (v4.prefixes + v6.prefixes)) * 10) / 10,
  }),
);

import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticTable } from './synthetic.js';
import { MrtTableReader, writeMrtTable } from './mrt.js';
import { readMrtFile, writeMrtFile } from './mrt-file.js';
import { decodePrefixes, prefixToString } from '../bgp/nlri.js';
import type { Table } from './table.js';

const writeOptions = { peer: { bgpId: '198.18.0.1', address: '198.18.0.1', asn: 64496 }, collectorId: '198.18.0.254', timestamp: 1_700_000_000 };

/** prefix → AS path text, to compare tables regardless of grouping. */
function routes(table: Table, stripFirst = false): Record<string, string> {
  const out = new Map<string, string>();
  for (const g of table.groups) {
    const path = g.attrs.asPath.flatMap((s) => s.asns);
    for (const p of decodePrefixes(g.nlri, 0, g.nlri.length, g.afi)) out.set(prefixToString(p), (stripFirst ? path.slice(1) : path).join(' '));
  }
  return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

test('a synthetic table written as TABLE_DUMP_V2 reads back with the same prefixes and paths (peer AS added)', (t) => {
  const table = syntheticTable({ ipv4: 3000, ipv6: 2000, seed: 5 });
  const reader = new MrtTableReader();
  const bytes = Buffer.concat([...writeMrtTable(table, writeOptions)]);
  // Feed in odd-sized chunks to exercise record reassembly.
  for (let at = 0; at < bytes.length; at += 977) reader.push(bytes.subarray(at, at + 977));
  const back = reader.finish();
  t.is(back.ipv4, 3000);
  t.is(back.ipv6, 2000);
  t.deepEqual(routes(back, true), routes(table));
  t.deepEqual(reader.stats.peers.map((p) => p.asn), [64496]);
  t.is(reader.stats.ribEntries, 5000);
});

test('gzip, bzip2 and plain MRT files are recognised by content', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'h3-mrt-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const table = syntheticTable({ ipv4: 500, ipv6: 500, seed: 9 });
  for (const [name, compression] of [['t.mrt', 'none'], ['t.mrt.gz', 'gzip'], ['t.mrt.bz2', 'bzip2']] as const) {
    const path = join(dir, name);
    await writeMrtFile(path, table, writeOptions);
    const read = await readMrtFile(path);
    t.is(read.compression, compression);
    t.deepEqual(routes(read.table, true), routes(table), name);
  }
});

test('bad MRT input gives one clear error naming the file and record', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'h3-mrt-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const truncated = join(dir, 'truncated.mrt');
  const bytes = Buffer.concat([...writeMrtTable(syntheticTable({ ipv4: 10, ipv6: 0, seed: 1 }), writeOptions)]);
  await writeFile(truncated, bytes.subarray(0, bytes.length - 5));
  await t.throwsAsync(readMrtFile(truncated), { message: new RegExp(`${truncated}: MRT record \\d+: truncated`) });
  const empty = join(dir, 'empty.mrt');
  await writeFile(empty, new Uint8Array(0));
  await t.throwsAsync(readMrtFile(empty), { message: /no TABLE_DUMP_V2 unicast RIB entries/ });
  await t.throwsAsync(readMrtFile(join(dir, 'missing.mrt')), { message: /missing\.mrt: no such file/ });
  const badBzip = join(dir, 'bad.bz2');
  await writeFile(badBzip, Buffer.from('BZh9 not really'));
  await t.throwsAsync(readMrtFile(badBzip), { message: /bad\.bz2: bzip2 -dc failed/ });
});

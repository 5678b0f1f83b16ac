import test from 'ava';
import { Afi } from '../bgp/types.js';
import { decodePrefixes, prefixToString } from '../bgp/nlri.js';
import { asPathLength } from '../bgp/as-path.js';
import { lengthCounts, MAX_IPV4_PREFIXES, SYNTHETIC_ASN_BLOCK, syntheticTable } from './synthetic.js';
import type { Table } from './table.js';

function flatten(table: Table) {
  const prefixes: { afi: Afi; text: string; len: number; bytes: Uint8Array }[] = [];
  for (const g of table.groups) {
    for (const p of decodePrefixes(g.nlri, 0, g.nlri.length, g.afi)) prefixes.push({ afi: p.afi, text: prefixToString(p), len: p.len, bytes: p.bytes });
  }
  return prefixes;
}

test('prefixes are distinct, inside the lab ranges, and the table is reproducible from its seed', (t) => {
  const table = syntheticTable({ ipv4: 5000, ipv6: 3000, seed: 42 });
  const all = flatten(table);
  t.is(all.length, 8000);
  t.is(new Set(all.map((p) => p.text)).size, 8000);
  for (const p of all) {
    if (p.afi === Afi.IPv4) t.true(p.len >= 15 && p.bytes[0] === 198 && (p.bytes[1] ?? 0) >> 1 === 9, p.text);
    else t.true(p.len >= 32 && p.bytes[0] === 0x20 && p.bytes[1] === 0x01 && p.bytes[2] === 0x0d && p.bytes[3] === 0xb8, p.text);
  }
  t.deepEqual(flatten(syntheticTable({ ipv4: 5000, ipv6: 3000, seed: 42 })).map((p) => p.text), all.map((p) => p.text));
  t.notDeepEqual(flatten(syntheticTable({ ipv4: 5000, ipv6: 3000, seed: 43 })).map((p) => p.text), all.map((p) => p.text));
});

test('small tables keep the real length shape: /24 leads IPv4 (within the /15’s room), /48 leads IPv6', (t) => {
  const all = flatten(syntheticTable({ ipv4: 700, ipv6: 20_000, seed: 1 }));
  const count = (afi: Afi, len: number) => all.filter((p) => p.afi === afi && p.len === len).length;
  t.true(count(Afi.IPv4, 24) >= 0.6 * 700 && count(Afi.IPv4, 24) <= 512);
  t.true(count(Afi.IPv4, 22) > count(Afi.IPv4, 20));
  t.true(count(Afi.IPv6, 48) > 0.5 * 20_000);
  t.true(count(Afi.IPv6, 44) > count(Afi.IPv6, 40));
});

test('AS paths: mean length 4–5 including our AS, ASNs only from the reserved synthetic block', (t) => {
  const table = syntheticTable({ ipv4: 20_000, ipv6: 5_000, seed: 7 });
  let sum = 0;
  let n = 0;
  for (const g of table.groups) {
    sum += (asPathLength(g.attrs.asPath) + 1) * g.count;
    n += g.count;
    for (const asn of g.attrs.asPath.flatMap((s) => s.asns)) t.true(asn >= SYNTHETIC_ASN_BLOCK.first && asn <= SYNTHETIC_ASN_BLOCK.last);
  }
  t.true(sum / n > 4 && sum / n < 5, `mean ${sum / n}`);
  t.true(table.groups.length > 1000, 'many distinct paths');
});

test('length counts spill to longer lengths when the base prefix is full', (t) => {
  const counts = lengthCounts(1000, [[24, 1]], 15, 32);
  t.is(counts.get(24), 512);
  t.is(counts.get(25), 488);
  const everything = lengthCounts(MAX_IPV4_PREFIXES, [[24, 1]], 15, 32);
  t.is([...everything.values()].reduce((a, b) => a + b, 0), MAX_IPV4_PREFIXES);
  t.is(everything.get(15), 1);
  t.is(everything.get(32), 2 ** 17);
});

test('an IPv4 table larger than the lab range holds is refused with the reason', (t) => {
  t.throws(() => syntheticTable({ ipv4: MAX_IPV4_PREFIXES + 1, ipv6: 0 }), { message: /0\.\.262143 \(all distinct prefixes inside the lab range 198\.18\.0\.0\/15\)/ });
});

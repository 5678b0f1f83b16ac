import test from 'ava';
import { Afi } from '../bgp/types.js';
import { decodePrefixes, prefixToString } from '../bgp/nlri.js';
import { dfzTable } from './dfz.js';
import { countOutsideLabRanges } from './lab-range.js';

function flatten(table: ReturnType<typeof dfzTable>) {
  const out: { afi: Afi; text: string; len: number; bytes: Uint8Array }[] = [];
  for (const g of table.groups) for (const p of decodePrefixes(g.nlri, 0, g.nlri.length, g.afi)) out.push({ afi: p.afi, text: prefixToString(p), len: p.len, bytes: p.bytes });
  return out;
}

test('DFZ shape: distinct prefixes, reproducible from the seed, none in the lab ranges or special-purpose IPv4 blocks', (t) => {
  const table = dfzTable({ ipv4: 20_000, ipv6: 5_000, seed: 3 });
  const all = flatten(table);
  t.is(all.length, 25_000);
  t.is(new Set(all.map((p) => p.text)).size, 25_000);
  t.is(countOutsideLabRanges(table), 25_000);
  for (const p of all) {
    if (p.afi === Afi.IPv4) {
      const a = p.bytes[0];
      t.true(a !== 0 && a !== 10 && a !== 127 && a < 224, p.text);
      t.false(a === 198 && ((p.bytes[1] ?? 0) & 0xfe) === 18, p.text);
      t.false(a === 192 && p.bytes[1] === 168, p.text);
    } else {
      t.is(p.bytes[0] >> 5, 1, p.text); // inside 2000::/3
      t.false(p.bytes[0] === 0x20 && p.bytes[1] === 0x01 && p.bytes[2] === 0x0d && p.bytes[3] === 0xb8, p.text);
    }
  }
  t.deepEqual(flatten(dfzTable({ ipv4: 20_000, ipv6: 5_000, seed: 3 })).map((p) => p.text), all.map((p) => p.text));
});

test('DFZ shape: /24 about 60 % of IPv4 and nothing longer, IPv6 mean length about 43, about 11 prefixes per path, spread over many /16s', (t) => {
  const table = dfzTable({ ipv4: 50_000, ipv6: 10_000, seed: 1 });
  const all = flatten(table);
  const v4 = all.filter((p) => p.afi === Afi.IPv4);
  const v6 = all.filter((p) => p.afi === Afi.IPv6);
  const share24 = v4.filter((p) => p.len === 24).length / v4.length;
  t.true(share24 > 0.55 && share24 < 0.65, String(share24));
  t.true(v4.every((p) => p.len <= 24));
  const mean6 = v6.reduce((n, p) => n + p.len, 0) / v6.length;
  t.true(mean6 > 42 && mean6 < 44.5, String(mean6));
  const paths = new Set(table.groups.map((g) => g.attrs)).size;
  t.true(60_000 / paths > 8 && 60_000 / paths < 14, String(60_000 / paths));
  t.true(new Set(v4.map((p) => `${p.bytes[0]}.${p.bytes[1]}`)).size > 20_000);
});

test('DFZ shape: sizes beyond its limits are refused with the limit named', (t) => {
  t.throws(() => dfzTable({ ipv4: 3_000_000, ipv6: 0 }), { message: /ipv4 must be 0\.\.2000000/ });
});

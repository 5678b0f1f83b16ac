import test from 'ava';
import { Afi } from '../bgp/types.js';
import type { Table } from './table.js';
import { countOutsideLabRanges } from './lab-range.js';
import { syntheticTable } from './synthetic.js';

const one = (afi: Afi, nlri: number[], count: number): Table => ({ groups: [{ afi, attrs: { asPath: [] }, nlri: Uint8Array.from(nlri), count }], ipv4: 0, ipv6: 0 });

test('synthetic tables are entirely inside the lab ranges; other prefixes are counted', (t) => {
  t.is(countOutsideLabRanges(syntheticTable({ ipv4: 2_000, ipv6: 2_000, seed: 2 })), 0);
  // 198.18.0.0/16 and 198.19.0.0/16 inside, 198.16.0.0/14 and 198.20.0.0/16 outside.
  t.is(countOutsideLabRanges(one(Afi.IPv4, [16, 198, 18, 16, 198, 19, 14, 198, 16, 16, 198, 20], 4)), 2);
  // 2001:db8::/32 inside; 2001:db9::/32 and 2001:d00::/24 outside.
  t.is(countOutsideLabRanges(one(Afi.IPv6, [32, 0x20, 0x01, 0x0d, 0xb8, 32, 0x20, 0x01, 0x0d, 0xb9, 24, 0x20, 0x01, 0x0d], 3)), 2);
});

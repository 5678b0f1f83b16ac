/**
 * The sorter's scope (sorter.ts scopeLength over PrefixTrie.uniformLength) against
 * a brute-force oracle: random tables of nested more-specifics (announced and some
 * withdrawn again through the Rib), random clients and subnet clients, IPv4 and IPv6.
 *
 * Oracle, from the definition: the scope of a client is the shortest ℓ ≥ the
 * matched length such that every address of client/ℓ has the matched prefix as its
 * longest match. Only the client itself and the first address of each table prefix
 * inside client/ℓ need checking: a more-specific either covers the client or has its
 * first address inside the region.
 */
import test from 'ava';
import fc from 'fast-check';
import { Rib } from '../rib/rib.js';
import { path, prefix } from '../../testing/rib/test-helpers.js';
import { Sorter } from './sorter.js';

interface Fam {
  bits: number;
  /** Every table prefix lies inside base/baseLen, so prefixes nest and overlap often. */
  base: bigint;
  baseLen: number;
  format(a: bigint, len: number): string;
}

const V4: Fam = {
  bits: 32,
  base: 0xc6120000n, // 198.18.0.0
  baseLen: 15,
  format: (a, len) => `${[24n, 16n, 8n, 0n].map((s) => (a >> s) & 255n).join('.')}/${len}`,
};
const V6: Fam = {
  bits: 128,
  base: 0x20010db8n << 96n, // 2001:db8::
  baseLen: 32,
  format: (a, len) => {
    const groups: string[] = [];
    for (let s = 112n; s >= 0n; s -= 16n) groups.push(((a >> s) & 0xffffn).toString(16));
    return `${groups.join(':')}/${len}`;
  },
};

const mask = (f: Fam, a: bigint, len: number): bigint => (len === 0 ? 0n : (a >> BigInt(f.bits - len)) << BigInt(f.bits - len));
const covers = (f: Fam, p: { addr: bigint; len: number }, a: bigint): boolean => mask(f, a, p.len) === p.addr;

function longest(f: Fam, table: { addr: bigint; len: number }[], a: bigint, maxLen: number): { addr: bigint; len: number } | undefined {
  let best: { addr: bigint; len: number } | undefined;
  for (const p of table) if (p.len <= maxLen && covers(f, p, a) && (!best || p.len > best.len)) best = p;
  return best;
}

/** The oracle: scope length for client `a` limited to `maxLen` bits, or undefined without a match. */
function oracleScope(f: Fam, table: { addr: bigint; len: number }[], a: bigint, maxLen: number): number | undefined {
  const key = mask(f, a, maxLen);
  const m = longest(f, table, key, maxLen);
  if (!m) return undefined;
  for (let l = m.len; l <= f.bits; l++) {
    const region = { addr: mask(f, key, l), len: l };
    const probes = [key, ...table.filter((p) => p.len >= l && covers(f, region, p.addr)).map((p) => p.addr)];
    if (probes.every((x) => longest(f, table, x, f.bits) === m)) return l;
  }
  return f.bits;
}

/** A random prefix inside the family's base, often nested in an earlier one. */
const prefixArb = (f: Fam) =>
  fc.record({ len: fc.integer({ min: f.baseLen, max: Math.min(f.bits, f.baseLen + 24) }), bits: fc.bigInt({ min: 0n, max: (1n << BigInt(f.bits - f.baseLen)) - 1n }) });

function scenario(f: Fam) {
  return fc.record({
    prefixes: fc.array(prefixArb(f), { minLength: 1, maxLength: 40 }),
    withdraw: fc.array(fc.nat(), { maxLength: 10 }),
    clients: fc.array(fc.record({ pick: fc.nat(), offset: fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }), subnet: fc.option(fc.integer({ min: 0, max: f.bits })) }), { minLength: 1, maxLength: 20 }),
  });
}

function check(f: Fam) {
  return (s: { prefixes: { len: number; bits: bigint }[]; withdraw: number[]; clients: { pick: number; offset: bigint; subnet: number | null }[] }) => {
    const rib = new Rib({ localAsn: 64500 });
    const peer = rib.addPeer({ address: '198.18.1.1', asn: 64501 });
    rib.peerUp(peer, '198.18.255.1');
    const sorter = new Sorter(rib);
    const table = new Map<string, { addr: bigint; len: number }>();
    for (const p of s.prefixes) {
      const addr = mask(f, f.base | p.bits, p.len);
      const text = f.format(addr, p.len);
      table.set(text, { addr, len: p.len });
      rib.update(peer, path([64501, 64510]), [prefix(text)]);
    }
    const texts = [...table.keys()];
    for (const w of s.withdraw) {
      const text = texts[w % texts.length];
      if (!table.delete(text)) continue;
      rib.withdraw(peer, [prefix(text)]);
    }
    const live = [...table.values()];
    for (const c of s.clients) {
      // Clients near a table prefix (its first address plus an offset) hit nesting edges far more often than uniform ones.
      const near = live.length > 0 ? live[c.pick % live.length].addr : f.base;
      const a = (near + (c.offset % (1n << BigInt(f.bits - f.baseLen)))) & ((1n << BigInt(f.bits)) - 1n);
      const clientText = f.format(a, f.bits).replace(/\/\d+$/, '');
      const maxLen = c.subnet ?? f.bits;
      const got = sorter.rankNow(c.subnet === null ? { client: clientText, candidates: [] } : { client: clientText, clientPrefixLen: c.subnet, candidates: [] });
      const want = oracleScope(f, live, a, maxLen);
      if (got.scopeLength !== want) throw new Error(`client ${clientText}/${maxLen}: scope ${got.scopeLength}, oracle ${want} (matched ${got.matchedPrefix}; table ${[...table.keys()].join(' ')})`);
    }
  };
}

test('IPv4: the scope is the shortest prefix around the client with one longest match (random nested tables)', (t) => {
  fc.assert(fc.property(scenario(V4), check(V4)), { numRuns: 300 });
  t.pass();
});

test('IPv6: the scope is the shortest prefix around the client with one longest match (random nested tables)', (t) => {
  fc.assert(fc.property(scenario(V6), check(V6)), { numRuns: 300 });
  t.pass();
});

test('a more-specific beneath the match narrows the scope of clients outside it, and is the scope inside it', (t) => {
  const rib = new Rib({ localAsn: 64500 });
  const p = rib.addPeer({ address: '198.18.1.1', asn: 64501 });
  rib.peerUp(p, '198.18.255.1');
  rib.update(p, path([64501, 64521]), [prefix('198.19.1.0/24')]);
  rib.update(p, path([64501, 64522]), [prefix('198.19.1.128/25')]);
  const sorter = new Sorter(rib);
  t.is(sorter.rankNow({ client: '198.19.1.10', candidates: [] }).scopeLength, 25);
  t.is(sorter.rankNow({ client: '198.19.1.130', candidates: [] }).scopeLength, 25);
  // A /24 subnet client cannot see the /25: answered for the /24, scope 25 says "not specific enough" (RFC 7871 §7.2.1).
  t.is(sorter.rankNow({ client: '198.19.1.0', clientPrefixLen: 24, candidates: [] }).scopeLength, 25);
  rib.withdraw(p, [prefix('198.19.1.128/25')]);
  t.is(sorter.rankNow({ client: '198.19.1.10', candidates: [] }).scopeLength, 24);
});

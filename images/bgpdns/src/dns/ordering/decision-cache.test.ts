import test from 'ava';
import { DecisionCache, type CachedDecision, type CachedRanking } from './decision-cache.js';
import { clientFromSource } from './client-address.js';

const decision = (from?: CachedRanking): CachedDecision => ({ groups: [[0], [1]], scope: 24, at: 0, refreshAt: 1e9, refreshing: false, from });
const ranking = (): CachedRanking => ({ preferences: new Map([[64501, 1000]]), scope: 24, at: 0, refreshAt: 1e9, refreshing: false });

test('a full cache drops the decisions made from rankings first; rankings, asked decisions and upstreams stay', (t) => {
  const cache = new DecisionCache(100);
  cache.setOwner('198.19.201.7', 64501, 0);
  // 10 scopes with a ranking each and 8 decisions made from it: 90 entries.
  for (let i = 0; i < 10; i++) {
    const client = clientFromSource(`198.18.${i}.1`);
    const r = ranking();
    cache.storeRanking(client, r);
    for (let k = 0; k < 8; k++) cache.store(client, 24, `name${k}`, decision(r));
  }
  // One scope with decisions the sorter gave for each RRset (no ranking): 10 more, 100 in all.
  const asked = clientFromSource('198.18.100.1');
  for (let k = 0; k < 10; k++) cache.store(asked, 24, `name${k}`, decision());
  t.is(cache.decisions, 100);
  cache.store(asked, 24, 'one-more', decision());
  t.is(cache.decisions, 10 + 11, 'the 80 made from rankings went; 10 rankings and 11 asked decisions stay');
  t.truthy(cache.entryOf(clientFromSource('198.18.3.9'))?.ranking);
  t.is(cache.lookup(clientFromSource('198.18.3.9'), 'name1'), undefined);
  t.truthy(cache.lookup(clientFromSource('198.18.100.9'), 'name1'));
  t.is(cache.ownerOf('198.19.201.7', 0, 60_000), 64501);
});

test('a full cache with few decisions made from rankings starts afresh', (t) => {
  const cache = new DecisionCache(20);
  const asked = clientFromSource('198.18.100.1');
  for (let k = 0; k < 20; k++) cache.store(asked, 24, `name${k}`, decision());
  cache.store(asked, 24, 'one-more', decision());
  t.is(cache.decisions, 1);
});

test('a new ranking for a scope drops the decisions made from the old one', (t) => {
  const cache = new DecisionCache();
  const client = clientFromSource('198.18.7.1');
  const old = ranking();
  cache.storeRanking(client, old);
  cache.store(client, 24, 'www', decision(old));
  t.is(cache.decisions, 2);
  cache.storeRanking(client, ranking());
  t.is(cache.lookup(client, 'www'), undefined);
  t.is(cache.decisions, 1);
});

/** A changed table prefix as the changes answer names it. */
const v4Change = (a: number, b: number, c: number, len: number) => ({ family: 4 as const, len, words: Uint32Array.of(((198 << 24) | (a << 16) | (b << 8) | c) >>> 0, 0, 0, 0) });
const v6Change = (word1: number, len: number) => ({ family: 6 as const, len, words: Uint32Array.of(0x20010db8, word1, 0, 0) });

test('a changed prefix drops exactly the scopes it covers or lies inside, found by key when fewer than the entries', (t) => {
  const cache = new DecisionCache();
  // 512 /24 scopes in 198.18.0.0/15, a /20 scope, and IPv6 /48 scopes.
  for (let i = 0; i < 512; i++) cache.store(clientFromSource(`198.${18 + (i >> 8)}.${i & 255}.1`), 24, 'www', decision());
  cache.store(clientFromSource('198.19.64.1'), 20, 'www', decision());
  for (let i = 0; i < 8; i++) cache.store(clientFromSource(`2001:db8:${(0x40 + i).toString(16)}::1`), 48, 'www', decision());
  t.is(cache.decisions, 521);
  // A /22: four /24s inside it (looked up one by one: 4 < 256 entries), nothing covers it.
  t.is(cache.dropOverlapping([v4Change(18, 4, 0, 22)]), 4);
  t.is(cache.lookup(clientFromSource('198.18.5.9'), 'www'), undefined);
  t.truthy(cache.lookup(clientFromSource('198.18.8.9'), 'www'));
  // A /24 inside the /20 scope drops it, and its own /24 scope.
  t.is(cache.dropOverlapping([v4Change(19, 66, 0, 24)]), 2);
  t.is(cache.lookup(clientFromSource('198.19.66.9'), 'www'), undefined);
  t.truthy(cache.lookup(clientFromSource('198.19.64.9'), 'www'), 'its own /24 is still cached');
  // IPv6: a /46 covers the /48s 2001:db8:40::/48 … :43::/48 (keys looked up), not :44:: and beyond.
  t.is(cache.dropOverlapping([v6Change(0x00400000, 46)]), 4);
  t.is(cache.lookup(clientFromSource('2001:db8:43::1'), 'www'), undefined);
  t.truthy(cache.lookup(clientFromSource('2001:db8:44::1'), 'www'));
  // A /16 is wider than the entries it could hold: the /24 entries are scanned instead, same result.
  t.is(cache.dropOverlapping([v4Change(19, 0, 0, 16)]), 255);
  t.is(cache.decisions, 521 - 4 - 2 - 4 - 255);
});

test('a burst of changes within the work budget is dropped per scope; one past it clears the cache', (t) => {
  const cache = new DecisionCache();
  for (let i = 0; i < 256; i++) cache.store(clientFromSource(`198.18.${i}.1`), 24, 'www', decision());
  // 2,000 changed /24s elsewhere (198.19/16): one lookup each per cached length.
  const burst = Array.from({ length: 2000 }, (_, i) => v4Change(19, i & 255, 0, 24));
  t.is(cache.dropOverlapping(burst), 0);
  t.is(cache.decisions, 256);
  // Prefixes as wide as the entries they could hold, none of them cached: each scans all 256.
  const wide = Array.from({ length: 400 }, () => v4Change(19, 0, 0, 16));
  t.is(cache.dropOverlapping(wide), -1);
  t.is(cache.decisions, 0);
});

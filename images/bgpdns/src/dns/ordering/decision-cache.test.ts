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

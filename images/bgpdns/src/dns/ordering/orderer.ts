/**
 * Decides the order of an A/AAAA RRset for a client (slides 15–21, 33, 35).
 *
 * - A cached decision for the client's matched prefix, RRset and the current
 *   RIB generation is used at once, never waited on.
 * - Every question asks the sorter for the upstream section too (protocol §4.5):
 *   each candidate's upstream and the ranking of every upstream for the client's
 *   scope. Without a cached decision, a scope with a cached ranking orders any
 *   RRset whose candidates' upstreams are known without asking (rankingHits) —
 *   one sorter answer per client scope, not per (scope, RRset). Such decisions
 *   are cached tied to the ranking, which is refreshed once per scope.
 * - Every answer carries the RIB generation, so one background re-rank per
 *   `generationProbeMs` (riding on whatever query hits the cache) is enough to
 *   notice a routing change anywhere. A new generation makes the front ask the
 *   sorter which prefixes changed since the cache's generation (the changes
 *   query) and drop only the cached scopes that overlap one of them; when the
 *   sorter cannot name them (log overflow, restart) or does not answer (an older
 *   sorter without the changes query: then whole flushes for refreshAfterMs),
 *   the whole cache goes. Staleness bound while queries flow and the sorter
 *   answers: generationProbeMs + two sorter round trips, for every RRset alike.
 * - Each entry is also re-ranked in the background after `refreshAfterMs`
 *   (±25 % jitter, at most `maxRefreshesInFlight` at a time) — a safety net for
 *   a restarted sorter whose generation numbers start over. Entries older than
 *   `maxAgeMs` are not used (the sorter has then been unreachable that long).
 * - Otherwise the sorter is asked and awaited up to `timeoutMs` (default 50 ms:
 *   resolvers retry after a few hundred ms); on timeout or error the answer
 *   goes out in random order, and a late answer still fills the cache.
 * - `failuresToDefective` failures in a row (foreground queries and generation
 *   probes alike) mark the sorter defective: it is skipped — cached decisions too,
 *   so every answer goes out in random order — for a back-off that doubles on
 *   every failed probe up to `backoffMaxMs`; after the back-off one query probes
 *   it again, and a probe answered in time makes it trusted (and the cache used)
 *   again.
 * - Equal preferences are served in random order, like tinydns's shuffle.
 * - Scope (docs/dns-front.md): a ranked answer holds for the sorter's scope
 *   prefix (where every address has the same longest match), which is both the
 *   cache key and the ECS scope. An answer without a ranking (timeout,
 *   defective, no route, no sessions) is about this question only: its scope
 *   is the query's source length, never 0, and `capTtl` tells the
 *   backend to cap its TTL. ECS SOURCE 0 asks for an answer not tailored to
 *   any network: unranked, scope 0. An RRset over the protocol's limit is
 *   answered unranked without asking: the front's own limit, not a sorter failure.
 */
import type { Ranker, RankAnswer, RibChanges } from '../../sorter/api.js';
import { MAX_CANDIDATES } from '../../sorter/protocol-types.js';
import type { ClientAddress } from './client-address.js';
import { DecisionCache, type CachedDecision, type ScopeEntry } from './decision-cache.js';

export interface OrdererOptions {
  timeoutMs: number;
  failuresToDefective: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  generationProbeMs: number;
  refreshAfterMs: number;
  maxAgeMs: number;
  /** At most this many background refreshes in flight; more hits just use the cache. */
  maxRefreshesInFlight: number;
  /** TTL cap (s) of an RRset answered without a ranking, so resolvers ask again soon after the sorter is back. */
  unrankedTtl: number;
  now: () => number;
}

export const defaultOrdererOptions: Omit<OrdererOptions, 'now'> = {
  timeoutMs: 50,
  failuresToDefective: 3,
  backoffInitialMs: 500,
  // A probe costs one query at most timeoutMs; a longer back-off would keep answers unranked
  // (and their capped TTL) that much longer after the sorter is back (docs/dns-front.md).
  backoffMaxMs: 1000,
  generationProbeMs: 1000,
  refreshAfterMs: 10_000,
  maxAgeMs: 60_000,
  maxRefreshesInFlight: 64,
  unrankedTtl: 5,
};

export type OrderSource = 'cache' | 'sorter' | 'random';

export interface OrderDecision {
  /** Candidate indices, best first; a permutation of all candidates. */
  order: number[];
  /** ECS scope: the sorter's scope length; without one, the query's source length (0 only for ECS SOURCE 0). */
  scope: number;
  /**
   * True when a ranking was wanted and not given (sorter asked or skipped, no
   * preference): the backend caps the RRset's TTL at unrankedTtl. False for a
   * ranked order, and where nothing is ranked at all (no sorter configured, one address).
   */
  capTtl: boolean;
  source: OrderSource;
}

export type FallbackReason = 'timeout' | 'error' | 'defective' | 'no-preference' | 'probe-in-flight' | 'too-many-addresses' | 'ecs-source-zero';

/** Plain counters, read by the metrics module at scrape time. */
export class OrdererStats {
  sorterOk = 0;
  sorterTimeout = 0;
  sorterError = 0;
  lateAnswers = 0;
  cacheHits = 0;
  /** Ordered from the client scope's cached upstream ranking and the candidates' known upstreams (no sorter asked). */
  rankingHits = 0;
  /** Answered from the memory of a recent no-route / no-sessions answer. */
  unrankedHits = 0;
  cacheMisses = 0;
  cacheFlushes = 0;
  /** Changes queries sent on a new generation, and the decisions they dropped (the rest stayed cached). */
  changeSyncs = 0;
  scopedDrops = 0;
  backgroundRefreshes = 0;
  generationProbes = 0;
  fallbacks: Record<FallbackReason, number> = { timeout: 0, error: 0, defective: 0, 'no-preference': 0, 'probe-in-flight': 0, 'too-many-addresses': 0, 'ecs-source-zero': 0 };
  defective = false;
  defectiveEpisodes = 0;
  probes = 0;
  generation = -1;
  /** Called with each answered request's latency in seconds. */
  onLatency: ((seconds: number) => void) | null = null;
}

function shuffleInPlace(a: number[]): number[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

export function randomOrder(n: number): number[] {
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return shuffleInPlace(a);
}

/** Higher preference first; equal preferences form one group. */
export function groupByPreference(preferences: number[]): number[][] | null {
  if (preferences.length === 0 || preferences.every((p) => p === preferences[0])) return null;
  const byPref = new Map<number, number[]>();
  preferences.forEach((p, i) => {
    const g = byPref.get(p);
    if (g) g.push(i);
    else byPref.set(p, [i]);
  });
  return [...byPref.keys()].sort((a, b) => b - a).map((p) => byPref.get(p)!);
}

export function orderFromGroups(groups: number[][] | null, n: number): number[] {
  if (!groups) return randomOrder(n);
  const out: number[] = [];
  for (const g of groups) {
    const start = out.length;
    for (const i of g) out.push(i);
    for (let i = out.length - 1; i > start; i--) {
      const j = start + Math.floor(Math.random() * (i - start + 1));
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
  }
  return out;
}

function matchedLength(prefix: string): number {
  const slash = prefix.lastIndexOf('/');
  return slash < 0 ? 0 : Number(prefix.slice(slash + 1)) || 0;
}

class TimeoutError extends Error {}

/**
 * Calls `fn` once `ms` have passed and the input that arrived meanwhile has been read.
 * Node runs due timers before it polls for I/O, so on a front whose event loop is
 * saturated the sorter's answer can sit unread in its socket when the deadline
 * fires; judged then, a sorter that answered in time would count as failed and,
 * three times in a row, be marked defective (seen in `bench dns`: 4.7 % of the
 * realistic workload's answers unsorted). The verdict waits one loop turn
 * (setImmediate runs after the poll phase), so an answer the kernel already holds
 * is in time. Returns the cancel function.
 */
function afterPendingInput(ms: number, fn: () => void): () => void {
  let immediate: NodeJS.Immediate | undefined;
  const timer = setTimeout(() => {
    immediate = setImmediate(fn);
  }, ms);
  return () => {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}

export class AddressOrderer {
  readonly stats = new OrdererStats();
  readonly cache = new DecisionCache();
  private readonly opts: OrdererOptions;
  private consecutiveFailures = 0;
  private defectiveUntil = 0;
  private backoffMs: number;
  private probeInFlight = false;
  private refreshesInFlight = 0;
  private lastAnswerAt = -Infinity;
  private generationProbeInFlight = false;
  private noSessionsUntil = 0;
  private readonly noRoute = new Map<string, number>();
  private noRouteGeneration = -1;
  /** A changes query is out (one at a time); the last newer generation an answer reported. */
  private changesInFlight = false;
  private newestGeneration = -1;
  /** After a changes query failed: whole flushes until then (an older sorter does not answer it). */
  private changesBackoffUntil = -Infinity;

  constructor(
    private readonly ranker: Ranker | null,
    opts: Partial<OrdererOptions> = {},
  ) {
    this.opts = { ...defaultOrdererOptions, now: () => performance.now(), ...opts };
    this.backoffMs = this.opts.backoffInitialMs;
  }

  get unrankedTtl(): number {
    return this.opts.unrankedTtl;
  }

  get enabled(): boolean {
    return this.ranker !== null;
  }

  get isDefective(): boolean {
    return this.stats.defective;
  }

  order(client: ClientAddress, rrsetKey: string, candidates: string[]): OrderDecision | Promise<OrderDecision> {
    const n = candidates.length;
    if (!this.ranker || n < 2) return { order: randomOrder(n), scope: client.prefixLen, capTtl: false, source: 'random' };
    if (client.isSubnet && client.prefixLen === 0) return this.fallback('ecs-source-zero', client, n);
    if (n > MAX_CANDIDATES) return this.fallback('too-many-addresses', client, n);
    const now = this.opts.now();
    // A sorter marked defective is not trusted for anything, cached decisions included
    // (slide 35: random order while it does not answer); the defective branch below
    // serves random order and probes it after the back-off.
    const scope = this.stats.defective ? undefined : this.cache.entryOf(client);
    const hit = scope?.decisions.get(rrsetKey);
    if (hit && now - hit.at <= this.opts.maxAgeMs) {
      this.stats.cacheHits++;
      // A decision made from the scope's ranking is refreshed through the ranking, once per scope.
      this.keepFresh(hit.from ?? hit, client, rrsetKey, candidates, now);
      return { order: orderFromGroups(hit.groups, n), scope: hit.scope, capTtl: hit.groups === null, source: 'cache' };
    }
    const derived = scope ? this.fromRanking(scope, rrsetKey, candidates, now) : undefined;
    if (derived) {
      this.stats.rankingHits++;
      this.keepFresh(derived.from!, client, rrsetKey, candidates, now);
      return { order: orderFromGroups(derived.groups, n), scope: derived.scope, capTtl: derived.groups === null, source: 'cache' };
    }
    const unranked = this.unrankedUntil(client, now);
    if (unranked) {
      this.stats.unrankedHits++;
      this.stats.fallbacks['no-preference']++;
      return { order: randomOrder(n), scope: client.prefixLen, capTtl: true, source: 'cache' };
    }
    this.stats.cacheMisses++;

    let isProbe = false;
    if (this.stats.defective) {
      if (now < this.defectiveUntil) return this.fallback('defective', client, n);
      if (this.probeInFlight) return this.fallback('probe-in-flight', client, n);
      this.probeInFlight = true;
      this.stats.probes++;
      isProbe = true;
    }
    return this.askWithTimeout(client, rrsetKey, candidates, isProbe);
  }

  /**
   * The background generation probe is also the front's health check of the sorter
   * while every client is served from the cache: no answer within timeoutMs counts as
   * a failure like a foreground timeout, so a frozen sorter is marked defective even
   * when no query misses the cache. A late answer still fills the cache but does not
   * count as a success.
   */
  private probeGeneration(client: ClientAddress, rrsetKey: string, candidates: string[]): void {
    this.generationProbeInFlight = true;
    this.stats.generationProbes++;
    let counted = false;
    const cancel = afterPendingInput(this.opts.timeoutMs, () => {
      counted = true;
      this.stats.sorterTimeout++;
      this.failed();
    });
    this.ask(client, rrsetKey, candidates).then(
      () => {
        cancel();
        if (!counted) this.succeeded();
        else this.stats.lateAnswers++;
        this.generationProbeInFlight = false;
      },
      () => {
        cancel();
        if (!counted) this.failed();
        this.generationProbeInFlight = false;
      },
    );
  }

  /**
   * On a cache hit: the generation probe when one is due, else a background refresh of
   * `item` (a decision, or the ranking a decision was made from) once it is due.
   */
  private keepFresh(item: { refreshAt: number; refreshing: boolean }, client: ClientAddress, rrsetKey: string, candidates: string[], now: number): void {
    if (now - this.lastAnswerAt >= this.opts.generationProbeMs && !this.generationProbeInFlight) {
      this.probeGeneration(client, rrsetKey, candidates);
      return;
    }
    if (now < item.refreshAt || item.refreshing || this.stats.defective || this.refreshesInFlight >= this.opts.maxRefreshesInFlight) return;
    item.refreshing = true;
    this.refreshesInFlight++;
    this.stats.backgroundRefreshes++;
    this.ask(client, rrsetKey, candidates).then(
      () => this.refreshesInFlight--,
      () => {
        this.refreshesInFlight--;
        item.refreshing = false;
      },
    );
  }

  /**
   * The decision for `candidates` from the client scope's upstream ranking, when the
   * sorter gave one (protocol §4.5) and every candidate's upstream is known: exactly the
   * order the sorter would give (a candidate's preference is its upstream's; none = 0).
   * It is cached for the RRset tied to the ranking (`from`): it expires with it, is
   * refreshed through it, and goes when a new ranking for the scope comes.
   */
  private fromRanking(scope: ScopeEntry, rrsetKey: string, candidates: string[], now: number): CachedDecision | undefined {
    const ranking = scope.ranking;
    if (!ranking || now - ranking.at > this.opts.maxAgeMs) return undefined;
    const n = candidates.length;
    const preferences: number[] = [];
    for (let i = 0; i < n; i++) {
      const owner = this.cache.ownerOf(candidates[i], now, this.opts.maxAgeMs);
      if (owner === undefined) return undefined;
      const p = owner === 0 ? 0 : ranking.preferences.get(owner);
      if (p === undefined) return undefined;
      preferences.push(p);
    }
    const decision: CachedDecision = { groups: groupByPreference(preferences), scope: ranking.scope, at: ranking.at, refreshAt: ranking.refreshAt, refreshing: false, from: ranking };
    this.cache.storeDerived(scope, rrsetKey, decision);
    return decision;
  }

  /** Random order for this question only: scope = the query's source length (0 only for ECS SOURCE 0), TTL capped. */
  private fallback(reason: FallbackReason, client: ClientAddress, n: number): OrderDecision {
    this.stats.fallbacks[reason]++;
    return { order: randomOrder(n), scope: client.prefixLen, capTtl: true, source: 'random' };
  }

  private async askWithTimeout(client: ClientAddress, rrsetKey: string, candidates: string[], isProbe: boolean): Promise<OrderDecision> {
    const n = candidates.length;
    let cancel: () => void = () => undefined;
    const timeout = new Promise<never>((_, reject) => {
      cancel = afterPendingInput(this.opts.timeoutMs, () => reject(new TimeoutError()));
    });
    const asked = this.ask(client, rrsetKey, candidates);
    let timedOut = false;
    try {
      const decision = await Promise.race([asked, timeout]);
      this.succeeded();
      if (!decision.groups) this.stats.fallbacks['no-preference']++;
      return { order: orderFromGroups(decision.groups, n), scope: decision.scope, capTtl: decision.groups === null, source: 'sorter' };
    } catch (e) {
      timedOut = e instanceof TimeoutError;
      if (timedOut) {
        this.stats.sorterTimeout++;
        asked.then(
          () => this.stats.lateAnswers++,
          () => undefined,
        );
      }
      this.failed();
      return this.fallback(timedOut ? 'timeout' : 'error', client, n);
    } finally {
      cancel();
      if (isProbe) this.probeInFlight = false;
    }
  }

  /** Asks the ranker and caches what it says; rejects on ranker errors. */
  private async ask(client: ClientAddress, rrsetKey: string, candidates: string[]): Promise<CachedDecision> {
    const started = this.opts.now();
    let answer: RankAnswer;
    try {
      answer = await this.ranker!.rank(
        client.isSubnet ? { client: client.text, clientPrefixLen: client.prefixLen, candidates, upstreams: true } : { client: client.text, candidates, upstreams: true },
        { timeoutMs: Math.max(this.opts.timeoutMs, 1000) },
      );
    } catch (e) {
      this.stats.sorterError++;
      throw e;
    }
    this.stats.sorterOk++;
    this.lastAnswerAt = this.opts.now();
    this.stats.onLatency?.((this.lastAnswerAt - started) / 1000);
    this.syncGeneration(answer.generation);
    this.stats.generation = answer.generation;
    const usable = answer.status === 'ranked' && answer.preferences.length === candidates.length;
    // A version 1 sorter gives no scope: its matched prefix is the best it can say.
    const scope = answer.matchedPrefix ? (answer.scopeLength ?? matchedLength(answer.matchedPrefix)) : client.prefixLen;
    const decision: CachedDecision = {
      groups: usable ? groupByPreference(answer.preferences) : null,
      scope,
      at: this.opts.now(),
      refreshAt: this.opts.now() + this.opts.refreshAfterMs * (0.75 + Math.random() / 2),
      refreshing: false,
    };
    if (answer.matchedPrefix) {
      if (answer.owners && answer.upstreamRanking && answer.owners.length === candidates.length) {
        // The scope's ranking orders this RRset and every other one (fromRanking): no decision per RRset.
        for (let i = 0; i < candidates.length; i++) this.cache.setOwner(candidates[i], answer.owners[i], decision.at);
        const preferences = new Map<number, number>();
        for (const u of answer.upstreamRanking) preferences.set(u.asn, u.preference);
        this.cache.storeRanking(client, { preferences, scope, at: decision.at, refreshAt: decision.refreshAt, refreshing: false });
      } else this.cache.store(client, scope, rrsetKey, decision);
    } else this.rememberUnranked(answer, client);
    return decision;
  }

  /**
   * A newer generation than the cache's: ask which prefixes changed since and drop
   * just their scopes (applyChanges). An older one (a restarted sorter), a cache
   * with no generation yet, or a ranker without the changes query: flush as before.
   */
  private syncGeneration(generation: number): void {
    const cache = this.cache;
    if (cache.generation === generation) return;
    const ranker = this.ranker;
    if (cache.generation === null || generation < cache.generation || !ranker?.changesSince || this.opts.now() < this.changesBackoffUntil) {
      if (!this.changesInFlight && cache.observeGeneration(generation)) this.stats.cacheFlushes++;
      return;
    }
    this.newestGeneration = generation;
    if (this.changesInFlight) return;
    this.changesInFlight = true;
    this.stats.changeSyncs++;
    ranker.changesSince(cache.generation, { timeoutMs: Math.max(this.opts.timeoutMs, 1000) }).then(
      (changes) => this.applyChanges(changes),
      () => {
        this.changesBackoffUntil = this.opts.now() + this.opts.refreshAfterMs;
        this.applyChanges({ generation: this.newestGeneration, changed: 'all' });
      },
    );
  }

  private applyChanges(changes: RibChanges): void {
    this.changesInFlight = false;
    const cache = this.cache;
    const dropped = changes.changed === 'all' ? -1 : cache.dropOverlapping(changes.changed);
    if (dropped < 0) {
      cache.clear();
      this.stats.cacheFlushes++;
    } else this.stats.scopedDrops += dropped;
    // Answers newer than this that came meanwhile are cached as they are; the next answer
    // (a probe within generationProbeMs at the latest) starts the next sync.
    cache.generation = changes.generation;
    // One page of a longer list: the next page at once (the sorter is past this generation).
    if (changes.more && changes.changed !== 'all') this.syncGeneration(Math.max(this.newestGeneration, changes.generation + 1));
  }

  /**
   * Answers without a matched prefix cannot go into the prefix cache, yet they
   * are just as stable: no sessions (for everyone) or no route (for that client)
   * hold until the generation moves. They are remembered for generationProbeMs so
   * a lab full of clients outside the table does not ask the sorter per query.
   */
  private rememberUnranked(answer: RankAnswer, client: ClientAddress): void {
    this.syncUnrankedGeneration();
    const until = this.opts.now() + this.opts.generationProbeMs;
    if (answer.status === 'no-sessions') this.noSessionsUntil = until;
    else if (answer.status === 'no-route') {
      if (this.noRoute.size >= 10_000) this.noRoute.clear();
      this.noRoute.set(`${client.text}/${client.prefixLen}`, until);
    }
  }

  private syncUnrankedGeneration(): void {
    if (this.noRouteGeneration === this.stats.generation) return;
    this.noRoute.clear();
    this.noSessionsUntil = 0;
    this.noRouteGeneration = this.stats.generation;
  }

  private unrankedUntil(client: ClientAddress, now: number): boolean {
    this.syncUnrankedGeneration();
    if (now < this.noSessionsUntil) return true;
    if (this.noRoute.size === 0) return false;
    const until = this.noRoute.get(`${client.text}/${client.prefixLen}`);
    return until !== undefined && now < until;
  }

  private succeeded(): void {
    this.consecutiveFailures = 0;
    if (this.stats.defective) {
      this.stats.defective = false;
      this.backoffMs = this.opts.backoffInitialMs;
    }
  }

  private failed(): void {
    this.consecutiveFailures++;
    const now = this.opts.now();
    if (this.stats.defective) {
      this.backoffMs = Math.min(this.backoffMs * 2, this.opts.backoffMaxMs);
      this.defectiveUntil = now + this.backoffMs;
    } else if (this.consecutiveFailures >= this.opts.failuresToDefective) {
      this.stats.defective = true;
      this.stats.defectiveEpisodes++;
      this.backoffMs = this.opts.backoffInitialMs;
      this.defectiveUntil = now + this.backoffMs;
    }
  }
}

/**
 * Decisions per (scope prefix, RRset), valid for one RIB generation.
 *
 * The sorter tells us the scope of its answer: the prefix around the client
 * inside which every address has the same longest match (the matched prefix
 * minus the more-specifics beneath it), so the same answer. Before asking it
 * we do not know that prefix, so the cache keeps its own longest-prefix-match
 * table of the scopes the sorter has returned: a client inside a known scope
 * gets that scope's cached decision without waiting. An entry is used only
 * when the client (or its ECS subnet) lies wholly inside the scope prefix.
 * When an answer reports another generation, the front learns which prefixes
 * changed since (the sorter's changes answer) and drops only the scopes that
 * overlap one of them (dropOverlapping): a scope's answer reads only the paths
 * of prefixes covering it (its longest match and that prefix's covering
 * parents) and is split only by a prefix inside it, so a change to a prefix
 * disjoint from the scope leaves its answer as it was. When the changes cannot
 * be named (log overflow, a restarted sorter, an older sorter) everything goes.
 *
 * Beside the decisions per RRset, a scope can hold the sorter's ranking of every
 * upstream for it, and the cache knows which upstream each candidate address
 * belongs to (protocol §4.5): a client inside a scope with a ranking then gets any
 * RRset whose candidates' upstreams are known ordered without asking — one sorter
 * answer per client scope instead of one per (scope, RRset). `decisions` counts
 * both kinds of entries. Which upstream a candidate belongs to changes only with
 * a prefix an upstream originates itself, and for such a change the sorter's
 * changes answer is "all" (protocol §4.4): the whole cache goes, upstreams of
 * candidates with it.
 */
import type { ChangedPrefix } from '../../sorter/api.js';
import type { ClientAddress } from './client-address.js';

/**
 * Map lookups or entry visits one dropOverlapping may spend (a few ms of the front's
 * event loop); past it the cache is cleared instead — refilling is then cheaper than
 * sifting. Each changed prefix costs, per cached scope length, one lookup (scopes as
 * long as the prefix or shorter), or the fewer of the 2^(scope − len) keys inside it
 * and the entries of that length.
 */
const DROP_WORK_BUDGET = 50_000;
/** Candidate addresses whose upstream is remembered (a zone's distinct addresses); more: start afresh. */
const MAX_OWNERS = 100_000;

export interface CachedDecision {
  /** Candidate indices grouped by equal preference, best group first; null = no preference. */
  groups: number[][] | null;
  /** The sorter's scope length (ECS SCOPE PREFIX-LENGTH); the query's source length when the sorter gave none. */
  scope: number;
  /** When the sorter answered (monotonic ms). */
  at: number;
  /** When a hit should start a background refresh (jittered so entries made together do not refresh together). */
  refreshAt: number;
  refreshing: boolean;
  /** Made from this ranking of the scope (not asked): valid while it is the scope's ranking. */
  from?: CachedRanking;
}

/** The sorter's ranking of every upstream for one scope: upstream AS → preference. */
export interface CachedRanking {
  preferences: Map<number, number>;
  scope: number;
  at: number;
  refreshAt: number;
  refreshing: boolean;
}

/** What the cache holds for one scope prefix. */
export interface ScopeEntry {
  readonly decisions: Map<string, CachedDecision>;
  ranking?: CachedRanking;
}
type PrefixEntry = ScopeEntry;

/** A candidate address's upstream (0 = none), and when the sorter said so. */
interface OwnerEntry {
  asn: number;
  at: number;
}

export class DecisionCache {
  generation: number | null = null;
  private v4 = new Map<number, Map<number, PrefixEntry>>();
  private v4Lengths: number[] = [];
  private v6 = new Map<number, Map<string, PrefixEntry>>();
  private v6Lengths: number[] = [];
  private size = 0;
  private readonly owners = new Map<string, OwnerEntry>();

  constructor(private readonly maxDecisions = 200_000) {}

  get decisions(): number {
    return this.size;
  }

  /** Records the generation of a sorter answer; returns true when it flushed the cache. */
  observeGeneration(generation: number): boolean {
    if (this.generation === generation) return false;
    const flushed = this.generation !== null;
    this.clear();
    this.generation = generation;
    return flushed;
  }

  /**
   * Drops the decisions whose scope prefix overlaps (covers or lies inside) one of
   * `changed`; returns how many went, or -1 when it cleared everything instead.
   */
  dropOverlapping(changed: readonly ChangedPrefix[]): number {
    const before = this.size;
    const gone = (e: PrefixEntry): void => {
      this.size -= entrySize(e);
    };
    let work = 0;
    for (const c of changed) {
      if (c.family === 4) work += dropIn(this.v4, c.len, maskV4(c.words[0] >>> 0, Math.min(c.len, 32)), maskV4, maskV4, withBitsV4, gone);
      else work += dropIn(this.v6, c.len, wordsToBuffer(c.words), maskV6, maskV6Key, withBitsV6, gone);
      if (work > DROP_WORK_BUDGET) {
        this.clear();
        return -1;
      }
    }
    this.v4Lengths = this.v4Lengths.filter((len) => this.v4.has(len));
    this.v6Lengths = this.v6Lengths.filter((len) => this.v6.has(len));
    return before - this.size;
  }

  clear(): void {
    this.owners.clear();
    this.v4.clear();
    this.v6.clear();
    this.v4Lengths = [];
    this.v6Lengths = [];
    this.size = 0;
  }

  lookup(client: ClientAddress, rrsetKey: string): CachedDecision | undefined {
    return this.entryOf(client)?.decisions.get(rrsetKey);
  }

  /**
   * Stores a decision made from `entry`'s ranking (an entry entryOf found) without
   * looking the scope up again.
   */
  storeDerived(entry: ScopeEntry, rrsetKey: string, decision: CachedDecision): void {
    if (this.size >= this.maxDecisions && this.makeRoom()) return;
    if (!entry.decisions.has(rrsetKey)) this.size++;
    entry.decisions.set(rrsetKey, decision);
  }

  /** Stores a decision for every client inside `client`'s address cut to `scopeLength` bits. */
  store(client: ClientAddress, scopeLength: number, rrsetKey: string, decision: CachedDecision): void {
    const entry = this.entryFor(client, scopeLength);
    if (!entry) return;
    if (!entry.decisions.has(rrsetKey)) this.size++;
    entry.decisions.set(rrsetKey, decision);
  }

  /** Stores the sorter's upstream ranking for every client inside `client`'s address cut to its scope. */
  storeRanking(client: ClientAddress, ranking: CachedRanking): void {
    const entry = this.entryFor(client, ranking.scope);
    if (!entry) return;
    if (!entry.ranking) this.size++;
    // Decisions made from the old ranking go with it.
    this.size -= dropDerived(entry);
    entry.ranking = ranking;
  }

  /** A candidate address's upstream AS (0 = none), when known and not older than `maxAgeMs`. */
  ownerOf(candidate: string, now: number, maxAgeMs: number): number | undefined {
    const o = this.owners.get(candidate);
    return o && now - o.at <= maxAgeMs ? o.asn : undefined;
  }

  setOwner(candidate: string, asn: number, now: number): void {
    if (this.owners.size >= MAX_OWNERS) this.owners.clear();
    this.owners.set(candidate, { asn, at: now });
  }

  /**
   * The cache is full: the decisions made from rankings go first (any of them is made
   * again from its ranking in a few lookups); when they are less than a quarter of it,
   * everything goes (returns true: entries found before are no longer in the cache).
   */
  private makeRoom(): boolean {
    const before = this.size;
    for (const byLength of [this.v4, this.v6] as Map<number, Map<unknown, PrefixEntry>>[]) {
      for (const entries of byLength.values()) {
        for (const e of entries.values()) this.size -= dropDerived(e);
      }
    }
    if (before - this.size >= this.maxDecisions / 4) return false;
    this.clear();
    return true;
  }

  /** The entry of the longest stored scope that holds the client. */
  entryOf(client: ClientAddress): PrefixEntry | undefined {
    if (client.v4 !== null) {
      for (const len of this.v4Lengths) {
        if (len > client.prefixLen) continue;
        const entry = this.v4.get(len)!.get(maskV4(client.v4, len));
        if (entry) return entry;
      }
    } else if (client.v6) {
      for (const len of this.v6Lengths) {
        if (len > client.prefixLen) continue;
        const entry = this.v6.get(len)!.get(maskV6(client.v6, len));
        if (entry) return entry;
      }
    }
    return undefined;
  }

  /** The entry for `client`'s address cut to `scopeLength` bits, made when missing. */
  private entryFor(client: ClientAddress, scopeLength: number): PrefixEntry | undefined {
    if (this.size >= this.maxDecisions) this.makeRoom();
    let entry: PrefixEntry | undefined;
    if (client.v4 !== null) {
      const len = Math.min(scopeLength, 32);
      let byLen = this.v4.get(len);
      if (!byLen) {
        this.v4.set(len, (byLen = new Map()));
        this.v4Lengths = [...this.v4.keys()].sort((a, b) => b - a);
      }
      const key = maskV4(client.v4, len);
      entry = byLen.get(key);
      if (!entry) byLen.set(key, (entry = { decisions: new Map() }));
    } else if (client.v6) {
      const len = Math.min(scopeLength, 128);
      let byLen = this.v6.get(len);
      if (!byLen) {
        this.v6.set(len, (byLen = new Map()));
        this.v6Lengths = [...this.v6.keys()].sort((a, b) => b - a);
      }
      const key = maskV6(client.v6, len);
      entry = byLen.get(key);
      if (!entry) byLen.set(key, (entry = { decisions: new Map() }));
    }
    return entry;
  }
}

/**
 * Removes from one family's table every entry whose prefix overlaps (`addr`, `len`):
 * at scope lengths ≤ len the one entry covering it (a direct lookup); longer scopes
 * lie inside it, and their 2^(scope − len) possible keys are looked up when that is
 * fewer than the entries of that length, else those entries are scanned. Returns the
 * work spent (lookups and entries visited).
 */
function dropIn<A, K>(
  byLength: Map<number, Map<K, PrefixEntry>>,
  len: number,
  addr: A,
  mask: (a: A, l: number) => K,
  maskKey: (k: K, l: number) => K,
  withBits: (a: K, from: number, to: number, bits: number) => K,
  gone: (e: PrefixEntry) => void,
): number {
  let work = 0;
  const drop = (entries: Map<K, PrefixEntry>, key: K): void => {
    const e = entries.get(key);
    if (e === undefined) return;
    gone(e);
    entries.delete(key);
  };
  for (const [scope, entries] of byLength) {
    if (scope <= len) {
      work++;
      drop(entries, mask(addr, scope));
    } else {
      const base = mask(addr, len);
      const inside = scope - len <= 30 ? 2 ** (scope - len) : Infinity;
      if (inside < entries.size) {
        work += inside;
        for (let i = 0; i < inside; i++) drop(entries, withBits(base, len, scope, i));
      } else {
        work += entries.size;
        for (const [k, e] of entries) {
          if (maskKey(k, len) !== base) continue;
          gone(e);
          entries.delete(k);
        }
      }
    }
    if (entries.size === 0) byLength.delete(scope);
  }
  return work;
}

/** The IPv4 key with bits [from, to) set to `bits` (the rest as in `key`, which is masked to `from`). */
function withBitsV4(key: number, from: number, to: number, bits: number): number {
  return (key | (bits << (32 - to))) >>> 0;
}

/** The same for IPv6 keys (16 latin1 characters). */
function withBitsV6(key: string, from: number, to: number, bits: number): string {
  const b = Buffer.from(key, 'latin1');
  for (let bit = to - 1, v = bits; bit >= from; bit--, v = Math.floor(v / 2)) {
    if (v % 2 === 1) b[bit >> 3] |= 0x80 >> (bit & 7);
  }
  return b.toString('latin1');
}

/** Removes an entry's decisions made from its ranking; returns how many went. */
function dropDerived(e: PrefixEntry): number {
  let n = 0;
  for (const [key, d] of e.decisions) {
    if (d.from === undefined) continue;
    e.decisions.delete(key);
    n++;
  }
  return n;
}

/** What an entry counts towards the cache's size: its decisions and its ranking. */
function entrySize(e: PrefixEntry): number {
  return e.decisions.size + (e.ranking ? 1 : 0);
}

/** A stored IPv6 key (one char per octet, see maskV6) cut to `len` bits. */
function maskV6Key(key: string, len: number): string {
  return maskV6(Buffer.from(key, 'latin1'), len);
}

function wordsToBuffer(words: Uint32Array): Buffer {
  const b = Buffer.alloc(16);
  for (let i = 0; i < 4; i++) b.writeUInt32BE(words[i] >>> 0, 4 * i);
  return b;
}

function maskV4(addr: number, len: number): number {
  return len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0;
}

function maskV6(addr: Buffer, len: number): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, len - i * 8));
    const byte = bits === 0 ? 0 : addr[i] & (0xff << (8 - bits));
    s += String.fromCharCode(byte);
  }
  return s;
}

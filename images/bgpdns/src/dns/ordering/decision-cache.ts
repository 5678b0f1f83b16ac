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
 */
import type { ChangedPrefix } from '../../sorter/api.js';
import type { ClientAddress } from './client-address.js';

/** More changed prefixes than this at once: a fresh table is cheaper than the checks. */
const SCOPED_DROP_LIMIT = 256;

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
}

interface PrefixEntry {
  decisions: Map<string, CachedDecision>;
}

export class DecisionCache {
  generation: number | null = null;
  private v4 = new Map<number, Map<number, PrefixEntry>>();
  private v4Lengths: number[] = [];
  private v6 = new Map<number, Map<string, PrefixEntry>>();
  private v6Lengths: number[] = [];
  private size = 0;

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
    if (changed.length > SCOPED_DROP_LIMIT) {
      this.clear();
      return -1;
    }
    const before = this.size;
    for (const c of changed) {
      if (c.family === 4) dropIn(this.v4, c.len, maskV4(c.words[0] >>> 0, Math.min(c.len, 32)), maskV4, maskV4, (e) => (this.size -= e.decisions.size));
      else dropIn(this.v6, c.len, wordsToBuffer(c.words), maskV6, maskV6Key, (e) => (this.size -= e.decisions.size));
    }
    this.v4Lengths = this.v4Lengths.filter((len) => this.v4.has(len));
    this.v6Lengths = this.v6Lengths.filter((len) => this.v6.has(len));
    return before - this.size;
  }

  clear(): void {
    this.v4.clear();
    this.v6.clear();
    this.v4Lengths = [];
    this.v6Lengths = [];
    this.size = 0;
  }

  lookup(client: ClientAddress, rrsetKey: string): CachedDecision | undefined {
    if (client.v4 !== null) {
      for (const len of this.v4Lengths) {
        if (len > client.prefixLen) continue;
        const entry = this.v4.get(len)!.get(maskV4(client.v4, len));
        if (entry) return entry.decisions.get(rrsetKey);
      }
    } else if (client.v6) {
      for (const len of this.v6Lengths) {
        if (len > client.prefixLen) continue;
        const entry = this.v6.get(len)!.get(maskV6(client.v6, len));
        if (entry) return entry.decisions.get(rrsetKey);
      }
    }
    return undefined;
  }

  /** Stores a decision for every client inside `client`'s address cut to `scopeLength` bits. */
  store(client: ClientAddress, scopeLength: number, rrsetKey: string, decision: CachedDecision): void {
    if (this.size >= this.maxDecisions) this.clear();
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
    } else return;
    if (!entry.decisions.has(rrsetKey)) this.size++;
    entry.decisions.set(rrsetKey, decision);
  }
}

/**
 * Removes from one family's table every entry whose prefix overlaps (`addr`, `len`):
 * at scope lengths ≤ len the one entry covering it (a direct lookup), at longer
 * ones every entry inside it (a scan of that length only).
 */
function dropIn<A, K>(
  byLength: Map<number, Map<K, PrefixEntry>>,
  len: number,
  addr: A,
  mask: (a: A, l: number) => K,
  maskKey: (k: K, l: number) => K,
  gone: (e: PrefixEntry) => void,
): void {
  for (const [scope, entries] of byLength) {
    if (scope <= len) {
      const key = mask(addr, scope);
      const e = entries.get(key);
      if (e) {
        gone(e);
        entries.delete(key);
      }
    } else {
      const key = mask(addr, len);
      for (const [k, e] of entries) {
        if (maskKey(k, len) !== key) continue;
        gone(e);
        entries.delete(k);
      }
    }
    if (entries.size === 0) byLength.delete(scope);
  }
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

/**
 * What a sorter answers, independent of the wire format (docs/bgpdns-protocol.md).
 * The DNS front and the harness probes program against `Ranker`; the UDP client
 * in sorter/client.ts implements it over the authenticated query protocol.
 */

export type RankStatus =
  /** Candidates ranked from the best path to the client. */
  | 'ranked'
  /** The client address is covered by no route in the table (slide 35). */
  | 'no-route'
  /** The sorter holds no established BGP session (slide 35). */
  | 'no-sessions'
  /** None of the candidates maps to an upstream. */
  | 'unmapped';

export interface RankRequest {
  /** Client address (the query source or the EDNS client subnet address). */
  client: string;
  /** Prefix length when the client is an EDNS client subnet (RFC 7871). */
  clientPrefixLen?: number;
  /** Up to 32 candidate addresses, IPv4 and/or IPv6. */
  candidates: string[];
  /**
   * Also give each candidate's upstream and the ranking of every upstream for this
   * client's scope (RankAnswer.owners / upstreamRanking), so the asker can order other
   * candidate sets for the same scope itself (docs/bgpdns-protocol.md §4.5).
   */
  upstreams?: boolean;
}

/** One upstream's place in the ranking for a client scope (same scale as the preferences). */
export interface RankedUpstream {
  asn: number;
  preference: number;
}

export interface RankAnswer {
  status: RankStatus;
  /** One preference per candidate, same order as the request; higher is better, equal = no preference. */
  preferences: number[];
  /** The table prefix that covered the client, e.g. "198.18.64.0/20". */
  matchedPrefix?: string;
  /**
   * Length of the shortest prefix around the client (its address, or its subnet
   * with host bits cleared) inside which every address has the same longest
   * match, so gets this same answer: the matched prefix minus its more-specifics.
   * Caches key on it and it is the ECS scope. Present when matchedPrefix is.
   */
  scopeLength?: number;
  /** Leftmost AS of the best path to the client (the upstream it enters through). */
  neighborAs?: number;
  /** RIB generation: changes whenever any best path changes; caches key on it. */
  generation: number;
  /** When asked (RankRequest.upstreams) and a route covered the client: each candidate's upstream AS, 0 = none. */
  owners?: number[];
  /**
   * With owners: every upstream a candidate can belong to, ranked for this scope. A
   * candidate's preference is its upstream's here (0 for none); any candidate set whose
   * upstreams all appear here is ordered from it exactly as the sorter would order it.
   */
  upstreamRanking?: RankedUpstream[];
}

/** A prefix whose best path changed (host bits zero). */
export interface ChangedPrefix {
  family: 4 | 6;
  len: number;
  /** The address as four words, IPv4 in the first. */
  words: Uint32Array;
}

/** What changed in the table between two generations (docs/bgpdns-protocol.md §4.4). */
export interface RibChanges {
  /** The sorter's generation the list reaches up to. */
  generation: number;
  /** One entry per best-path change since the asked generation; 'all' = cannot be named, drop everything. */
  changed: ChangedPrefix[] | 'all';
  /** The list is one page: the sorter is past `generation`, ask again from it (§4.4, flag 0x02). */
  more?: boolean;
}

export interface Ranker {
  rank(req: RankRequest, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<RankAnswer>;
  /** Which prefixes changed since `generation` (optional: without it a cache drops everything on a new generation). */
  changesSince?(generation: number, opts?: { timeoutMs?: number }): Promise<RibChanges>;
}

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
}

export interface Ranker {
  rank(req: RankRequest, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<RankAnswer>;
}

/**
 * A query as numbers, the form the sorter's query service ranks (no address
 * text on the way: wire octets → 32-bit words → trie walk, and back). One
 * instance is reused per datagram, so nothing is allocated per candidate.
 */
import type { Afi } from '../bgp/types.js';
import type { RankAnswer } from './api.js';

export class WireQuery {
  clientAfi: Afi = 1;
  /** The client address as key words (IPv4: word 0 only). */
  readonly client = new Uint32Array(4);
  /** The subnet length when the query carried one (ECS), else undefined. */
  clientPrefixLen?: number;
  /** The query asked for the candidates' upstreams and the upstream ranking (§4.5). */
  wantUpstreams = false;
  count = 0;
  /** Per candidate: its family, and its address at candWords[4 * i …]. */
  candAfi = new Uint8Array(64);
  candWords = new Uint32Array(256);

  /** Room for n candidates (grows, never shrinks). */
  reserve(n: number): void {
    if (n <= this.candAfi.length) return;
    this.candAfi = new Uint8Array(n);
    this.candWords = new Uint32Array(4 * n);
  }
}

/** The matched prefix as numbers, beside (or instead of) RankAnswer.matchedPrefix's text. */
export interface NumericMatch {
  matchedAfi: Afi;
  matchedLen: number;
  /** Key words of the matched prefix (host bits zero). */
  matchedWords: Uint32Array;
}

export type WireAnswer = RankAnswer & Partial<NumericMatch>;

/**
 * The route model shared by the BGP codec, the RIB and the sorter.
 * Prefixes are kept as (afi, bytes, length) so that tries can walk bits without
 * string parsing; helpers render them as text for logs and JSON.
 */

/** Address family identifiers (IANA AFI). RFC 4760 §3. */
export const enum Afi {
  IPv4 = 1,
  IPv6 = 2,
}

/** Subsequent address family identifiers. RFC 4760 §6. */
export const enum Safi {
  Unicast = 1,
}

export interface Prefix {
  afi: Afi;
  /** Network bytes, length ceil(len/8); host bits are zero. */
  bytes: Uint8Array;
  len: number;
}

/** ORIGIN values. RFC 4271 §4.3 / §5.1.1. */
export const enum Origin {
  Igp = 0,
  Egp = 1,
  Incomplete = 2,
}

/** AS_PATH segment types. RFC 4271 §4.3, RFC 5065 §3. */
export const enum AsPathSegmentType {
  AsSet = 1,
  AsSequence = 2,
  ConfedSequence = 3,
  ConfedSet = 4,
}

export interface AsPathSegment {
  type: AsPathSegmentType;
  asns: number[];
}

export interface LargeCommunity {
  global: number;
  local1: number;
  local2: number;
}

/** An attribute the codec does not interpret, kept as bytes (RFC 4271 §5: optional transitive are passed on). */
export interface RawAttribute {
  flags: number;
  type: number;
  value: Uint8Array;
}

export interface PathAttributes {
  origin?: Origin;
  /** Always the 4-octet view: AS_PATH merged with AS4_PATH (RFC 6793 §4.2.3). */
  asPath: AsPathSegment[];
  /** IPv4 next hop (NEXT_HOP) or the MP_REACH next hop(s) as text. */
  nextHop?: string;
  /** IPv6 link-local next hop from MP_REACH, when two were given. */
  nextHopLinkLocal?: string;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: { asn: number; address: string };
  /** RFC 1997 communities as 32-bit numbers. */
  communities?: number[];
  /** RFC 4360 extended communities, 8 bytes each. */
  extendedCommunities?: Uint8Array[];
  largeCommunities?: LargeCommunity[];
  originatorId?: string;
  clusterList?: string[];
  /** Unrecognised optional transitive attributes, kept for re-advertisement. */
  unknown?: RawAttribute[];
}

/** One path to a prefix as received from one peer. */
export interface Route {
  prefix: Prefix;
  attrs: PathAttributes;
}

/**
 * Constants and message shapes of the BGPDNS query protocol, versions 2 and 1
 * (specified in docs/bgpdns-protocol.md; section numbers below refer to it).
 */
import type { RankStatus, RibChanges } from './api.js';

/** "BD": first two octets of every message. §3. */
export const MAGIC = 0x4244;
/** What clients send; the sorter answers each query in the query's version. §3. */
export const PROTOCOL_VERSION = 2;
export type ProtocolVersion = 1 | 2;
/** The 2002 design used UDP 179 next to BGP's TCP 179. §2. */
export const DEFAULT_PORT = 179;
/** Version 1's limit (one octet of count, 2002's 32). §4. */
export const MAX_CANDIDATES_V1 = 32;
/**
 * Version 2's limit: more than a 65,535-octet DNS message can carry in one
 * RRset (at most 4,095 A or 2,340 AAAA records), so every RRset fits. §4.
 */
export const MAX_CANDIDATES = 4096;
/** Largest UDP payload over IPv4 and IPv6 alike. §2. */
export const MAX_MESSAGE = 65_507;
export const HEADER_LENGTH = 28;
export const MAC_LENGTH = 32;
/** Default accepted clock difference between client and sorter. §5.2. */
export const DEFAULT_WINDOW_MS = 5000;

/** Message types. §3. */
export const enum MessageType {
  Query = 1,
  Answer = 2,
  /** Version 2 only: which prefixes changed since a generation. §4.4. */
  ChangesQuery = 3,
  ChangesAnswer = 4,
}

/** Changes answer flags. §4.4. */
export const enum ChangesFlag {
  /** The changes cannot all be named (log too short, or from before a restart): drop everything. */
  All = 1,
  /** The list is one page: it reaches the answer's generation, the sorter is further; ask again from it. */
  More = 2,
}

/** At most this many prefixes in one changes answer (18 octets each at most: far below MAX_MESSAGE); more is "all". §4.4. */
export const MAX_CHANGES = 2048;

/** Address family octet: the IP version number. §4. */
export const enum WireFamily {
  None = 0,
  IPv4 = 4,
  IPv6 = 6,
}

/** Query flags. §4.1. */
export const enum QueryFlag {
  /** The client is a subnet (EDNS client subnet, RFC 7871): the prefix length octet applies. */
  Subnet = 1,
  /** Version 2: also answer each candidate's upstream and the upstream ranking (§4.5). */
  Upstreams = 2,
}

/** Version 2 answer status octet: the upstream section (§4.5) follows the preferences. */
export const STATUS_UPSTREAMS = 0x80;
/** The upstream section's count is one octet. */
export const MAX_RANKED_UPSTREAMS = 255;

/** Answer status octet. §4.2. */
export const enum WireStatus {
  Ranked = 0,
  NoRoute = 1,
  NoSessions = 2,
  Unmapped = 3,
}

export const statusToWire: Record<RankStatus, WireStatus> = {
  ranked: WireStatus.Ranked,
  'no-route': WireStatus.NoRoute,
  'no-sessions': WireStatus.NoSessions,
  unmapped: WireStatus.Unmapped,
};

export const wireToStatus: readonly RankStatus[] = ['ranked', 'no-route', 'no-sessions', 'unmapped'];

/** Why a received message was not answered (counted per reason). §5.3. */
export type DropReason = 'malformed' | 'version' | 'unknown-key' | 'bad-mac' | 'stale' | 'replayed' | 'overload';

export interface Header {
  type: MessageType;
  requestId: number;
  keyId: number;
  /** Sender's clock, Unix epoch milliseconds. */
  timestamp: number;
  /** 64-bit random value chosen by the client per query; answers echo it. */
  nonce: bigint;
  /** Absent = PROTOCOL_VERSION; decoders set it only for version 1. */
  version?: ProtocolVersion;
}

export interface QueryMessage extends Header {
  type: MessageType.Query;
  client: string;
  /** Present when the client is a subnet (EDNS client subnet). */
  clientPrefixLen?: number;
  candidates: string[];
  /** Version 2: ask for the upstream section (QueryFlag.Upstreams). */
  upstreams?: boolean;
}

export interface AnswerMessage extends Header {
  type: MessageType.Answer;
  status: RankStatus;
  /** "198.18.64.0/20", when a route covered the client. */
  matchedPrefix?: string;
  /** Version 2: the answer's scope (RankAnswer.scopeLength), when matchedPrefix is given. */
  scopeLength?: number;
  /** 0 on the wire when absent. */
  neighborAs?: number;
  generation: number;
  preferences: number[];
  /** Version 2, when the query asked: RankAnswer.owners and upstreamRanking. */
  owners?: number[];
  upstreamRanking?: { asn: number; preference: number }[];
}

export interface ChangesQueryMessage extends Header {
  type: MessageType.ChangesQuery;
  /** The generation the client's cache is at. */
  since: number;
}

export interface ChangesAnswerMessage extends Header, RibChanges {
  type: MessageType.ChangesAnswer;
  /** The query's generation, echoed. */
  since: number;
}

export class ProtocolError extends Error {
  constructor(
    readonly reason: DropReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * @bgpdns-lab/bgpdns — how other processes talk to the BGPDNS daemons: the sorter's
 * config file, status and authenticated query protocol, FRR's vty (the health agent and
 * the harness drive FRR with it), DNS over TCP framing and address helpers — and the
 * support both packages share: the wait helper, stats, the monotonic clock. Light to
 * load: the harness's command line imports it.
 *
 * The other public entry points (docs/writing-scenarios.md lists them all):
 *   @bgpdns-lab/bgpdns/sorter   the sorter's engine in-process: RIB, ranking, query server, route tables
 *   @bgpdns-lab/bgpdns/bgp      the BGP-4 speaker library (src/bgp/README.md)
 *   @bgpdns-lab/bgpdns/testing  test support: BGP message builders, DNS clients, daemon processes
 * What none of them exports is internal and may change. The daemons themselves run
 * through the `bgpdns` command (bin/bgpdns.js).
 */

// The sorter's config file and the status it serves.
export { parseSorterConfig, loadSorterConfig, ConfigError, type SorterConfig, type SorterPeerConfig } from './sorter/config.js';
export type { SorterStatus } from './sorter/status-http.js';

// The BGPDNS query protocol (docs/bgpdns-protocol.md): what a sorter answers, the client, codec, authentication.
export type { Ranker, RankRequest, RankAnswer, RankStatus } from './sorter/api.js';
export { SorterClient, SorterTimeoutError, type SorterClientOptions } from './sorter/client.js';
export { encodeQuery, decodeQuery, encodeAnswer, decodeAnswer } from './sorter/protocol.js';
export { sign, macValid, verifyMessage, parseKeySpec, type KeyRing } from './sorter/protocol-auth.js';
export { DEFAULT_PORT, DEFAULT_WINDOW_MS, HEADER_LENGTH, MAC_LENGTH, MAX_CANDIDATES, ProtocolError } from './sorter/protocol-types.js';

// FRR's vty over its unix sockets (what vtysh speaks).
export { VtyClient, VtyError, VtyConnectionClosedError, type VtyClientOptions } from './frr/vty-client.js';

// DNS over TCP framing (RFC 1035 §4.2.2 length prefix).
export { TcpFramer } from './dns/wire/tcp-framer.js';

// IPv4/IPv6 addresses and prefixes as the RIB holds them.
export { parseAddress, parsePrefix, formatIPv4, formatIPv6, formatPrefix } from './rib/address.js';

// Shared with the harness (it re-exports them): the one wait helper, the one stats module, the clock.
export { waitUntil, waitForJson, WaitTimeoutError, type WaitOptions, type WaitResult, type CheckResult } from './support/wait-until.js';
export { jsonSubset, type JsonDiff } from './support/json-subset.js';
export { percentile, percentileOfSorted, median, summarize, type Summary } from './support/stats.js';
export { monoNow } from './support/mono-clock.js';

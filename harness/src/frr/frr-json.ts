/**
 * The parts of FRR 8.4's JSON output the harness reads. FRR prints many more
 * fields; these types name only what scenarios and probes rely on, and every
 * field is optional where FRR omits it in some states.
 */

/** One neighbor in `show bgp summary json`, keyed by peer address or interface. */
export interface BgpSummaryPeer {
  remoteAs: number;
  localAs?: number;
  /** "Established", "Active", "Connect", "Idle", "OpenSent", "OpenConfirm". */
  state: string;
  peerState?: string;
  pfxRcd?: number;
  pfxSnt?: number;
  peerUptimeMsec?: number;
  hostname?: string;
  desc?: string;
}

export interface BgpSummaryAf {
  routerId: string;
  as: number;
  vrfName?: string;
  peers: Record<string, BgpSummaryPeer>;
  totalPeers?: number;
  failedPeers?: number;
}

/** `show bgp summary json`: one entry per address family with configured peers. */
export interface BgpSummary {
  ipv4Unicast?: BgpSummaryAf;
  ipv6Unicast?: BgpSummaryAf;
}

export interface BgpPathAsPath {
  string: string;
  length: number;
  segments?: { type: string; list: number[] }[];
}

export interface BgpPath {
  aspath: BgpPathAsPath;
  origin?: string;
  valid?: boolean;
  bestpath?: { overall?: boolean; selectionReason?: string };
  nexthops: { ip: string; afi?: string; used?: boolean; accessible?: boolean }[];
  peer: { peerId: string; routerId?: string; hostname?: string; type?: string };
  lastUpdate?: { epoch: number; string: string };
  locPrf?: number;
  metric?: number;
  community?: { string: string };
}

/** `show bgp ipv4|ipv6 unicast PREFIX json`: `{}` when the router has no route for it. */
export interface BgpPrefixPaths {
  prefix?: string;
  paths?: BgpPath[];
}

/** One session in `show bfd peers json`. */
export interface BfdPeer {
  multihop: boolean;
  peer: string;
  local?: string;
  interface?: string;
  vrf?: string;
  id?: number;
  'remote-id'?: number;
  /** "up", "down", "init", "shutdown". */
  status: string;
  uptime?: number;
  downtime?: number;
  diagnostic?: string;
  'remote-diagnostic'?: string;
  'receive-interval'?: number;
  'transmit-interval'?: number;
  'detect-multiplier'?: number;
}

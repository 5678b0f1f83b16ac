/** Path attribute type codes and flag bits. */

/** Path attribute type codes (IANA "BGP Path Attributes"). */
export const enum AttrType {
  /** RFC 4271 §5.1.1 */
  Origin = 1,
  /** RFC 4271 §5.1.2 */
  AsPath = 2,
  /** RFC 4271 §5.1.3 */
  NextHop = 3,
  /** RFC 4271 §5.1.4 */
  MultiExitDisc = 4,
  /** RFC 4271 §5.1.5 */
  LocalPref = 5,
  /** RFC 4271 §5.1.6 */
  AtomicAggregate = 6,
  /** RFC 4271 §5.1.7 */
  Aggregator = 7,
  /** RFC 1997 */
  Communities = 8,
  /** RFC 4456 §8 */
  OriginatorId = 9,
  /** RFC 4456 §8 */
  ClusterList = 10,
  /** RFC 4760 §3 */
  MpReachNlri = 14,
  /** RFC 4760 §4 */
  MpUnreachNlri = 15,
  /** RFC 4360 §2 */
  ExtendedCommunities = 16,
  /** RFC 6793 §3 */
  As4Path = 17,
  /** RFC 6793 §3 */
  As4Aggregator = 18,
  /** RFC 8092 §3 */
  LargeCommunities = 32,
}

/** Attribute flag bits. RFC 4271 §4.3. */
export const enum AttrFlag {
  Optional = 0x80,
  Transitive = 0x40,
  Partial = 0x20,
  ExtendedLength = 0x10,
}

/** The Optional and Transitive bits every known attribute must carry. RFC 4271 §5, RFC 7606 §3(c). */
export function expectedFlags(type: number): number | undefined {
  switch (type) {
    case AttrType.Origin:
    case AttrType.AsPath:
    case AttrType.NextHop:
    case AttrType.LocalPref:
    case AttrType.AtomicAggregate:
      return AttrFlag.Transitive;
    case AttrType.MultiExitDisc:
    case AttrType.OriginatorId:
    case AttrType.ClusterList:
    case AttrType.MpReachNlri:
    case AttrType.MpUnreachNlri:
      return AttrFlag.Optional;
    case AttrType.Aggregator:
    case AttrType.Communities:
    case AttrType.ExtendedCommunities:
    case AttrType.As4Path:
    case AttrType.As4Aggregator:
    case AttrType.LargeCommunities:
      return AttrFlag.Optional | AttrFlag.Transitive;
    default:
      return undefined;
  }
}

export function attrTypeName(type: number): string {
  switch (type) {
    case AttrType.Origin: return 'ORIGIN';
    case AttrType.AsPath: return 'AS_PATH';
    case AttrType.NextHop: return 'NEXT_HOP';
    case AttrType.MultiExitDisc: return 'MULTI_EXIT_DISC';
    case AttrType.LocalPref: return 'LOCAL_PREF';
    case AttrType.AtomicAggregate: return 'ATOMIC_AGGREGATE';
    case AttrType.Aggregator: return 'AGGREGATOR';
    case AttrType.Communities: return 'COMMUNITIES';
    case AttrType.OriginatorId: return 'ORIGINATOR_ID';
    case AttrType.ClusterList: return 'CLUSTER_LIST';
    case AttrType.MpReachNlri: return 'MP_REACH_NLRI';
    case AttrType.MpUnreachNlri: return 'MP_UNREACH_NLRI';
    case AttrType.ExtendedCommunities: return 'EXTENDED_COMMUNITIES';
    case AttrType.As4Path: return 'AS4_PATH';
    case AttrType.As4Aggregator: return 'AS4_AGGREGATOR';
    case AttrType.LargeCommunities: return 'LARGE_COMMUNITY';
    default: return `attribute ${type}`;
  }
}

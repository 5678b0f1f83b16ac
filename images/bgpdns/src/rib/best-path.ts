/**
 * Best-path comparison equivalent to FRR 8.4's bgp_path_info_cmp with FRR's
 * defaults (deterministic-med on, always-compare-med off, compare-routerid off,
 * missing MED = 0, no IGP metric because the sorter has no IGP). RFC 4271 §9.1.2.2
 * gives the base rules; FRR's additions are weight, the incumbent ("oldest
 * external") rule and the final neighbour-address tie-breaker.
 *
 * Paths are (peer id, attribute id) pairs; everything compared is a number in
 * the AttrStore / PeerTable arrays, so no object is built per comparison.
 */
import { AttrStore, NO_ASN } from './attr-store.js';
import { DEFAULT_LOCAL_PREF, PeerTable } from './peers.js';

/** Which rule decided a comparison, in FRR's order. */
export const enum Decision {
  /** FRR `neighbor X weight` (Cisco heritage, before everything else). */
  Weight = 'weight',
  /** RFC 4271 §9.1.1: higher LOCAL_PREF. */
  LocalPref = 'local-pref',
  /** RFC 4271 §9.1.2.2 a: shorter AS_PATH (AS_SET = 1, confederation segments = 0). */
  AsPathLength = 'as-path-length',
  /** RFC 4271 §9.1.2.2 b: lower ORIGIN. */
  Origin = 'origin',
  /** RFC 4271 §9.1.2.2 c: lower MED, only between paths from the same neighbour AS. */
  Med = 'med',
  /** RFC 4271 §9.1.2.2 d: eBGP-learned over iBGP-learned. */
  PeerType = 'peer-type',
  /** FRR: between two external paths keep the one already selected (RFC 5004 "prefer the oldest"). */
  Incumbent = 'incumbent',
  /** RFC 4271 §9.1.2.2 f: lower BGP identifier (ORIGINATOR_ID when present, RFC 4456 §9). */
  RouterId = 'router-id',
  /** RFC 4456 §9: shorter CLUSTER_LIST. */
  ClusterLength = 'cluster-length',
  /** RFC 4271 §9.1.2.2 g: lower peer address. */
  PeerAddress = 'peer-address',
  /** Nothing left to compare (same peer). */
  Default = 'default',
}

export interface BestPathContext {
  attrs: AttrStore;
  peers: PeerTable;
  /** FRR `bgp bestpath compare-routerid`: skip the incumbent rule, let router ids decide. */
  compareRouterId?: boolean;
}

export function effectiveLocalPref(ctx: BestPathContext, peer: number, attr: number): number {
  const override = ctx.peers.localPrefOverride[peer];
  if (override >= 0) return override;
  // RFC 4271 §5.1.5: LOCAL_PREF received from an external peer is ignored.
  if (ctx.peers.ebgp[peer]) return DEFAULT_LOCAL_PREF;
  const lp = ctx.attrs.localPref[attr];
  return lp >= 0 ? lp : DEFAULT_LOCAL_PREF;
}

/**
 * FRR aspath_cmp_left || aspath_cmp_left_confed: both paths empty, or both start
 * (after confederation segments) with an AS_SEQUENCE whose first ASN is the same,
 * or both start with a confederation sequence with the same first member.
 * Deterministic-MED groups paths by this relation.
 */
export function sameNeighbourAs(attrs: AttrStore, a: number, b: number): boolean {
  if (attrs.emptyPath[a] === 1 && attrs.emptyPath[b] === 1) return true;
  const la = attrs.leftAs[a];
  if (la !== NO_ASN && la === attrs.leftAs[b]) return true;
  const ca = attrs.leftConfedAs[a];
  return ca !== NO_ASN && ca === attrs.leftConfedAs[b];
}

/** The decision that separated the last two paths compared (for tests and `show`-style output). */
export let lastDecision: Decision = Decision.Default;

/**
 * Compares the attribute-level rules (weight … peer type). Negative: a is better;
 * positive: b is better; 0: equal so far. Sets lastDecision.
 */
export function compareAttributes(ctx: BestPathContext, peerA: number, attrA: number, peerB: number, attrB: number): number {
  const { attrs, peers } = ctx;
  const weightA = peers.weight[peerA];
  const weightB = peers.weight[peerB];
  if (weightA !== weightB) {
    lastDecision = Decision.Weight;
    return weightB - weightA;
  }
  const lpA = effectiveLocalPref(ctx, peerA, attrA);
  const lpB = effectiveLocalPref(ctx, peerB, attrB);
  if (lpA !== lpB) {
    lastDecision = Decision.LocalPref;
    return lpB - lpA;
  }
  if (attrs.hops[attrA] !== attrs.hops[attrB]) {
    lastDecision = Decision.AsPathLength;
    return attrs.hops[attrA] - attrs.hops[attrB];
  }
  if (attrs.origin[attrA] !== attrs.origin[attrB]) {
    lastDecision = Decision.Origin;
    return attrs.origin[attrA] - attrs.origin[attrB];
  }
  // MEDs are compared between paths from the same neighbour AS, or when both are internal (no AS hops).
  if (
    attrs.med[attrA] !== attrs.med[attrB] &&
    ((attrs.hops[attrA] === 0 && attrs.hops[attrB] === 0) || sameNeighbourAs(attrs, attrA, attrB))
  ) {
    lastDecision = Decision.Med;
    return attrs.med[attrA] - attrs.med[attrB];
  }
  const ebgpA = peers.ebgp[peerA];
  if (ebgpA !== peers.ebgp[peerB]) {
    lastDecision = Decision.PeerType;
    return ebgpA ? -1 : 1;
  }
  return 0;
}

/**
 * FRR's bgp_path_info_cmp: true when the new path beats the existing one.
 * `newSelected`/`existSelected` say whether a path is the prefix's current best
 * (FRR's BGP_PATH_SELECTED), which the incumbent rule reads.
 */
export function newPathWins(
  ctx: BestPathContext,
  newPeer: number,
  newAttr: number,
  newSelected: boolean,
  existPeer: number,
  existAttr: number,
  existSelected: boolean,
): boolean {
  const byAttributes = compareAttributes(ctx, newPeer, newAttr, existPeer, existAttr);
  if (byAttributes !== 0) return byAttributes < 0;
  const { attrs, peers } = ctx;
  if (!ctx.compareRouterId && peers.ebgp[newPeer] && peers.ebgp[existPeer]) {
    if (newSelected) {
      lastDecision = Decision.Incumbent;
      return true;
    }
    if (existSelected) {
      lastDecision = Decision.Incumbent;
      return false;
    }
  }
  const newId = attrs.originatorId[newAttr] >= 0 ? attrs.originatorId[newAttr] : peers.routerId[newPeer];
  const existId = attrs.originatorId[existAttr] >= 0 ? attrs.originatorId[existAttr] : peers.routerId[existPeer];
  if (newId !== existId) {
    lastDecision = Decision.RouterId;
    return newId < existId;
  }
  if (attrs.clusterLen[newAttr] !== attrs.clusterLen[existAttr]) {
    lastDecision = Decision.ClusterLength;
    return attrs.clusterLen[newAttr] < attrs.clusterLen[existAttr];
  }
  const newAddress = peers.addressKey[newPeer];
  const existAddress = peers.addressKey[existPeer];
  if (newAddress !== existAddress) {
    lastDecision = Decision.PeerAddress;
    return newAddress < existAddress;
  }
  lastDecision = Decision.Default;
  return true;
}

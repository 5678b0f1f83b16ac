/**
 * Message fixtures shared by the codec, framer and session tests (lab-range
 * addresses and documentation ASNs only).
 */
import { Afi, AsPathSegmentType, Origin, Safi, type PathAttributes } from '../../src/bgp/types.js';
import { CapabilityCode } from '../../src/bgp/capability-codes.js';
import { encodeOpen, type OpenMessage } from '../../src/bgp/open.js';
import { encodeEndOfRib, encodeUpdate, type UpdateSpec } from '../../src/bgp/update.js';
import { encodeNotification } from '../../src/bgp/notification.js';
import { encodeRouteRefresh, RouteRefreshSubtype } from '../../src/bgp/route-refresh.js';
import { encodeKeepalive } from '../../src/bgp/message.js';
import { parsePrefix } from '../../src/bgp/nlri.js';

export const fullOpen: OpenMessage = {
  version: 4,
  myAs: 23456,
  holdTime: 90,
  bgpId: '198.18.0.1',
  capabilities: [
    { code: CapabilityCode.Multiprotocol, afi: Afi.IPv4, safi: Safi.Unicast },
    { code: CapabilityCode.Multiprotocol, afi: Afi.IPv6, safi: Safi.Unicast },
    { code: CapabilityCode.RouteRefresh },
    { code: CapabilityCode.EnhancedRouteRefresh },
    { code: CapabilityCode.FourOctetAs, asn: 4200000001 },
    { code: CapabilityCode.ExtendedMessage },
    { code: CapabilityCode.GracefulRestart, restartFlags: 8, restartTime: 120, families: [{ afi: Afi.IPv4, safi: Safi.Unicast, flags: 0x80 }] },
    { code: CapabilityCode.GracefulRestart, restartFlags: 0, restartTime: 0, families: [] },
    { code: 73, value: new TextEncoder().encode('h3-fqdn') },
  ],
};

export const richAttrs: PathAttributes = {
  origin: Origin.Igp,
  asPath: [
    { type: AsPathSegmentType.ConfedSequence, asns: [65001, 65002] },
    { type: AsPathSegmentType.AsSequence, asns: [64500, 4200000001, 65551] },
    { type: AsPathSegmentType.AsSet, asns: [64510, 64511] },
  ],
  nextHop: '198.18.1.1',
  med: 100,
  localPref: 200,
  atomicAggregate: true,
  aggregator: { asn: 4200000002, address: '198.18.0.9' },
  communities: [64500 * 65536 + 1, 0xffffff01],
  extendedCommunities: [Uint8Array.of(0, 2, 0xfb, 0xf4, 0, 0, 0, 7)],
  largeCommunities: [{ global: 4200000001, local1: 1, local2: 2 }],
  originatorId: '198.18.0.2',
  clusterList: ['198.18.0.3', '198.18.0.4'],
  unknown: [{ flags: 0xe0, type: 99, value: Uint8Array.of(1, 2, 3) }],
};

export const ipv4Update: UpdateSpec = {
  withdrawn: [parsePrefix('198.18.200.0/24'), parsePrefix('198.19.0.0/16')],
  attrs: richAttrs,
  nlri: [parsePrefix('198.18.0.0/15'), parsePrefix('198.18.4.0/22'), parsePrefix('198.18.7.1/32'), parsePrefix('198.18.128.0/17')],
};

export const ipv6Attrs: PathAttributes = {
  origin: Origin.Incomplete,
  asPath: [{ type: AsPathSegmentType.AsSequence, asns: [4200000001, 64500] }],
  nextHop: '2001:db8::1',
  nextHopLinkLocal: 'fe80::1',
  med: 5,
};

export const ipv6Update: UpdateSpec = {
  attrs: ipv6Attrs,
  mpReach: { afi: Afi.IPv6, prefixes: [parsePrefix('2001:db8::/32'), parsePrefix('2001:db8:1::/48'), parsePrefix('2001:db8:2:3::/64'), parsePrefix('2001:db8::1/128')] },
};

export const ipv6Withdraw: UpdateSpec = {
  mpUnreach: { afi: Afi.IPv6, prefixes: [parsePrefix('2001:db8:ff::/48'), parsePrefix('2001:db8:fe00::/40')] },
};

/** One encoded instance of every message type (4-octet AS session). */
export function allMessages(): { name: string; bytes: Uint8Array }[] {
  const ctx = { fourOctetAs: true };
  return [
    { name: 'OPEN', bytes: encodeOpen(fullOpen) },
    { name: 'KEEPALIVE', bytes: encodeKeepalive() },
    { name: 'UPDATE ipv4', bytes: encodeUpdate(ipv4Update, ctx) },
    { name: 'UPDATE ipv6', bytes: encodeUpdate(ipv6Update, ctx) },
    { name: 'UPDATE ipv6 withdraw', bytes: encodeUpdate(ipv6Withdraw, ctx) },
    { name: 'End-of-RIB ipv4', bytes: encodeEndOfRib(Afi.IPv4) },
    { name: 'End-of-RIB ipv6', bytes: encodeEndOfRib(Afi.IPv6) },
    { name: 'NOTIFICATION', bytes: encodeNotification({ code: 6, subcode: 2, data: Uint8Array.of(3, 0x62, 0x79, 0x65) }) },
    { name: 'ROUTE-REFRESH', bytes: encodeRouteRefresh({ afi: Afi.IPv6, safi: Safi.Unicast, subtype: RouteRefreshSubtype.Request }) },
    { name: 'ROUTE-REFRESH BoRR', bytes: encodeRouteRefresh({ afi: Afi.IPv4, safi: Safi.Unicast, subtype: RouteRefreshSubtype.BeginningOfRouteRefresh }) },
    { name: 'ROUTE-REFRESH EoRR', bytes: encodeRouteRefresh({ afi: Afi.IPv4, safi: Safi.Unicast, subtype: RouteRefreshSubtype.EndOfRouteRefresh }) },
  ];
}

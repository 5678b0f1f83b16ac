import test, { type ExecutionContext } from 'ava';
import { Afi, AsPathSegmentType, Origin, Safi, type PathAttributes } from './types.js';
import { MessageType } from './message-types.js';
import { decodeMessage, encodeMessage, type Message } from './message.js';
import { decodeUpdate, encodeUpdate, type UpdateContext, type UpdateSpec } from './update.js';
import { decodeOpen, encodeOpen, summarizeOpen, type OpenMessage } from './open.js';
import { CapabilityCode } from './capability-codes.js';
import { RouteRefreshSubtype } from './route-refresh.js';
import { allMessages, fullOpen, ipv4Update, ipv6Update, ipv6Withdraw, richAttrs } from '../../testing/bgp/fixtures.js';
import { normalizeDecoded, normalizeSpec, specOf } from '../../testing/bgp/test-support.js';
import { parsePrefix, prefixToString } from './nlri.js';
import { describeNotification } from './notification.js';
import { ipv6ToString, parseIpv6 } from './addresses.js';

const four: UpdateContext = { fourOctetAs: true };
const two: UpdateContext = { fourOctetAs: false };

/** Round trip for non-UPDATE messages: value → bytes → value, and bytes → value → same bytes. */
function roundTripMessage(t: ExecutionContext, m: Exclude<Message, { type: MessageType.Update }>): void {
  const bytes = encodeMessage(m);
  const back = decodeMessage(bytes, four);
  t.deepEqual(back, m);
  t.deepEqual(encodeMessage(back as typeof m), bytes);
}

/** Round trip for UPDATEs: meaning preserved, and re-encoding the decoded form gives the same bytes. */
function roundTripUpdate(t: ExecutionContext, spec: UpdateSpec, ctx: UpdateContext): void {
  const bytes = encodeUpdate(spec, ctx);
  const d = decodeUpdate(bytes, ctx);
  t.deepEqual(d.issues, []);
  t.false(d.treatAsWithdraw);
  t.deepEqual(normalizeDecoded(d), normalizeSpec(spec));
  t.deepEqual(encodeUpdate(specOf(d), ctx), bytes);
}

test('OPEN with every capability round-trips', (t) => {
  roundTripMessage(t, { type: MessageType.Open, open: fullOpen });
  const s = summarizeOpen(fullOpen);
  t.is(s.asn, 4200000001);
  t.true(s.fourOctetAs && s.routeRefresh && s.enhancedRouteRefresh && s.extendedMessage);
  t.deepEqual(s.families, [{ afi: Afi.IPv4, safi: Safi.Unicast }, { afi: Afi.IPv6, safi: Safi.Unicast }]);
});

test('OPEN without optional parameters round-trips', (t) => {
  roundTripMessage(t, { type: MessageType.Open, open: { version: 4, myAs: 64500, holdTime: 0, bgpId: '198.18.0.7', capabilities: [] } });
});

test('OPEN with more than 255 octets of parameters uses RFC 9072 extended lengths and round-trips', (t) => {
  const big: OpenMessage = {
    ...fullOpen,
    capabilities: [...fullOpen.capabilities, ...Array.from({ length: 30 }, (_, i) => ({ code: 200 + i, value: new Uint8Array(8).fill(i) }))],
  };
  const bytes = encodeOpen(big);
  t.is(bytes[28], 255);
  t.is(bytes[29], 255);
  t.deepEqual(decodeOpen(bytes), { ...big, extendedParameters: true });
});

test('OPEN forced into the RFC 9072 encoding with few parameters still round-trips', (t) => {
  roundTripMessage(t, { type: MessageType.Open, open: { ...fullOpen, extendedParameters: true } });
});

test('unknown capabilities are kept as bytes and ignored by the summary', (t) => {
  const s = summarizeOpen({ ...fullOpen, capabilities: [{ code: 73, value: Uint8Array.of(1) }, { code: CapabilityCode.RouteRefresh }] });
  t.true(s.routeRefresh);
  t.false(s.fourOctetAs);
  t.is(s.asn, fullOpen.myAs);
});

test('KEEPALIVE, NOTIFICATION and ROUTE-REFRESH (with BoRR/EoRR) round-trip', (t) => {
  roundTripMessage(t, { type: MessageType.Keepalive });
  roundTripMessage(t, { type: MessageType.Notification, notification: { code: 4, subcode: 0, data: new Uint8Array(0) } });
  roundTripMessage(t, { type: MessageType.Notification, notification: { code: 3, subcode: 1, data: Uint8Array.of(1, 2, 3) } });
  for (const subtype of [RouteRefreshSubtype.Request, RouteRefreshSubtype.BeginningOfRouteRefresh, RouteRefreshSubtype.EndOfRouteRefresh]) {
    roundTripMessage(t, { type: MessageType.RouteRefresh, routeRefresh: { afi: Afi.IPv6, safi: Safi.Unicast, subtype } });
  }
});

test('NOTIFICATION names include RFC 8203 shutdown text', (t) => {
  t.is(describeNotification({ code: 6, subcode: 2, data: Uint8Array.of(3, 0x62, 0x79, 0x65) }), 'Cease/Administrative Shutdown (6/2): "bye"');
  t.is(describeNotification({ code: 2, subcode: 3, data: new Uint8Array(0) }), 'OPEN Message Error/Bad BGP Identifier (2/3)');
});

for (const [name, spec] of [['IPv4 with every attribute', ipv4Update], ['IPv6 MP_REACH with link-local next hop', ipv6Update], ['IPv6 MP_UNREACH', ipv6Withdraw]] as const) {
  test(`UPDATE ${name} round-trips on a 4-octet session`, (t) => roundTripUpdate(t, spec, four));
}

test('UPDATE round-trips on a 2-octet session: AS_TRANS on the wire, AS4_PATH/AS4_AGGREGATOR merged back', (t) => {
  const attrs: PathAttributes = {
    origin: Origin.Egp,
    asPath: [
      { type: AsPathSegmentType.AsSequence, asns: [64500, 4200000001, 65551] },
      { type: AsPathSegmentType.AsSet, asns: [4200000009, 64511] },
    ],
    nextHop: '198.18.1.1',
    aggregator: { asn: 4200000002, address: '198.18.0.9' },
  };
  const spec: UpdateSpec = { attrs, nlri: [parsePrefix('198.18.4.0/24')] };
  roundTripUpdate(t, spec, two);
  const bytes = encodeUpdate(spec, two);
  // AS_PATH on the wire: 2-octet, 4-octet ASNs replaced by AS_TRANS (23456 = 0x5ba0).
  t.true(Buffer.from(bytes).includes(Buffer.from([2, 3, 0xfb, 0xf4, 0x5b, 0xa0, 0x5b, 0xa0])));
  // A 2-octet session decodes a plain 2-octet path without any AS4 attribute.
  const { aggregator: _, ...withoutAggregator } = attrs;
  roundTripUpdate(t, { attrs: { ...withoutAggregator, asPath: [{ type: AsPathSegmentType.AsSequence, asns: [64500, 64501] }] }, nlri: spec.nlri }, two);
});

test('AS4_PATH shorter than AS_PATH keeps the leading AS_PATH ASNs (RFC 6793 §4.2.3)', (t) => {
  // An old speaker (AS 64496) prepended itself after the path was built by new speakers.
  const ctx = two;
  const bytes = encodeUpdate({ attrs: { origin: 0, asPath: [{ type: 2, asns: [64496, 4200000001, 64500] }], nextHop: '198.18.1.1' }, nlri: [parsePrefix('198.18.0.0/24')] }, ctx);
  // Rewrite AS4_PATH to carry only the last two ASNs, as the old speaker would have passed it on.
  const buf = Buffer.from(bytes);
  const as4 = buf.indexOf(Buffer.from([0xc0, 17]));
  t.true(as4 > 0);
  const patched = Buffer.concat([buf.subarray(0, as4), Buffer.from([0xc0, 17, 10, 2, 2, 0xfa, 0x56, 0xea, 0x01, 0, 0, 0xfb, 0xf4]), buf.subarray(as4 + 3 + buf[as4 + 2])]);
  patched.writeUInt16BE(patched.length, 16);
  patched.writeUInt16BE(patched.readUInt16BE(21) - (3 + buf[as4 + 2]) + 13, 21);
  const d = decodeUpdate(patched, ctx);
  t.deepEqual(d.attrs.asPath, [{ type: 2, asns: [64496, 4200000001, 64500] }]);
});

test('AS4_PATH is ignored when AGGREGATOR names a 2-octet AS (RFC 6793 §4.2.3)', (t) => {
  const bytes = encodeUpdate({ attrs: { origin: 0, asPath: [{ type: 2, asns: [4200000001] }], nextHop: '198.18.1.1', aggregator: { asn: 64500, address: '198.18.0.1' } }, nlri: [parsePrefix('198.18.0.0/24')] }, two);
  t.deepEqual(decodeUpdate(bytes, two).attrs.asPath, [{ type: 2, asns: [23456] }]);
});

const attributeCases: [string, PathAttributes][] = [
  ['ORIGIN incomplete', { origin: Origin.Incomplete, asPath: [], nextHop: '198.18.1.1' }],
  ['AS_PATH confederation segments', { origin: 0, asPath: [{ type: AsPathSegmentType.ConfedSet, asns: [65001] }, { type: AsPathSegmentType.ConfedSequence, asns: [65002, 65003] }, { type: 2, asns: [64500] }], nextHop: '198.18.1.1' }],
  ['MULTI_EXIT_DISC', { origin: 0, asPath: [{ type: 2, asns: [64500] }], nextHop: '198.18.1.1', med: 4294967295 }],
  ['LOCAL_PREF', { origin: 0, asPath: [], nextHop: '198.18.1.1', localPref: 0 }],
  ['ATOMIC_AGGREGATE + AGGREGATOR', { origin: 0, asPath: [{ type: 2, asns: [64500] }], nextHop: '198.18.1.1', atomicAggregate: true, aggregator: { asn: 64500, address: '198.18.0.1' } }],
  ['COMMUNITIES', { origin: 0, asPath: [{ type: 2, asns: [64500] }], nextHop: '198.18.1.1', communities: [0xfbf40064, 0xffffff02] }],
  ['EXTENDED_COMMUNITIES', { origin: 0, asPath: [{ type: 2, asns: [64500] }], nextHop: '198.18.1.1', extendedCommunities: [Uint8Array.of(0, 2, 0xfb, 0xf4, 0, 0, 0, 1), Uint8Array.of(1, 3, 198, 18, 0, 1, 0, 9)] }],
  ['LARGE_COMMUNITY', { origin: 0, asPath: [{ type: 2, asns: [4200000001] }], nextHop: '198.18.1.1', largeCommunities: [{ global: 4200000001, local1: 0, local2: 4294967295 }] }],
  ['ORIGINATOR_ID + CLUSTER_LIST', { origin: 0, asPath: [], nextHop: '198.18.1.1', originatorId: '198.18.0.5', clusterList: ['198.18.0.6'] }],
  ['unknown optional transitive (kept, Partial)', { origin: 0, asPath: [{ type: 2, asns: [64500] }], nextHop: '198.18.1.1', unknown: [{ flags: 0xe0, type: 240, value: new Uint8Array(300).fill(7) }] }],
  ['long AS_PATH needing the extended length bit', { origin: 0, asPath: [{ type: 2, asns: Array.from({ length: 200 }, (_, i) => 4200000000 + i) }], nextHop: '198.18.1.1' }],
];
for (const [name, attrs] of attributeCases) {
  test(`attribute ${name} round-trips`, (t) => {
    const spec: UpdateSpec = { attrs, nlri: [parsePrefix('198.18.9.0/24')] };
    roundTripUpdate(t, spec, four);
    if (!attrs.asPath.some((s) => s.type > 2)) roundTripUpdate(t, spec, two);
  });
}

test('unknown optional transitive attributes are passed on with the Partial bit set (RFC 4271 §5)', (t) => {
  const bytes = encodeUpdate({ attrs: { origin: 0, asPath: [], nextHop: '198.18.1.1', unknown: [{ flags: 0xc0, type: 240, value: Uint8Array.of(9) }] }, nlri: [parsePrefix('198.18.9.0/24')] }, four);
  t.deepEqual(decodeUpdate(bytes, four).attrs.unknown, [{ flags: 0xe0, type: 240, value: Uint8Array.of(9) }]);
});

test('End-of-RIB is recognised for IPv4 (empty UPDATE) and IPv6 (empty MP_UNREACH) only', (t) => {
  const msgs = allMessages();
  const eor = (name: string): Afi | undefined => {
    const m = decodeMessage(msgs.find((x) => x.name === name)!.bytes, four);
    return m.type === MessageType.Update ? m.update.endOfRib() : undefined;
  };
  t.is(eor('End-of-RIB ipv4'), Afi.IPv4);
  t.is(eor('End-of-RIB ipv6'), Afi.IPv6);
  t.is(eor('UPDATE ipv6 withdraw'), undefined);
  t.is(eor('UPDATE ipv4'), undefined);
});

test('the fast path visits views without copying and counts match', (t) => {
  const d = decodeUpdate(encodeUpdate(ipv6Update, four), four);
  const seen: string[] = [];
  d.forEachAnnounced((afi, buf, offset, len) => {
    t.is(buf, d.msg);
    seen.push(`${afi}:${len}:${Buffer.from(buf.subarray(offset, offset + ((len + 7) >> 3))).toString('hex')}`);
  });
  t.deepEqual(seen, ['2:32:20010db8', '2:48:20010db80001', '2:64:20010db800020003', '2:128:20010db8000000000000000000000001']);
  t.is(d.announcedCount, 4);
  t.is(d.withdrawnCount, 0);
});

test('prefix text helpers', (t) => {
  t.is(prefixToString(parsePrefix('2001:db8:0:0:1::/80')), '2001:db8:0:0:1::/80');
  t.is(ipv6ToString(parseIpv6('2001:db8::ffff:198.18.0.1')!), '2001:db8::ffff:c612:1');
  t.is(ipv6ToString(parseIpv6('::ffff:198.18.0.1')!), '::ffff:198.18.0.1');
  t.throws(() => parsePrefix('198.18.0.1/24'), { message: /host bits/ });
  t.throws(() => parsePrefix('198.18.0.0/33'), { message: /0\.\.32/ });
  t.throws(() => parsePrefix('bogus'), { message: /not a prefix/ });
});

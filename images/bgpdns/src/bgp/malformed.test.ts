/** Malformed messages: each case asserts the NOTIFICATION (or the RFC 7606 outcome) it produces. */
import test from 'ava';
import { Framer } from './framer.js';
import { BgpError, ErrorAction } from './errors.js';
import { decodeMessage } from './message.js';
import { decodeUpdate, type UpdateContext } from './update.js';
import { MessageType } from './message-types.js';
import { encodeOpen } from './open.js';
import { fullOpen } from '../../testing/bgp/fixtures.js';
import { AS_PATH_64500, AS_PATH_64500_4, NEXT_HOP, NLRI_24, ORIGIN_IGP, rawMessage, rawUpdate } from '../../testing/bgp/test-support.js';
import { prefixToString } from './nlri.js';

/** 2001:db8:1::/48 announced via 2001:db8::1, and 2001:db8:2::/48 withdrawn (IPv6 unicast). */
const V6_NH = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1];
const MP_REACH_V6 = [0x80, 14, 28, 0, 2, 1, 16, ...V6_NH, 0, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1];
const MP_UNREACH_V6 = [0x80, 15, 10, 0, 2, 1, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 2];
const mpReachVia = (nh: number[]) => [0x80, 14, 12 + nh.length, 0, 2, 1, nh.length, ...nh, 0, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1];

const four: UpdateContext = { fourOctetAs: true };

function notificationOf(bytes: Uint8Array, ctx: UpdateContext = four): { code: number; subcode: number; data: number[] } {
  try {
    const framer = new Framer();
    framer.push(bytes);
    const msg = framer.next();
    if (!msg) throw new Error('framer wanted more bytes');
    decodeMessage(msg, ctx);
  } catch (err) {
    if (err instanceof BgpError) return { code: err.code, subcode: err.subcode, data: [...err.data] };
    throw err;
  }
  throw new Error('no error raised');
}

const header = (length: number, type: number, marker = 0xff): number[] => [...new Array(16).fill(marker), length >> 8, length & 0xff, type];

const sessionResets: [string, Uint8Array, { code: number; subcode: number; data?: number[] }][] = [
  ['bad marker → 1/1', Uint8Array.from(header(19, 4, 0)), { code: 1, subcode: 1, data: [] }],
  ['length below 19 → 1/2 with the length', Uint8Array.from([...header(18, 4), 0]), { code: 1, subcode: 2, data: [0, 18] }],
  ['length above 4096 → 1/2', Uint8Array.from(header(4097, 2)), { code: 1, subcode: 2, data: [0x10, 0x01] }],
  ['unknown type → 1/3 with the type', Uint8Array.from(header(19, 9)), { code: 1, subcode: 3, data: [9] }],
  ['KEEPALIVE with a body → 1/2', Uint8Array.from([...header(20, 4), 0]), { code: 1, subcode: 2, data: [0, 20] }],
  ['OPEN shorter than 29 → 1/2', Uint8Array.from([...header(28, 1), ...new Array(9).fill(0)]), { code: 1, subcode: 2, data: [0, 28] }],
  ['UPDATE shorter than 23 → 1/2', Uint8Array.from([...header(22, 2), 0, 0, 0]), { code: 1, subcode: 2, data: [0, 22] }],
  ['NOTIFICATION shorter than 21 → 1/2', Uint8Array.from([...header(20, 3), 6]), { code: 1, subcode: 2, data: [0, 20] }],
  ['OPEN parameters length disagreeing with the message → 1/2', (() => { const b = encodeOpen(fullOpen); b[28] += 1; return b; })(), { code: 1, subcode: 2 }],
  ['OPEN capability overrunning its parameter → 2/0', (() => { const b = encodeOpen({ ...fullOpen, capabilities: [{ code: 2 }] }); b[32] = 5; return b; })(), { code: 2, subcode: 0 }],
  ['UPDATE withdrawn length overrunning the message → 3/1', rawMessage(MessageType.Update, [0, 50, 0, 0]), { code: 3, subcode: 1 }],
  ['UPDATE total attribute length overrunning the message → 3/1', rawMessage(MessageType.Update, [0, 0, 0, 40, 0x40, 1, 1, 0]), { code: 3, subcode: 1 }],
  ['NLRI prefix length 33 → 3/10', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP], nlri: [33, 198, 18, 0, 0, 0] }), { code: 3, subcode: 10 }],
  ['NLRI prefix running past the end → 3/10', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP], nlri: [24, 198, 18] }), { code: 3, subcode: 10 }],
  ['withdrawn prefix length 40 → 3/10', rawUpdate({ withdrawn: [40, 198, 18, 0, 0, 0] }), { code: 3, subcode: 10 }],
  ['unrecognised well-known attribute → 3/2 with the attribute', rawUpdate({ attrs: [[0x40, 100, 1, 7]] }), { code: 3, subcode: 2, data: [0x40, 100, 1, 7] }],
  ['duplicate MP_UNREACH_NLRI → 3/1 (RFC 7606 §3(g))', rawUpdate({ attrs: [[0x80, 15, 3, 0, 2, 1], [0x80, 15, 3, 0, 2, 1]] }), { code: 3, subcode: 1 }],
  ['MP_REACH_NLRI next hop length 5 → 3/9', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, [0x80, 14, 10, 0, 2, 1, 5, 1, 2, 3, 4, 5, 0]] }), { code: 3, subcode: 9 }],
  ['MP_REACH_NLRI IPv6 prefix length 129 → 3/9', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, [0x80, 14, 23, 0, 2, 1, 16, ...new Array(16).fill(0x20), 0, 129, 1]] }), { code: 3, subcode: 9 }],
  ['MP_UNREACH_NLRI with wrong flags → 3/4', rawUpdate({ attrs: [[0x40, 15, 3, 0, 2, 1]] }), { code: 3, subcode: 4 }],
  // RFC 7606 §5: the rest of the attributes cannot be read, so an MP_REACH/MP_UNREACH may be hidden there.
  ['attribute overrunning the field before any MP attribute → 3/5', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0xc0, 8, 9, 0, 0, 0, 1]], nlri: NLRI_24 }), { code: 3, subcode: 5 }],
  ['attribute overrunning the field, MP_UNREACH found but MP_REACH not → 3/5', rawUpdate({ attrs: [MP_UNREACH_V6, ORIGIN_IGP, [0xc0, 8, 40, 0, 0, 0, 1], MP_REACH_V6] }), { code: 3, subcode: 5 }],
  ['ROUTE-REFRESH shorter than 23 → 7/1', Uint8Array.from([...header(22, 5), 0, 1, 0]), { code: 7, subcode: 1 }],
  ['BoRR with trailing octets → 7/1 (RFC 7313 §5)', Uint8Array.from([...header(25, 5), 0, 1, 1, 1, 0, 0]), { code: 7, subcode: 1 }],
  ['EoRR with trailing octets → 7/1 (RFC 7313 §5)', Uint8Array.from([...header(24, 5), 0, 2, 2, 1, 9]), { code: 7, subcode: 1 }],
];
for (const [name, bytes, expected] of sessionResets) {
  test(`session reset: ${name}`, (t) => {
    const n = notificationOf(bytes);
    t.is(n.code, expected.code);
    t.is(n.subcode, expected.subcode);
    if (expected.data) t.deepEqual(n.data, expected.data);
  });
}

/** RFC 7606 outcomes that keep the session: [name, message, expected action, attribute type, subcode, still announced?]. */
const gentle: [string, Uint8Array, ErrorAction, number, number][] = [
  ['truncated attribute header (too short to hide an MP attribute)', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0xc0, 8]], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 0, 1],
  ['attribute overrunning the field by 5 octets (too short to hide an MP attribute)', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0xc0, 8, 9, 0, 0]], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 8, 5],
  ['AS_PATH holding AS 0 (RFC 7607)', rawUpdate({ attrs: [ORIGIN_IGP, [0x40, 2, 10, 2, 2, 0, 0, 0xfb, 0xf4, 0, 0, 0, 0], NEXT_HOP], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 2, 11],
  ['AGGREGATOR of AS 0 (RFC 7607 → RFC 7606 §7.7)', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0xc0, 7, 8, 0, 0, 0, 0, 198, 18, 0, 1]], nlri: NLRI_24 }), ErrorAction.AttributeDiscard, 7, 9],
  ['NEXT_HOP 0.0.0.0', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, [0x40, 3, 4, 0, 0, 0, 0]], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 3, 8],
  ['NEXT_HOP multicast 224.0.0.5', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, [0x40, 3, 4, 224, 0, 0, 5]], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 3, 8],
  ['NEXT_HOP 255.255.255.255', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, [0x40, 3, 4, 255, 255, 255, 255]], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 3, 8],
  ['ORIGIN with the optional bit (bad flags)', rawUpdate({ attrs: [[0xc0, 1, 1, 0], AS_PATH_64500_4, NEXT_HOP], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 1, 4],
  ['ORIGIN value 3', rawUpdate({ attrs: [[0x40, 1, 1, 3], AS_PATH_64500_4, NEXT_HOP], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 1, 6],
  ['ORIGIN length 2', rawUpdate({ attrs: [[0x40, 1, 2, 0, 0], AS_PATH_64500_4, NEXT_HOP], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 1, 5],
  ['AS_PATH with segment type 5', rawUpdate({ attrs: [ORIGIN_IGP, [0x40, 2, 6, 5, 1, 0, 0, 0xfb, 0xf4], NEXT_HOP], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 2, 11],
  ['AS_PATH segment overrunning the attribute', rawUpdate({ attrs: [ORIGIN_IGP, [0x40, 2, 6, 2, 2, 0, 0, 0xfb, 0xf4], NEXT_HOP], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 2, 11],
  ['NEXT_HOP of length 5', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, [0x40, 3, 5, 198, 18, 1, 1, 0]], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 3, 5],
  ['missing NEXT_HOP with IPv4 NLRI', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 0, 3],
  ['missing ORIGIN and AS_PATH', rawUpdate({ attrs: [NEXT_HOP], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 0, 3],
  ['MULTI_EXIT_DISC of length 2', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0x80, 4, 2, 0, 1]], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 4, 5],
  ['COMMUNITIES of length 3', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0xc0, 8, 3, 0, 0, 1]], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 8, 9],
  ['LARGE_COMMUNITY of length 8', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0xc0, 32, 8, 0, 0, 0, 1, 0, 0, 0, 2]], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 32, 9],
  ['EXTENDED_COMMUNITIES of length 7', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0xc0, 16, 7, 0, 0, 0, 0, 0, 0, 0]], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 16, 9],
  ['CLUSTER_LIST of length 5', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0x80, 10, 5, 1, 2, 3, 4, 5]], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 10, 5],
  ['ORIGINATOR_ID of length 3', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0x80, 9, 3, 1, 2, 3]], nlri: NLRI_24 }), ErrorAction.TreatAsWithdraw, 9, 5],
  ['duplicate ORIGIN', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0x40, 1, 1, 2]], nlri: NLRI_24 }), ErrorAction.AttributeDiscard, 1, 1],
  ['ATOMIC_AGGREGATE of length 1', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0x40, 6, 1, 0]], nlri: NLRI_24 }), ErrorAction.AttributeDiscard, 6, 5],
  ['AGGREGATOR of length 6 on a 4-octet session', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0xc0, 7, 6, 0xfb, 0xf4, 198, 18, 0, 1]], nlri: NLRI_24 }), ErrorAction.AttributeDiscard, 7, 5],
  ['AGGREGATOR marked non-transitive', rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0x80, 7, 8, 0, 0, 0xfb, 0xf4, 198, 18, 0, 1]], nlri: NLRI_24 }), ErrorAction.AttributeDiscard, 7, 4],
];
for (const [name, bytes, action, attrType, subcode] of gentle) {
  test(`RFC 7606 ${action === ErrorAction.TreatAsWithdraw ? 'treat-as-withdraw' : 'attribute discard'}: ${name}`, (t) => {
    const d = decodeUpdate(bytes, four);
    t.is(d.issues.length, 1, JSON.stringify(d.issues));
    t.like(d.issues[0], { action, attrType, code: 3, subcode });
    if (action === ErrorAction.TreatAsWithdraw) {
      t.true(d.treatAsWithdraw);
      t.deepEqual(d.announced(), []);
      t.deepEqual(d.withdrawn().map(prefixToString), ['198.18.0.0/24']);
    } else {
      t.false(d.treatAsWithdraw);
      t.deepEqual(d.announced().map((r) => prefixToString(r.prefix)), ['198.18.0.0/24']);
    }
  });
}

test('LOCAL_PREF from an external peer is discarded (RFC 7606 §7.5), kept from an internal one', (t) => {
  const bytes = rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0x40, 5, 4, 0, 0, 0, 200]], nlri: NLRI_24 });
  const ext = decodeUpdate(bytes, { fourOctetAs: true, ebgp: true });
  t.is(ext.attrs.localPref, undefined);
  t.like(ext.issues[0], { action: ErrorAction.AttributeDiscard, attrType: 5 });
  t.is(decodeUpdate(bytes, { fourOctetAs: true, ebgp: false }).attrs.localPref, 200);
});

test('malformed AS4_PATH on a 2-octet session is discarded, the route kept (RFC 6793 §6)', (t) => {
  const d = decodeUpdate(rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500, NEXT_HOP, [0xc0, 17, 3, 2, 1, 0]], nlri: NLRI_24 }), { fourOctetAs: false });
  t.like(d.issues[0], { action: ErrorAction.AttributeDiscard, attrType: 17 });
  t.deepEqual(d.attrs.asPath, [{ type: 2, asns: [64500] }]);
  t.is(d.announcedCount, 1);
});

test('unknown optional non-transitive attributes are ignored; unknown transitive ones kept', (t) => {
  const d = decodeUpdate(rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, [0x80, 201, 1, 9], [0xc0, 202, 1, 8]], nlri: NLRI_24 }), four);
  t.deepEqual(d.issues, []);
  t.deepEqual(d.attrs.unknown, [{ flags: 0xc0, type: 202, value: Uint8Array.of(8) }]);
});

test('a withdrawal-only UPDATE needs no mandatory attributes', (t) => {
  const d = decodeUpdate(rawUpdate({ withdrawn: NLRI_24 }), four);
  t.deepEqual(d.issues, []);
  t.is(d.withdrawnCount, 1);
});

test('an external peer whose AS_PATH does not start with its AS: treat-as-withdraw (RFC 4271 §6.3)', (t) => {
  const bytes = rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP], nlri: NLRI_24 });
  const d = decodeUpdate(bytes, { fourOctetAs: true, ebgp: true, enforceFirstAs: 64501 });
  t.true(d.treatAsWithdraw);
  t.like(d.issues[0], { action: ErrorAction.TreatAsWithdraw, attrType: 2, subcode: 11 });
  t.false(decodeUpdate(bytes, { fourOctetAs: true, ebgp: true, enforceFirstAs: 64500 }).treatAsWithdraw);
});

test('NLRI of families the session did not negotiate are ignored (RFC 4760 §7)', (t) => {
  const v6 = [0x80, 14, 26, 0, 2, 1, 16, 0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1, 0, 32, 0x20, 0x01, 0x0d, 0xb8];
  const bytes = rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, NEXT_HOP, v6], nlri: NLRI_24 });
  const both = decodeUpdate(bytes, four);
  t.deepEqual(both.announced().map((r) => prefixToString(r.prefix)), ['198.18.0.0/24', '2001:db8::/32']);
  const v4only = decodeUpdate(bytes, { fourOctetAs: true, families: [1] });
  t.deepEqual(v4only.announced().map((r) => prefixToString(r.prefix)), ['198.18.0.0/24']);
  t.is(v4only.announcedCount, 1);
  const v6only = decodeUpdate(bytes, { fourOctetAs: true, families: [2] });
  t.deepEqual(v6only.announced().map((r) => prefixToString(r.prefix)), ['2001:db8::/32']);
  t.deepEqual(v6only.issues, []);
});

/** The next hop tests decode as the session whose local end is 198.18.1.9 / 2001:db8::9 would. */
test('NEXT_HOP equal to our own address of the session: treat-as-withdraw (RFC 4271 §6.3)', (t) => {
  const bytes = rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, [0x40, 3, 4, 198, 18, 1, 9]], nlri: NLRI_24 });
  const d = decodeUpdate(bytes, { fourOctetAs: true, localAddress: '198.18.1.9' });
  t.true(d.treatAsWithdraw);
  t.like(d.issues[0], { action: ErrorAction.TreatAsWithdraw, attrType: 3, subcode: 8 });
  t.deepEqual(d.withdrawn().map(prefixToString), ['198.18.0.0/24']);
  t.false(decodeUpdate(bytes, { fourOctetAs: true, localAddress: '198.18.1.10' }).treatAsWithdraw);
});

test('MP_REACH next hops ::, ff02::5, our own IPv6 address and an IPv4 0.0.0.0: treat-as-withdraw; a good one is announced', (t) => {
  const own = '2001:db8::9';
  const ownBytes = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 9];
  for (const [name, nh] of [['::', new Array(16).fill(0)], ['ff02::5', [0xff, 2, ...new Array(13).fill(0), 5]], [own, ownBytes]] as const) {
    const d = decodeUpdate(rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, mpReachVia([...nh])] }), { fourOctetAs: true, localAddress: own });
    t.true(d.treatAsWithdraw, name);
    t.like(d.issues[0], { action: ErrorAction.TreatAsWithdraw, attrType: 14, subcode: 9 });
    t.deepEqual(d.withdrawn().map(prefixToString), ['2001:db8:1::/48'], name);
  }
  const v4 = [0x80, 14, 13, 0, 1, 1, 4, 0, 0, 0, 0, 0, 24, 198, 18, 7];
  t.true(decodeUpdate(rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, v4] }), four).treatAsWithdraw);
  const good = decodeUpdate(rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, MP_REACH_V6] }), { fourOctetAs: true, localAddress: own });
  t.deepEqual(good.issues, []);
  t.deepEqual(good.announced().map((r) => prefixToString(r.prefix)), ['2001:db8:1::/48']);
});

test('an unusable NEXT_HOP does not matter to an UPDATE without IPv4 NLRI', (t) => {
  const d = decodeUpdate(rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500_4, [0x40, 3, 4, 0, 0, 0, 0], MP_REACH_V6] }), four);
  t.deepEqual(d.issues, []);
  t.is(d.announcedCount, 1);
});

test('attribute overrunning the field after both MP attributes were located: treat-as-withdraw of every NLRI (RFC 7606 §5)', (t) => {
  const d = decodeUpdate(rawUpdate({ attrs: [MP_UNREACH_V6, MP_REACH_V6, ORIGIN_IGP, [0xc0, 8, 40, 0, 0, 0, 1]], nlri: NLRI_24 }), four);
  t.true(d.treatAsWithdraw);
  t.like(d.issues[0], { action: ErrorAction.TreatAsWithdraw, attrType: 8, subcode: 5 });
  t.deepEqual(d.withdrawn().map(prefixToString).sort(), ['198.18.0.0/24', '2001:db8:1::/48', '2001:db8:2::/48']);
});

test('AS 0 in AS4_PATH or AS4_AGGREGATOR on a 2-octet session: the attribute is discarded, the route kept (RFC 7607 → RFC 6793 §6)', (t) => {
  const as4Path = [0xc0, 17, 10, 2, 2, 0, 0, 0xfb, 0xf4, 0, 0, 0, 0];
  const d = decodeUpdate(rawUpdate({ attrs: [ORIGIN_IGP, [0x40, 2, 6, 2, 2, 0xfb, 0xf4, 0x5b, 0xa0], NEXT_HOP, as4Path], nlri: NLRI_24 }), { fourOctetAs: false });
  t.like(d.issues[0], { action: ErrorAction.AttributeDiscard, attrType: 17 });
  t.deepEqual(d.attrs.asPath, [{ type: 2, asns: [64500, 23456] }]);
  t.is(d.announcedCount, 1);
  const agg = [0xc0, 7, 6, 0x5b, 0xa0, 198, 18, 0, 1];
  const as4Agg = [0xc0, 18, 8, 0, 0, 0, 0, 198, 18, 0, 1];
  const e = decodeUpdate(rawUpdate({ attrs: [ORIGIN_IGP, AS_PATH_64500, NEXT_HOP, agg, as4Agg], nlri: NLRI_24 }), { fourOctetAs: false });
  t.like(e.issues[0], { action: ErrorAction.AttributeDiscard, attrType: 18 });
  t.deepEqual(e.attrs.aggregator, { asn: 23456, address: '198.18.0.1' });
  t.is(e.announcedCount, 1);
});

test('ROUTE-REFRESH with ORF entries when ORF was not negotiated: a plain request, entries ignored (RFC 5291, RFC 7313 §5)', (t) => {
  // AFI 1, subtype 0, SAFI 1, When-to-refresh IMMEDIATE, ORF type 64 (address prefix), length 7, one entry.
  const orf = [0, 1, 0, 1, 1, 64, 0, 7, 0, 0, 0, 0, 10, 24, 198, 18, 7];
  const framer = new Framer();
  framer.push(rawMessage(MessageType.RouteRefresh, orf));
  const m = decodeMessage(framer.next()!, four);
  t.like(m, { type: MessageType.RouteRefresh, routeRefresh: { afi: 1, safi: 1, subtype: 0, ignoredOrfOctets: orf.length - 4 } });
});

import test from 'ava';
import { DataParseError, parseTinydnsData } from './parse.js';
import { nameToWire, unescapeBytes } from './escape.js';
import { keyToDotted } from '../wire/name.js';
import { RrType } from '../wire/types.js';
import type { DataRecord } from './records.js';

const opts = { file: 'data', serial: 1_700_000_000 };
const parse = (text: string) => parseTinydnsData(text, opts);

function summary(r: DataRecord): string {
  const rdata = r.rdata.map((p) => (Buffer.isBuffer(p) ? p.toString('hex') : keyToDotted((p as { name: Buffer }).name.toString('latin1')))).join(' ');
  return `${keyToDotted(r.owner.toString('latin1'))} ${r.type} ${r.ttl} ${rdata}${r.location ? ' @' + r.location : ''}${r.timestamp !== undefined ? ' t' + r.timestamp : ''}`;
}

const cases: [string, string, string[]][] = [
  ['. : SOA, NS and A for x.ns.fqdn', '.example.test:198.18.0.1:a', [
    'example.test. 6 2560 a.ns.example.test. hostmaster.example.test. 6553f10000004000000008000010000000000a00',
    'example.test. 2 259200 a.ns.example.test.',
    'a.ns.example.test. 1 259200 c6120001',
  ]],
  ['. with a dotted x and no ip: no A', '.example.test::ns.other.test:600', ['example.test. 6 2560 ns.other.test. hostmaster.example.test. 6553f10000004000000008000010000000000a00', 'example.test. 2 600 ns.other.test.']],
  ['& : NS and A', '&sub.example.test:198.18.0.2:b', ['sub.example.test. 2 259200 b.ns.sub.example.test.', 'b.ns.sub.example.test. 1 259200 c6120002']],
  ['= : A and PTR', '=host.example.test:198.18.1.10', ['host.example.test. 1 86400 c612010a', '10.1.18.198.in-addr.arpa. 12 86400 host.example.test.']],
  ['+ : A with ttl, timestamp and location', '+www.example.test:198.18.1.1:300:4000000065000000:ab', ['www.example.test. 1 300 c6120101 @ab t1694498806']],
  ['@ : MX and A for x.mx.fqdn', '@example.test:198.18.3.1:mx:10', ['example.test. 15 86400 000a mx.mx.example.test.', 'mx.mx.example.test. 1 86400 c6120301']],
  ["' : TXT with octal escapes", "'t.example.test:a\\072b", ['t.example.test. 16 86400 03613a62']],
  ['^ : PTR', '^1.0.18.198.in-addr.arpa:host.example.test', ['1.0.18.198.in-addr.arpa. 12 86400 host.example.test.']],
  ['C : CNAME', 'Calias.example.test:www.example.test:60', ['alias.example.test. 5 60 www.example.test.']],
  ['Z : SOA with every field', 'Zexample.test:ns1.example.test:admin.example.test:7:1:2:3:4:5', ['example.test. 6 5 ns1.example.test. admin.example.test. 0000000700000001000000020000000300000004']],
  [': : generic with escapes', ':g.example.test:65300:\\001\\377x', ['g.example.test. 65300 86400 01ff78']],
  ['3 : AAAA', '3v6.example.test:20010db8000000000000000000000001', ['v6.example.test. 28 86400 20010db8000000000000000000000001']],
  ['6 : AAAA and ip6.arpa PTR', '6v6.example.test:20010db80000000000000000000000b2', [
    'v6.example.test. 28 86400 20010db80000000000000000000000b2',
    '2.b.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. 12 86400 v6.example.test.',
  ]],
  ['# and - lines are ignored, blank lines too', '# comment\n-www.example.test:198.18.9.9\n\n', []],
  ['owner names are lowercased, wildcards kept', '+*.Wild.Example.TEST:198.18.4.1', ['*.wild.example.test. 1 86400 c6120401']],
  ['trailing spaces and tabs are ignored', '+www.example.test:198.18.1.1 \t', ['www.example.test. 1 86400 c6120101']],
  ['escaped dot inside a label', '+a\\056b.example.test:198.18.1.1', ['a\\046b.example.test. 1 86400 c6120101']],
];

for (const [title, text, expected] of cases) {
  test(`parses ${title}`, (t) => {
    t.deepEqual(parse(text).records.map(summary), expected);
  });
}

test('ttl 0 with a timestamp is kept as a time to die', (t) => {
  const [r] = parse('+x.example.test:198.18.1.1:0:4000000065000000').records;
  t.is(r.ttl, 0);
  t.is(r.timestamp, 0x65000000 - 10);
});

test('TXT longer than 127 bytes is split into character-strings', (t) => {
  const [r] = parse(`'t.example.test:${'x'.repeat(200)}`).records;
  const b = r.rdata[0] as Buffer;
  t.is(b[0], 127);
  t.is(b[128], 73);
  t.is(b.length, 202);
});

test('% lines give location prefixes of zero to four octets', (t) => {
  t.deepEqual(
    parse('%in:198.18\n%ex\n%ab:198.18.1.2').locations.map((l) => [l.code, l.prefix]),
    [['in', [198, 18]], ['ex', []], ['ab', [198, 18, 1, 2]]],
  );
});

const errors: [string, string, number, number, RegExp][] = [
  ['unknown leading character', 'Qfoo', 1, 1, /unrecognized leading character "Q"/],
  ['malformed IPv4', '\n+www.example.test:198.18.1', 2, 19, /malformed IPv4 address "198.18.1"/],
  ['trailing junk after an address', '+www.example.test:198.18.1.1x', 1, 19, /malformed IPv4/],
  ['octet over 255', '=h.example.test:198.18.1.256', 1, 17, /malformed IPv4/],
  ['ttl not a number', '+www.example.test:198.18.1.1:12s', 1, 30, /ttl must be a decimal number/],
  ['short timestamp', '+www.example.test:198.18.1.1::4000', 1, 31, /timestamp must be 16 hex digits/],
  ['location too long', '+www.example.test:198.18.1.1:::abc', 1, 32, /location "abc"/],
  ['missing fqdn', '+:198.18.1.1', 1, 2, /missing fqdn/],
  ['label over 63 bytes', `+${'a'.repeat(64)}.example.test:198.18.1.1`, 1, 2, /label longer than 63 bytes/],
  ['generic NS forbidden', ':x.example.test:2:abc', 1, 17, /type 2 may not be used/],
  ['generic type too large', ':x.example.test:70000:abc', 1, 17, /type 70000 is larger than 65535/],
  ['bad IPv6', '3v6.example.test:2001:db8::1', 1, 18, /malformed IPv6 address/],
  ['bad location prefix', '%in:198.18.1.2.3', 1, 5, /malformed IPv4 prefix/],
  ['MX distance too large', '@example.test:198.18.3.1:mx:70000', 1, 29, /distance 70000 is larger than 65535/],
];

for (const [title, text, line, column, message] of errors) {
  test(`error names file, line and column: ${title}`, (t) => {
    const e = t.throws(() => parse(text), { instanceOf: DataParseError })!;
    t.is(e.file, 'data');
    t.is(e.line, line);
    t.is(e.column, column);
    t.regex(e.message, message);
    t.true(e.message.startsWith(`data:${line}:${column}: `));
  });
}

test('escapes: one to three octal digits, other escaped chars literal, lone backslash dropped', (t) => {
  t.deepEqual([...unescapeBytes('\\1\\12\\123\\1234\\:\\')], [1, 10, 83, 83, 0x34, 0x3a]);
  t.deepEqual([...nameToWire('a..b.')], [1, 0x61, 1, 0x62, 0]);
});

test('a record type of every line kind is produced', (t) => {
  const types = new Set(parse(cases.map((c) => c[1]).join('\n')).records.map((r) => r.type));
  for (const ty of [RrType.A, RrType.NS, RrType.CNAME, RrType.SOA, RrType.PTR, RrType.MX, RrType.TXT, RrType.AAAA, 65300]) t.true(types.has(ty));
});

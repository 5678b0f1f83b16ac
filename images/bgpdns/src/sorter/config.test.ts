import test from 'ava';
import { parseSorterConfig } from './config.js';

const SECRET = 'ab'.repeat(32);

const good = {
  localAsn: 64500,
  routerId: '198.18.0.10',
  peers: [
    { address: '198.18.1.1', asn: 64501, name: 'isp1', maxPrefix: 1000 },
    { address: '2001:db8:3::1', asn: 4200000001 },
  ],
  upstreams: [{ asn: 64501, prefixes: ['198.18.101.0/24'] }],
  query: { address: '198.18.0.10', port: 1179, keys: [{ id: 1, secret: SECRET }] },
  status: '127.0.0.1:9179',
};

test('a complete JSON config parses with defaults filled in', (t) => {
  const c = parseSorterConfig(JSON.stringify(good), '/etc/bgpdns/sorter.json');
  t.is(c.localAsn, 64500);
  t.deepEqual(c.bgp, { address: '::', port: 179 });
  t.is(c.peers[0].holdTime, 90);
  t.is(c.peers[1].name, 'AS4200000001-2001:db8:3::1');
  t.true(c.peers[1].fastFailover);
  t.is(c.query.keys.get(1)!.length, 32);
  t.is(c.query.queueLimit, 128);
  t.is(c.query.windowMs, 5000);
  t.deepEqual(c.status, { address: '127.0.0.1', port: 9179 });
});

test('YAML works too, also under a top-level "sorter" key', (t) => {
  const yaml = `sorter:
  localAsn: 64500
  routerId: 198.18.0.10
  holdTime: 9
  peers:
    - { address: 198.18.1.1, asn: 64501 }
  query:
    keys: [{ id: 7, secret: "${SECRET}" }]
`;
  const c = parseSorterConfig(yaml, 'sorter.yaml');
  t.is(c.peers[0].holdTime, 9);
  t.is(c.query.port, 179);
  t.true(c.query.keys.has(7));
});

const bad = test.macro((t, mutate: (c: any) => void, expected: string | RegExp) => {
  const c = structuredClone(good) as any;
  mutate(c);
  t.throws(() => parseSorterConfig(JSON.stringify(c), 'conf/sorter.json'), { message: expected });
});

test('ASN out of range', bad, (c) => (c.peers[1].asn = 4294967296), 'sorter.json: peers[1].asn: expected an ASN in 1..4294967295');
test('ASN not a number', bad, (c) => (c.peers[0].asn = '64501'), 'sorter.json: peers[0].asn: expected an ASN in 1..4294967295');
test('missing peer ASN', bad, (c) => delete c.peers[0].asn, 'sorter.json: peers[0].asn: required');
test('bad peer address', bad, (c) => (c.peers[0].address = 'isp1.example'), 'sorter.json: peers[0].address: "isp1.example" is not an IPv4 or IPv6 address');
test('duplicate peer', bad, (c) => (c.peers[1].address = '198.18.1.1'), 'sorter.json: peers[1].address: 198.18.1.1 is configured twice');
test('unknown field', bad, (c) => (c.peers[0].passwd = 'x'), /^sorter.json: peers\[0\].passwd: unknown field/);
test('bad hold time', bad, (c) => (c.peers[0].holdTime = 2), 'sorter.json: peers[0].holdTime: expected a hold time of 0 or 3..65535 seconds');
test('router id must be IPv4', bad, (c) => (c.routerId = '2001:db8::1'), 'sorter.json: routerId: "2001:db8::1" is not an IPv4 address (a BGP identifier is written as one)');
test('missing keys', bad, (c) => delete c.query.keys, 'sorter.json: query.keys: required: the shared HMAC keys, e.g. [{ id: 1, secret: "<64 hex digits>" }]');
test('short secret', bad, (c) => (c.query.keys[0].secret = 'abcd'), 'sorter.json: query.keys[0].secret: expected at least 16 octets as hex digits');
test('bad upstream prefix', bad, (c) => (c.upstreams[0].prefixes[0] = '198.18.101.0/40'), 'sorter.json: upstreams[0].prefixes[0]: "198.18.101.0/40": prefix length must be 0..32');
test('bad status endpoint', bad, (c) => (c.status = 'localhost:9179'), 'sorter.json: status: "localhost:9179" is not ADDR:PORT with an IP address');
test('max-prefix zero', bad, (c) => (c.peers[0].maxPrefix = 0), 'sorter.json: peers[0].maxPrefix: expected an integer in 1..4294967295');

test('syntax errors name the file', (t) => {
  t.throws(() => parseSorterConfig('{ "localAsn": ', 'sorter.json'), { message: /^sorter.json: not valid JSON or YAML: / });
});

import test from 'ava';
import { bytesToAddress, encodeClientSubnetOption, validateClientSubnet, type ClientSubnet } from './ecs.js';

const opt = (family: number, source: number, scope: number, addr: number[]) => Buffer.from([family >> 8, family & 0xff, source, scope, ...addr]);

test('valid IPv4 and IPv6 subnets', (t) => {
  const v4 = validateClientSubnet(opt(1, 24, 0, [198, 18, 7])) as ClientSubnet;
  t.is(v4.text, '198.18.7.0');
  t.is(v4.sourcePrefix, 24);
  const v6 = validateClientSubnet(opt(2, 56, 0, [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0])) as ClientSubnet;
  t.is(v6.text, '2001:db8:1::');
  const zero = validateClientSubnet(opt(1, 0, 0, [])) as ClientSubnet;
  t.is(zero.text, '0.0.0.0');
  const odd = validateClientSubnet(opt(1, 20, 0, [198, 18, 0x70])) as ClientSubnet;
  t.is(odd.text, '198.18.112.0');
});

const bad: [string, Buffer, RegExp][] = [
  ['bad family', opt(3, 24, 0, [198, 18, 7]), /family 3/],
  ['source prefix too long (v4)', opt(1, 33, 0, [198, 18, 7, 1, 0]), /longer than 32/],
  ['source prefix too long (v6)', opt(2, 129, 0, new Array(17).fill(0)), /longer than 128/],
  ['bits beyond the prefix', opt(1, 20, 0, [198, 18, 0x71]), /bits set beyond \/20/],
  ['address longer than the prefix needs', opt(1, 16, 0, [198, 18, 0]), /has 3 bytes, \/16 needs 2/],
  ['address shorter than the prefix needs', opt(1, 24, 0, [198, 18]), /has 2 bytes, \/24 needs 3/],
  ['option shorter than 4 bytes', Buffer.from([0, 1, 24]), /shorter than 4/],
  ['non-zero scope in a query', opt(1, 24, 8, [198, 18, 7]), /scope prefix must be 0/],
];

for (const [title, data, reason] of bad) {
  test(`FORMERR reason: ${title}`, (t) => {
    const r = validateClientSubnet(data);
    t.is(typeof r, 'string');
    t.regex(r as string, reason);
  });
}

test('the echoed option keeps family, source and address and sets the scope', (t) => {
  const v4 = validateClientSubnet(opt(1, 24, 0, [198, 18, 7])) as ClientSubnet;
  t.deepEqual([...encodeClientSubnetOption(v4, 20)], [0, 8, 0, 7, 0, 1, 24, 20, 198, 18, 7]);
});

test('IPv6 text follows RFC 5952', (t) => {
  t.is(bytesToAddress(Buffer.from('20010db8000000000000000000000001', 'hex')), '2001:db8::1');
  t.is(bytesToAddress(Buffer.from('20010db8000100000001000000000000', 'hex')), '2001:db8:1:0:1::');
  t.is(bytesToAddress(Buffer.alloc(16)), '::');
});

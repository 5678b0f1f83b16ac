import test from 'ava';
import { parseInjectArgs } from './options.js';

const base = ['--peer', '198.18.0.2', '--local-as', '64496', '--peer-as', '4200000001', '--router-id', '198.18.0.1'];

test('a DFZ-shaped table may exceed the lab range', (t) => {
  const o = parseInjectArgs([...base, '--synthetic', '--shape', 'dfz', '--ipv4', '1000000', '--ipv6', '200000']);
  t.like(o.source, { kind: 'synthetic', shape: 'dfz', ipv4: 1_000_000, ipv6: 200_000 });
});

test('defaults for a synthetic table', (t) => {
  const o = parseInjectArgs([...base, '--synthetic']);
  t.deepEqual(o.source, { kind: 'synthetic', shape: 'lab', ipv4: 10_000, ipv6: 2_000, seed: 1, prefixesPerOrigin: 11 });
  t.is(o.port, 179);
  t.is(o.holdTime, 90);
  t.false(o.exitAfterEor);
});

const bad: [string, string[], RegExp][] = [
  ['no source', base, /--synthetic or --mrt/],
  ['both sources', [...base, '--synthetic', '--mrt', 'x.mrt'], /exclude each other/],
  ['IPv4 table larger than the lab range', [...base, '--synthetic', '--ipv4', '300000'], /--ipv4 must be an integer 0\.\.262143/],
  ['bad peer address', ['--peer', 'router', ...base.slice(2), '--synthetic'], /--peer must be an IPv4 or IPv6 address/],
  ['bad router id', [...base.slice(0, 6), '--router-id', '1', '--synthetic'], /--router-id must be a dotted IPv4/],
  ['hold time 2', [...base, '--synthetic', '--hold-time', '2'], /--hold-time must be 0 or at least 3/],
  ['IPv6 next hop given as IPv4', [...base, '--synthetic', '--next-hop6', '198.18.0.1'], /--next-hop6 must be an IPv6 address/],
  ['missing peer AS', [...base.slice(0, 4), ...base.slice(6), '--synthetic'], /--peer-as is required/],
  ['unknown flag', [...base, '--synthetic', '--bogus'], /bogus/],
  ['unknown shape', [...base, '--synthetic', '--shape', 'internet'], /--shape must be lab or dfz, got "internet"/],
  ['DFZ IPv4 table over its limit', [...base, '--synthetic', '--shape', 'dfz', '--ipv4', '2000001'], /--ipv4 must be an integer 0\.\.2000000/],
  ['shape with MRT', [...base, '--mrt', 'x.mrt', '--shape', 'dfz'], /apply to --synthetic only/],
  ['synthetic sizes with MRT', [...base, '--mrt', 'x.mrt', '--ipv4', '5'], /apply to --synthetic only/],
];
for (const [name, argv, message] of bad) {
  test(`rejected: ${name}`, (t) => {
    t.throws(() => parseInjectArgs(argv), { message });
  });
}

import test from 'ava';
import { imageDef, withAncestors } from './catalog.js';

test('withAncestors orders parents first, in catalog order', (t) => {
  t.deepEqual(withAncestors(['bgpdns']), ['base', 'frr', 'bgpdns']);
  t.deepEqual(withAncestors(['client', 'frr']), ['base', 'frr', 'client']);
});

test('an unknown image lists the known ones', (t) => {
  const err = t.throws(() => imageDef('bind9'));
  t.is(err!.message, 'unknown image "bind9"; known images: base, frr, tinydns, client, bgpdns, coredns');
});

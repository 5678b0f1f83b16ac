import test from 'ava';
import { dockerImageOf } from './kind-image.js';
import { allKinds, resolveKind } from '../../kinds/registry.js';
import { CATALOG } from '../../images/catalog.js';

/** The image a node gets from what a topology file says (kind, containerlab image). */
const imageFor = (kindField: string | undefined, image: string) => {
  const r = resolveKind(kindField, image);
  if (!('kind' in r)) throw new Error(r.problem);
  return dockerImageOf({ name: 'n1', kind: r.kind.name });
};

test('containerlab images pick the kind, and the kind declares the offline image it runs from', (t) => {
  t.is(imageFor('linux', 'quay.io/frrouting/frr:8.4.4'), 'bgpdns-lab/frr:latest');
  t.is(imageFor('linux', 'alpine:3'), 'bgpdns-lab/client:latest');
  t.is(imageFor('templated-frr', 'bgpdns-lab/frr'), 'bgpdns-lab/frr:latest');
  t.is(imageFor('linux', 'bgpdns-lab/bgpdns-health'), 'bgpdns-lab/bgpdns:latest');
  t.is(imageFor('unbound', 'mvance/unbound:1.19'), 'bgpdns-lab/client:latest');
});

test('every kind declares a Docker image that images/ builds', (t) => {
  const built = new Set(CATALOG.map((d) => d.name));
  for (const kind of allKinds()) t.true(built.has(kind.nodeImage.docker!), `${kind.name}: ${kind.nodeImage.docker}`);
});

test('a kind that does not exist is refused with the kinds that do', (t) => {
  t.throws(() => dockerImageOf({ name: 'n1', kind: 'bind9' }), { message: /^unknown kind "bind9"; known kinds: frr, client, templated-frr/ });
});

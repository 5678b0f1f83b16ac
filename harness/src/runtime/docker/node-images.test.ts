import test from 'ava';
import { dockerImageFor } from './node-images.js';
import type { LabNode } from '../../topology/model.js';

const node = (kind: string, image?: string): LabNode => ({ name: 'n1', kind, image, binds: [], env: {}, exec: [], labels: {}, settings: {} });

test('containerlab images map to the offline image of the node kind', (t) => {
  t.is(dockerImageFor(node('frr', 'quay.io/frrouting/frr:8.4.4')), 'bgpdns-lab/frr:latest');
  t.is(dockerImageFor(node('client', 'alpine:3')), 'bgpdns-lab/client:latest');
  t.is(dockerImageFor(node('templated-frr', 'bgpdns-lab/frr')), 'bgpdns-lab/frr:latest');
  t.is(dockerImageFor(node('bgpdns-health', 'bgpdns-lab/bgpdns-health')), 'bgpdns-lab/bgpdns:latest');
});

test('an unknown kind keeps one of our images, else says what exists', (t) => {
  t.is(dockerImageFor(node('resolver', 'bgpdns-lab/client:abc')), 'bgpdns-lab/client:abc');
  const err = t.throws(() => dockerImageFor(node('resolver', 'docker.io/library/unbound')));
  t.regex(err!.message, /^node n1: kind "resolver" has no offline image for the docker runtime \(kinds with one: frr, templated-frr, client/);
});

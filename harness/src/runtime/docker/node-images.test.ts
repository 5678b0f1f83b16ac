import test from 'ava';
import { dockerImageFor } from './node-images.js';
import type { LabNode } from '../../topology/model.js';

const node = (kind: string, image?: string): LabNode => ({ name: 'n1', kind, image, binds: [], env: {}, exec: [], labels: {}, settings: {} });

test('containerlab images map to the offline image of the node kind', (t) => {
  t.is(dockerImageFor(node('frr', 'quay.io/frrouting/frr:8.4.4')), 'bgpdns-lab/frr:latest');
  t.is(dockerImageFor(node('client', 'alpine:3')), 'bgpdns-lab/client:latest');
  t.is(dockerImageFor(node('templated-frr', 'bgpdns-lab/frr')), 'bgpdns-lab/frr:latest');
  t.is(dockerImageFor(node('bgpdns-health', 'bgpdns-lab/bgpdns-health')), 'bgpdns-lab/bgpdns:latest');
  t.is(dockerImageFor(node('unbound', 'mvance/unbound:1.19')), 'bgpdns-lab/client:latest');
});

test('an unknown kind keeps one of our images, else says what exists', (t) => {
  t.is(dockerImageFor(node('bind9', 'bgpdns-lab/client:abc')), 'bgpdns-lab/client:abc');
  const err = t.throws(() => dockerImageFor(node('bind9', 'docker.io/library/bind9')));
  t.regex(err!.message, /^node n1: kind "bind9" has no offline image for the docker runtime \(kinds with one: frr, templated-frr, client, unbound/);
});

test('containers see lab files at their host paths, read-only, and the node directory read-write', async (t) => {
  const { containerBinds } = await import('../docker.js');
  const lab = { name: 'h7b', prefix: 'clab', file: '/labs/x/x.clab.yml', dir: '/labs/x', nodes: [], links: [], warnings: [] };
  const n = { ...node('unbound'), binds: ['/labs/x/r/u.conf:/etc/unbound/unbound.conf', '/srv/zones/data:/etc/tinydns/data:ro'] };
  t.deepEqual(containerBinds(lab, n, '/run/bgpdns-lab/h7b/n1'), [
    '/labs/x/r/u.conf:/etc/unbound/unbound.conf',
    '/srv/zones/data:/etc/tinydns/data:ro',
    '/labs/x:/labs/x:ro',
    '/srv/zones/data:/srv/zones/data:ro',
    '/run/bgpdns-lab/h7b/n1:/run/bgpdns-lab/h7b/n1',
  ]);
});

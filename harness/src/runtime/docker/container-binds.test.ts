import test from 'ava';
import { containerBinds } from '../docker.js';
import type { LabNode } from '../../topology/model.js';

test('containers see lab files at their host paths, read-only, and the node directory read-write', (t) => {
  const lab = { name: 'h7b', prefix: 'clab', file: '/labs/x/x.clab.yml', dir: '/labs/x', nodes: [], links: [], warnings: [] };
  const n: LabNode = { name: 'n1', kind: 'unbound', binds: ['/labs/x/r/u.conf:/etc/unbound/unbound.conf', '/srv/zones/data:/etc/tinydns/data:ro'], env: {}, exec: [], labels: {}, settings: {} };
  t.deepEqual(containerBinds(lab, n, '/run/bgpdns-lab/h7b/n1'), [
    '/labs/x/r/u.conf:/etc/unbound/unbound.conf',
    '/srv/zones/data:/etc/tinydns/data:ro',
    '/labs/x:/labs/x:ro',
    '/srv/zones/data:/srv/zones/data:ro',
    '/run/bgpdns-lab/h7b/n1:/run/bgpdns-lab/h7b/n1',
  ]);
});

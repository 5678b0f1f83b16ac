import test from 'ava';
import type { LabNode } from '../topology/model.js';
import { serviceAddress } from './lab-service.js';
import { unboundConfig } from './unbound.js';

const node = (env: Record<string, string>): LabNode => ({ name: 'dns', kind: 'bgpdns-dns', binds: [], env, exec: [], labels: {}, settings: {} });

test('service address: LISTEN with its length, optional ROUTE and IFACE', (t) => {
  t.deepEqual(serviceAddress(node({ LISTEN: '198.18.16.18/29', ROUTE: '198.18.0.0/15 via 198.18.16.17' })), {
    address: '198.18.16.18',
    cidr: '198.18.16.18/29',
    iface: 'eth1',
    route: ['198.18.0.0/15', 'via', '198.18.16.17'],
  });
  t.like(serviceAddress(node({ LISTEN: '2001:db8:16::18/64', IFACE: 'eth2' })), { address: '2001:db8:16::18', iface: 'eth2' });
});

test('service address: each bad value is one issue naming the env field', (t) => {
  const issue = (env: Record<string, string>) => {
    const r = serviceAddress(node(env));
    if (!Array.isArray(r) || r.length !== 1) return `expected one issue, got ${JSON.stringify(r)}`;
    return `${r[0].path}: ${r[0].message}`;
  };
  t.regex(issue({}), /^env\.LISTEN: needs the service address/);
  t.regex(issue({ LISTEN: '198.18.16.18' }), /^env\.LISTEN: expected ADDRESS\/LENGTH/);
  t.regex(issue({ LISTEN: 'dns/29' }), /^env\.LISTEN: /);
  t.regex(issue({ LISTEN: '198.18.16.18/33' }), /^env\.LISTEN: /);
  t.regex(issue({ LISTEN: '198.18.16.18/29', ROUTE: '198.18.0.0/15 198.18.16.17' }), /^env\.ROUTE: expected "PREFIX via GATEWAY"/);
});

test('unbound config: node settings first, then the lab file included', (t) => {
  const text = unboundConfig('/run/x/res1', '198.19.1.53', '/lab/unbound-ecs.conf');
  t.regex(text, /interface: 198\.19\.1\.53/);
  t.regex(text, /chroot: ""/);
  t.true(text.trim().endsWith('include: "/lab/unbound-ecs.conf"'));
});

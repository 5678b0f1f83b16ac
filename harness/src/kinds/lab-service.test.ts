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

test('kind validation: each bad field of the DNS service kinds is one issue naming it', async (t) => {
  const { bgpdnsDnsKind } = await import('./bgpdns-dns.js');
  const { tinydnsKind } = await import('./tinydns.js');
  const { unboundKind } = await import('./unbound.js');
  const lab = { name: 'x', prefix: 'clab', file: '/x/x.clab.yml', dir: '/x', nodes: [], links: [], warnings: [] };
  const n = (kind: string, env: Record<string, string>, binds: string[] = []): LabNode => ({ name: 'n', kind, binds, env, exec: [], labels: {}, settings: {} });
  const issues = async (k: { validate?: (l: typeof lab, node: LabNode) => Promise<{ path: string; message: string }[]> }, node: LabNode) =>
    (await k.validate!(lab, node)).map((i) => `${i.path}: ${i.message}`);
  const listen = { LISTEN: '198.18.16.18/29' };
  t.deepEqual(await issues(bgpdnsDnsKind, n('bgpdns-dns', listen)), ['binds: give exactly one of a data file (bind "<file>:/etc/tinydns/data", file mode) or env.UPSTREAM (proxy mode)']);
  t.regex((await issues(bgpdnsDnsKind, n('bgpdns-dns', { ...listen, UPSTREAM: '198.18.16.26' })))[0], /^env\.UPSTREAM: expected ADDR:PORT/);
  t.regex((await issues(bgpdnsDnsKind, n('bgpdns-dns', { ...listen, UPSTREAM: '198.18.16.26:53', SORTER: '198.18.16.34:179' })))[0], /^binds: env\.SORTER needs the sorter key/);
  t.regex((await issues(bgpdnsDnsKind, n('bgpdns-dns', { ...listen, UPSTREAM: '198.18.16.26:53', SORTER_TIMEOUT: '0' })))[0], /^env\.SORTER_TIMEOUT: expected a whole number/);
  t.regex((await issues(bgpdnsDnsKind, n('bgpdns-dns', { ...listen }, ['/nonexistent/data:/etc/tinydns/data'])))[0], /^binds: tinydns data file \/nonexistent\/data not found/);
  t.deepEqual(await issues(tinydnsKind, n('tinydns', listen)), ['binds: needs the tinydns data file: a bind "<file>:/etc/tinydns/data"']);
  t.regex((await issues(unboundKind, n('unbound', {}, ['/nonexistent/u.conf:/etc/unbound/unbound.conf']))).join('\n'), /env\.LISTEN: needs the service address[\s\S]*binds: unbound config \/nonexistent\/u\.conf not found/);
});

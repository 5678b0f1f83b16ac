import test from 'ava';
import { allKinds } from '../kinds/registry.js';
import { declaredNeeds, packageChecks } from './doctor-checks.js';

test('every kind declares what it runs (needs), and doctor checks each of those executables', (t) => {
  const checked = new Set(declaredNeeds().map((n) => n.executable));
  for (const kind of allKinds()) {
    t.truthy(kind.needs, `kind ${kind.name} declares no needs`);
    for (const n of kind.needs) t.true(checked.has(n.executable), `${kind.name}: ${n.executable}`);
  }
  t.true(checked.has('/usr/sbin/unbound'), 'unbound is among what the labs run');
});

test('a missing executable is reported with its package and the apt-get command that installs it', async (t) => {
  const [check] = packageChecks([
    { executable: '/nonexistent/cl-doctor/bgpd', package: 'frr', usedBy: 'kind frr' },
    { executable: process.execPath, package: 'frr', usedBy: 'kind frr' },
  ]);
  t.is(check.name, 'frr');
  t.deepEqual(await check.run(), {
    status: 'missing',
    detail: 'missing /nonexistent/cl-doctor/bgpd (kind frr)',
    fix: 'apt-get install -y frr',
    packages: ['frr'],
  });
  const [present] = packageChecks([{ executable: process.execPath, package: 'nodejs', usedBy: 'the harness' }]);
  t.is((await present.run()).status, 'ok');
  const [onPath] = packageChecks([{ executable: 'cl-no-such-tool', package: 'cl-pkg', usedBy: 'x', optional: true }]);
  t.is(onPath.optional, true);
  t.is((await onPath.run()).fix, 'apt-get install -y cl-pkg');
});

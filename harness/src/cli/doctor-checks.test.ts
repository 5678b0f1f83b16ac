import test from 'ava';
import { allKinds } from '../kinds/registry.js';
import { declaredNeeds, packageChecks } from './doctor-checks.js';
import { BENCH_NEEDS, DOCKER_NEEDS, HARNESS_NEEDS, TEST_TOOL_NEEDS } from '../install/harness-needs.js';

test('every kind declares what it runs (needs), and doctor checks each of those executables', async (t) => {
  const checked = new Set((await declaredNeeds()).map((n) => n.executable));
  for (const kind of allKinds()) {
    t.truthy(kind.needs, `kind ${kind.name} declares no needs`);
    for (const n of kind.needs) t.true(checked.has(n.executable), `${kind.name}: ${n.executable}`);
  }
  t.true(checked.has('/usr/sbin/unbound'), 'unbound is among what the labs run');
  // The same declarations the launcher installs from: the harness's, Docker's, the tests', the benches', the scenarios'.
  for (const n of [...HARNESS_NEEDS, ...DOCKER_NEEDS, ...TEST_TOOL_NEEDS, ...BENCH_NEEDS]) t.true(checked.has(n.executable), n.executable);
  t.true(checked.has('/usr/bin/dig'), 'dig, which bgpdns-sorter-failure runs in h1');
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

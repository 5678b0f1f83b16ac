/**
 * @bgpdns-lab/harness/testing — support for the harness's own tests and benches:
 * small labs deployed by deploy() from the topology files in testing/labs/, and a
 * synthetic run record for the report tests. Lives outside src/: shipped code never
 * imports it and no bundle contains it (harness/src/images/bgpdns-bundle.test.ts checks).
 */
export { deployTestLab, destroyTestLab, testLabName } from './deploy-test-lab.js';
export { syntheticRunRecord, FIXTURE_ADDRESSES, FIXTURE_CLIENTS, type FixtureOptions } from './report-fixture.js';
export { spawnWatched, type WatchedProcess } from './process-output.js';

/**
 * @bgpdns-lab/bgpdns/testing — support for the tests and benches of the bgpdns
 * daemons: message builders and fixtures, in-memory transports, DNS clients,
 * real tinydns and DNS-front processes, RIB builders. Lives outside src/ so
 * that nothing here is ever in the daemons' bundle (harness/src/images/bgpdns-bundle.test.ts
 * checks it); shipped code never imports it.
 * (listen-probe.ts is a script run as a child process, not a module to import.)
 */
export * from './bgp/test-support.js';
export * from './bgp/fixtures.js';
export * from './bgp/memory-transport.js';
export * from './dns/canned-upstream.js';
export * from './dns/corpus.js';
export * from './dns/dns-client.js';
export * from './dns/front-process.js';
export * from './dns/prefix-table-ranker.js';
export * from './dns/tinydns-process.js';
export * from './rib/test-helpers.js';
export * from './user-ids.js';

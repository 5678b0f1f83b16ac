// Unit tests live next to the code they test (test support has its own, in the testing/ folders);
// they may create small namespaces of their own.
export default {
  files: ['harness/src/**/*.test.ts', 'harness/testing/**/*.test.ts', 'images/bgpdns/src/**/*.test.ts', 'images/bgpdns/testing/**/*.test.ts', 'docs/**/*.test.ts', 'scripts/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  concurrency: 2,
  timeout: '2m',
  workerThreads: false,
};

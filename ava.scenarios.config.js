// Lab-backed scenarios: one file at a time, one test at a time, so timings stay honest.
export default {
  files: ['scenarios/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  concurrency: 1,
  serial: true,
  timeout: '5m',
  workerThreads: false,
};

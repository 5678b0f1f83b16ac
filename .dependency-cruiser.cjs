// The architecture, checked: `npm run typecheck` (and so `./bgpdns-lab test`) fails on
// any of these. The rule that no module but the netns runtime runs `ip netns` is not an
// import; scripts/deps/netns-commands.ts checks it in the same step (scripts/deps/check.ts).
// Paths are relative to the repository root. Each rule's comment is its reason.

/** The public entry points, as the packages' "exports" maps name them. */
const PUBLIC_ENTRIES = [
  'harness/src/index.ts',
  'harness/src/runtime/index.ts',
  'harness/testing/index.ts',
  'images/bgpdns/src/index.ts',
  'images/bgpdns/src/sorter/index.ts',
  'images/bgpdns/src/bgp/index.ts',
  'images/bgpdns/testing/index.ts',
];
const SHIPPED = '^(harness/src|images/bgpdns/src|images/bgpdns/bin)/';
const TEST_FILE = '\\.test\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'bgpdns-not-on-harness',
      comment: 'images/bgpdns is the lowest layer: its daemons ship in an image without the harness.',
      severity: 'error',
      from: { path: '^images/bgpdns/' },
      to: { path: '^harness/' },
    },
    {
      name: 'dockerode-only-in-docker-runtime',
      comment: 'Only the Docker runtime talks to the engine; everything else goes through the Runtime interface.',
      severity: 'error',
      from: { pathNot: '^harness/src/runtime/docker(\\.ts$|/)' },
      to: { path: '(^|/)node_modules/(@types/)?dockerode/|^dockerode$' },
    },
    {
      name: 'report-not-on-live-lab',
      comment: 'Reports are rendered from run.json alone (also where no lab runs), so report/ never reaches runtimes, probes or kinds.',
      severity: 'error',
      from: { path: '^harness/src/report/' },
      to: { path: '^harness/src/(runtime|probes|kinds)/' },
    },
    {
      name: 'users-import-public-entries-only',
      comment: 'scenarios/, bench/ and docs/ are the packages\' users: they import only the public entry points (package "exports"), the API we keep stable.',
      severity: 'error',
      from: { path: '^(scenarios|bench|docs)/' },
      to: { path: '^(harness|images/bgpdns)/', pathNot: PUBLIC_ENTRIES.map((f) => `^${f.replaceAll('.', '\\.')}$`) },
    },
    {
      name: 'cross-package-by-name',
      comment: 'Another package is imported by its name (@bgpdns-lab/...) through its exports map, never by a relative path into its files.',
      severity: 'error',
      from: { path: '^(harness|images/bgpdns|scenarios|bench|docs)/' },
      to: { path: '^(harness|images/bgpdns)/', pathNot: '^$1/', dependencyTypesNot: ['aliased-workspace'] },
    },
    {
      name: 'no-test-support-in-shipped-code',
      comment: 'Test support (testing/ folders, *.test.ts) stays out of shipped code, so it never lands in the esbuild bundle or a daemon.',
      severity: 'error',
      from: { path: SHIPPED, pathNot: TEST_FILE },
      to: { path: ['^(harness|images/bgpdns)/testing/', TEST_FILE] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import the resolver cannot follow is a deep import past an exports map or a typo, and would hide its edge from every rule above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // Merge package.json files up to the root, so the root's "workspaces" mark workspace imports in every package.
    combinedDependencies: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Workspace packages are resolved through their "exports" maps, as node and tsc do.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};

/**
 * @bgpdns-lab/harness — the public API for users' own labs and scenarios.
 * An explicit list: what is not exported here (or from @bgpdns-lab/harness/runtime,
 * below the scenario API, or @bgpdns-lab/harness/testing, test support) is internal
 * and may change. docs/writing-scenarios.md lists every entry point.
 *
 *   import { deploy, frr, Faults, watchRoutes, waitUntil, RunRecorder } from '@bgpdns-lab/harness';
 *   await using lab = await deploy('my-lab.clab.yml');
 */

// Clock: one monotonic millisecond clock for every plane.
export { monoNow, monoToWall, wallToMono, type Millis } from './clock.js';

// Topology files and deployed labs.
export { loadTopology, type LoadOptions } from './topology/load.js';
export type { Lab, LabNode, LabLink, LinkEndpoint } from './topology/model.js';
export { deploy, type DeployOptions } from './lab/deploy.js';
export { destroyLab, attachLab, leftovers, deployedLabs } from './lab/destroy.js';
export { waitBgpConverged, waitSessionsEstablished, bgpSessions, type ConvergedResult, type BgpSessionState } from './lab/converged.js';
export type { DeployedLab, DeployedNode } from './lab/handle.js';
export type { LabHandle } from './lab/lab-handle.js';
export { writeChainLab, type ChainLabSpec } from './topology/generate.js';
export type { Runtime, NodeProcess, ExecOptions, ExecResult, SpawnOptions, Placement, Leftover } from './runtime/runtime.js';
export { runtimeNamed, defaultRuntimeName, type RuntimeOptions } from './runtime/by-name.js';
export { RUNTIME_NAMES, DEPLOYING_RUNTIMES, type RuntimeName, type DeployingRuntimeName } from './runtime/names.js';

// FRR control over the vty unix sockets.
export { FrrControl, frr, vtyClient, closeVtyClients, asPathList, type FrrNode } from './frr/frr-control.js';
export type { BgpSummary, BgpSummaryAf, BgpSummaryPeer, BgpPath, BgpPrefixPaths, BfdPeer } from './frr/frr-json.js';
export { VtyClient, VtyError, type VtyClientOptions } from '@bgpdns-lab/bgpdns';

// Faults.
export { Faults, NetemUnsupportedError, netemSupported, type FaultSink, type FlapOptions, type FlapHandle } from './faults/faults.js';
export { ifaceToward, type FaultHandle, type FaultLab } from './faults/fault.js';
export type { Direction } from './faults/nft.js';
// The fault registry: one module per fault, used by the CLI, timelines and Faults.apply(name, …).
export { FAULTS, findFault } from './faults/registry.js';
export { defineFault, type FaultDefinition, type FaultParam, type Applied, type FaultContext, type TrackedFault } from './faults/definition.js';
export { FaultArgError } from './faults/fault-args.js';

// Probes.
export {
  RouteWatcher,
  watchRoutes,
  summarizePath,
  type RouteChange,
  type RouteChangeType,
  type RouteSource,
  type BestPath,
  type SessionChange,
  type RouteWatchOptions,
} from './probes/route-watcher.js';
export { FrrLogParser, type LogRouteEvent } from './probes/route-watcher-log.js';
export { startDnsProber, type RunningDnsProber, type DnsProberSpec } from './probes/dns-prober-run.js';
export { clientOutage, isGood, type ClientOutage, type DnsProbeSample } from './probes/dns-samples.js';
export { startSorterProber, type RunningSorterProber, type SorterProberSpec } from './probes/sorter-prober-run.js';
export { sorterFirst, type SorterSample } from './probes/sorter-prober.js';
export { dnsOrderChanges, type DnsOrderOptions } from './probes/dns-order.js';

// What the BGPDNS node kinds expose to scenarios: the front's metrics, the sorter's
// status, the health agent's files, the bgpdns command the kinds run.
export { frontMetrics } from './kinds/bgpdns-dns.js';
export { parsePrometheusText, type PrometheusText } from './probes/prometheus-text.js';
export { readSorterStatus } from './kinds/bgpdns-sorter.js';
export { MAINTENANCE_FILE, HEALTH_STATUS_FILE } from './kinds/bgpdns-health.js';
export { BGPDNS_BIN } from './kinds/dns-service.js';

// Waits.
export { waitUntil, waitForJson, WaitTimeoutError, type WaitOptions, type WaitResult, type CheckResult } from '@bgpdns-lab/bgpdns';
export { jsonSubset, type JsonDiff } from '@bgpdns-lab/bgpdns';

// Measurements and the run record.
export { RunRecorder, MeasurementSeries, machineFacts, newRunId, type RunSink, type MeasurementSpec, type RecorderOptions } from './run/recorder.js';
export { percentile, percentileOfSorted, median, summarize, type Summary } from '@bgpdns-lab/bgpdns';
export { meetsSlo, sloMet, formatSlo } from './run/stats.js';
export type { RunRecord, Measurement, Slo, Plane, Step, FaultEvent, ObservedEvent, Assertion, MachineFacts } from './run/record.js';
export type { Claim, RunTopology, DnsOrderSample } from './run/record.js';
export { validateRunRecord, parseRunRecord, readRunRecordFile, RunRecordError } from './run/schema.js';

// Reports: report.html, junit.xml and index.html from run.json.
export { writeRunRecord, renderRunDir, regenerateReports, defaultReportsDir, type RegenerateResult } from './report/write-reports.js';
export { renderReportHtml } from './report/report-html.js';
export { renderJunit } from './report/junit.js';

// Timeline replay (`bgpdns-lab replay`): what each occurrence did, as the run record holds it.
export type { OccurrenceView, ReplayResult } from './timeline/replay.js';

// Scenarios: one definition, run under ava or by `bgpdns-lab run`.
export { defineScenario, ScenarioAssertionError, defaultTrials, type Scenario, type ScenarioPart, type ScenarioContext, type ScenarioLab } from './scenario/scenario.js';
export { avaScenario } from './scenario/ava.js';
export { runScenarios, loadScenario, measurementTable, lastLine, type RunOptions, type RunResult } from './scenario/runner.js';

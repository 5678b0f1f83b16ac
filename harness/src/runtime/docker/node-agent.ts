/**
 * The agent beside a node on another host: a container from the bgpdns image in
 * the node's network namespace (`--network container:<node>`), made on the
 * node's host engine and labelled with the lab, sharing the node's mounts (its
 * node directory: vty sockets, FRR's log). Instruments run in it (the DNS
 * prober, the sorter prober and the route watch, shipped in the image under
 * /opt/bgpdns-lab/agent/), stamp their lines on their host's clock, and stream
 * them back over the host's Docker endpoint; the harness converts each stamp to its own clock (the host's
 * monotonic-to-wall anchor, read in the agent, then the host's measured clock
 * offset) and appends the sample to the file the prober would have written.
 * No unix socket or path of the harness's machine is used on the host.
 */
import { statSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { LAB_ROOT } from '../lab-state.js';
import { copyBinds } from './node-files.js';
import { wallToMono } from '../../clock.js';
import type { InstrumentRun, NodeProcess } from '../runtime.js';
import { LABEL_KIND, LABEL_LAB, LABEL_NODE, LABEL_RUN, createAndStart } from './containers.js';
import { execIn, execStreaming } from './exec.js';
import { AGENT_IMAGE } from './host-agent.js';

export const NODE_AGENT_KIND = 'node-agent';
/** Harness instruments the agent carries: harness source file → file in the image (bundled by images/bgpdns-bundle.ts). */
export const AGENT_INSTRUMENTS: { source: string; file: string }[] = [
  { source: 'harness/src/probes/dns-prober-main.ts', file: '/opt/bgpdns-lab/agent/dns-prober.mjs' },
  { source: 'harness/src/probes/sorter-prober-main.ts', file: '/opt/bgpdns-lab/agent/sorter-prober.mjs' },
  { source: 'harness/src/probes/route-watch-agent-main.ts', file: '/opt/bgpdns-lab/agent/route-watch.mjs' },
];

/** Stamps in an instrument's lines that are times on its host's monotonic clock. */
const STAMPS = ['at', 'notBefore'] as const;

/** The image file of a declared instrument, if the agent carries it. */
export function agentInstrument(run: InstrumentRun): { file: string; args: string[] } | undefined {
  const carried = AGENT_INSTRUMENTS.find((i) => i.source === run.source);
  return carried && { file: carried.file, args: run.args };
}

export interface AgentNode {
  id: string;
  endpoint: string;
}

export async function startNodeAgent(prefix: string, lab: string, node: string, c: AgentNode, runId: string): Promise<string> {
  const { id } = await createAndStart(
    {
      name: `${prefix || 'clab'}-${lab}-${node}-agent`,
      image: AGENT_IMAGE,
      hostname: '',
      labels: { [LABEL_LAB]: lab, [LABEL_NODE]: node, [LABEL_KIND]: NODE_AGENT_KIND, [LABEL_RUN]: runId },
      env: {},
      binds: [],
      capAdd: [],
      sysctls: {},
      cmd: ['sleep', 'infinity'],
      network: `container:${c.id}`,
      // The node's mounts at the same paths: its directory (vty sockets, FRR's log) as the node sees it on its host.
      volumesFrom: [c.id],
    },
    c.endpoint,
  );
  return id;
}

/** The host's wall clock minus its monotonic clock, read in one process in the agent (ms). */
async function monoAnchor(agentId: string, endpoint: string): Promise<number> {
  const r = await execIn(agentId, ['node', '-e', 'process.stdout.write(String(Date.now() - Number(process.hrtime.bigint()) / 1e6))'], { timeoutMs: 15_000 }, endpoint);
  const anchor = Number(r.stdout);
  if (r.exitCode !== 0 || !Number.isFinite(anchor)) throw new Error(`agent ${agentId.slice(0, 12)}: cannot read its clocks: ${(r.stderr || r.stdout).trim()}`);
  return anchor;
}

/**
 * Files of this machine an instrument's arguments name (the sorter prober's key, in
 * the lab directory) are copied into the agent at the same path: the agent shares
 * only the node's own directory, and a host has no other view of this machine.
 */
async function copyArgFiles(agentId: string, endpoint: string, args: string[]): Promise<void> {
  const files = args.filter((a) => path.isAbsolute(a) && !a.startsWith(`${LAB_ROOT}/`) && statSync(a, { throwIfNoEntry: false })?.isFile());
  if (files.length > 0) await copyBinds({ id: agentId, endpoint }, files.map((f) => `${f}:${f}`));
}

/**
 * Start an instrument in the agent; its JSON lines (field `at`: the host's
 * monotonic ms) land in `outFile` converted to the harness's monotonic clock.
 * `clockOffsetMs` is the host's clock minus the harness's.
 */
export async function spawnInAgent(
  agentId: string,
  endpoint: string,
  spec: { node: string; role: string; argv: string[]; file: string; args: string[]; outFile: string; logFile: string; clockOffsetMs: number },
): Promise<NodeProcess> {
  await copyArgFiles(agentId, endpoint, spec.args);
  const anchor = await monoAnchor(agentId, endpoint);
  const toHarness = (hostMono: number) => wallToMono(hostMono + anchor - spec.clockOffsetMs);
  let pid: string | undefined;
  let gotPid!: () => void;
  const pidKnown = new Promise<void>((r) => (gotPid = r));
  let rest = '';
  let writing = Promise.resolve();
  const onLine = (line: string) => {
    if (pid === undefined) {
      pid = line.trim();
      gotPid();
      return;
    }
    const sample = JSON.parse(line) as Record<string, unknown>;
    for (const k of STAMPS) if (typeof sample[k] === 'number') sample[k] = toHarness(sample[k]);
    writing = writing.then(() => appendFile(spec.outFile, `${JSON.stringify(sample)}\n`));
  };
  const { done } = await execStreaming(
    agentId,
    ['sh', '-c', 'echo $$; exec node "$@"', 'agent', spec.file, ...spec.args],
    (chunk) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) onLine(l);
    },
    (chunk) => void appendFile(spec.logFile, chunk),
    endpoint,
  );
  const exited = done.then(async (code) => {
    await writing;
    gotPid();
    return code;
  });
  await Promise.race([pidKnown, exited]);
  const kill = (sig: string) => (pid ? execIn(agentId, ['kill', `-${sig}`, pid], { timeoutMs: 10_000 }, endpoint).then(() => undefined) : Promise.resolve());
  return {
    node: spec.node,
    role: spec.role,
    pid: 0,
    argv: spec.argv,
    exited,
    signal: (sig) => void kill(sig.replace(/^SIG/, '')),
    async stop(graceMs = 1000) {
      await kill('TERM');
      const late = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs))]);
      if (late) {
        await kill('KILL');
        await exited;
      }
    },
  };
}

import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeChainLab } from '../topology/generate.js';
import { destroyLab, leftovers } from './destroy.js';
import { labDir, readState } from '../runtime/lab-state.js';

/**
 * Clean-up that cannot be skipped: a harness (the real CLI, `deploy`) is killed at
 * points spread over its whole deploy, then `destroy` must leave nothing — no
 * namespace, no process, no directory. SIGTERM/SIGINT must clean up by themselves.
 * Lab names start with "h1k" (this file only).
 */
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli/main.ts');
const RUNS = 12;
let file: string;
/** Same routers plus a host whose exec line sleeps: a deploy of it is still running when signalled. */
let slowFile: string;
let scratch: string;
// This run's PID in the name: a concurrent test run elsewhere on the machine has its own lab.
const LAB = `h1kill${process.pid.toString(36)}`;

test.before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'h1-kill-'));
  file = await writeChainLab({ name: LAB, routers: 3, dir: scratch });
  slowFile = path.join(scratch, 'slow.clab.yml');
  await writeFile(slowFile, `${await readFile(file, 'utf8')}    - endpoints: ["r3:eth2", "h1:eth1"]\n`.replace('  links:', '    h1: {kind: client, exec: ["sleep 60"]}\n  links:'));
  await destroyLab(LAB);
});

test.after.always(async () => {
  await destroyLab(LAB);
  await rm(scratch, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ms from the lab directory appearing (deploy started creating) to the child's exit. */
  deployMs: number;
  stderr: string;
}

/** Daemons the deploying harness has recorded so far. */
function startedProcesses(): number {
  return readState(LAB)?.processes.length ?? 0;
}

/**
 * Start `bgpdns-lab deploy` as a child; once the lab directory exists (the harness
 * began creating) and `when()` holds, wait `afterMs` and send `signal` (none: let it finish).
 */
function runDeploy(signal?: NodeJS.Signals, afterMs = 0, when: () => boolean = () => true, topology = file): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'deploy', topology, '--no-converge'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let began = 0;
    let signalled = false;
    const poll = setInterval(() => {
      if (!began && existsSync(labDir(LAB))) began = performance.now();
      if (!began || !signal || signalled || !when()) return;
      signalled = true;
      setTimeout(() => child.kill(signal), afterMs);
    }, 1);
    child.on('error', reject);
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      resolve({ code, signal: sig, deployMs: began ? performance.now() - began : 0, stderr });
    });
  });
}

test.serial(`SIGKILL at ${RUNS} points spread over deploy, then destroy: zero leftovers`, async (t) => {
  const full = await runDeploy();
  t.is(full.code, 0, full.stderr);
  t.true(full.deployMs > 0);
  await destroyLab(LAB);
  t.deepEqual(await leftovers(LAB), []);

  const seen: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Stratified random: run i dies somewhere in the i-th slice of a full deploy.
    const at = ((i + Math.random()) / RUNS) * full.deployMs;
    const run = await runDeploy('SIGKILL', at);
    const before = await leftovers(LAB);
    const daemons = readState(LAB)?.processes ?? [];
    seen.push(`${at.toFixed(0)}ms:${before.length}`);
    await destroyLab(LAB);
    const after = await leftovers(LAB);
    // FRR's per-process crash-log dirs go too (a SIGKILLed daemon would leave them).
    t.deepEqual(daemons.map((d) => `/var/tmp/frr/${d.role}.${d.pid}`).filter((d) => existsSync(d)), [], `run ${i}`);
    t.deepEqual(after, [], `run ${i}: killed ${at.toFixed(0)} ms into a ${full.deployMs.toFixed(0)} ms deploy (exit ${run.signal ?? run.code}); before destroy: ${before.length} leftovers`);
  }
  t.log(`full deploy ${full.deployMs.toFixed(0)} ms; kill point:leftovers before destroy = ${seen.join(' ')}`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test.serial(`${signal} during deploy tears the lab down by itself`, async (t) => {
    // Signalled once all three routers' daemons are recorded; the host's `sleep 60` exec line
    // keeps the deploy running, so the signal always lands mid-deploy with everything to clean.
    const run = await runDeploy(signal, 0, () => startedProcesses() >= 6, slowFile);
    t.deepEqual(await leftovers(LAB), [], run.stderr);
    t.is(run.code, signal === 'SIGTERM' ? 143 : 130, run.stderr);
    t.regex(run.stderr, new RegExp(`${signal}: destroying lab ${LAB}`));
  });
}

test.serial('SIGTERM while a deployed lab is in use (a scenario running) tears it down', async (t) => {
  // A harness process that deploys, says so, and then works with the lab until stopped.
  const script = path.join(scratch, 'hold.mts');
  const deployModule = path.resolve(path.dirname(MAIN), '../lab/deploy.ts');
  await writeFile(script, `import { deploy } from ${JSON.stringify(deployModule)};\nawait deploy(${JSON.stringify(file)});\nprocess.stdout.write('deployed\\n');\nsetInterval(() => {}, 1000);\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'], cwd: path.resolve(path.dirname(MAIN), '../../..') });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('deployed') && resolve());
    child.on('exit', (code) => reject(new Error(`harness exited (${code}) before deploying: ${stderr}`)));
  });
  t.true((await leftovers(LAB)).length > 0, 'the lab is up');
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.is(await exit, 143, stderr);
  t.deepEqual(await leftovers(LAB), [], stderr);
});

/**
 * Bring a Docker engine up for a test run and take down only what we brought up.
 * If an engine already answers (the user's, systemd's, CI's), it is used and left
 * alone. Otherwise `dockerd` (Debian docker.io) is started in the background with
 * no default bridge — lab containers run with --network none and image builds
 * use the host network — and without turning on the host's IP forwarding (lab
 * nodes forward inside their own namespaces; the machine's own routing stays as
 * its owner set it). Its PID and start time are recorded so that `down` stops
 * exactly that process and nothing else.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { engineAddress, engineAnswers } from '../runtime/docker/engine.js';
import { cmdline, isAlive, procStartTime, terminate } from '../runtime/procs.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';

/** Outside /run/bgpdns-lab on purpose: every directory there is a lab. */
export const ENGINE_STATE_DIR = '/run/bgpdns-lab-engine';
const RECORD = `${ENGINE_STATE_DIR}/dockerd.json`;
export const DOCKERD_LOG = '/var/log/bgpdns-lab-dockerd.log';

interface StartedEngine {
  pid: number;
  startTime: number;
  startedAt: string;
}

function readRecord(): StartedEngine | undefined {
  try {
    return JSON.parse(readFileSync(RECORD, 'utf8')) as StartedEngine;
  } catch {
    return undefined;
  }
}

function dockerdPath(): string | undefined {
  return ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => existsSync(p));
}

export type EngineUp = { started: false; address: string } | { started: true; pid: number; seconds: number };

export async function engineUp(log: (l: string) => void, timeoutMs = 60_000): Promise<EngineUp> {
  if (await engineAnswers()) return { started: false, address: engineAddress() };
  const dockerd = dockerdPath();
  if (!dockerd) {
    throw new Error('no Docker engine answers and dockerd is not installed; install the Debian package docker.io (./bgpdns-lab images, test and bench install it)');
  }
  if (process.env.DOCKER_HOST && !process.env.DOCKER_HOST.startsWith('unix:///var/run/docker.sock')) {
    throw new Error(`DOCKER_HOST=${process.env.DOCKER_HOST} does not answer; start that engine, or unset DOCKER_HOST to let bgpdns-lab start a local dockerd`);
  }
  mkdirSync(ENGINE_STATE_DIR, { recursive: true });
  const started = Date.now();
  const out = openSync(DOCKERD_LOG, 'a');
  let child;
  try {
    child = spawn(dockerd, ['--bridge=none', '--ip-forward=false', `--pidfile=${ENGINE_STATE_DIR}/dockerd.pid`, '--host=unix:///var/run/docker.sock'], {
      stdio: ['ignore', out, out],
      detached: true,
    });
  } finally {
    closeSync(out);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${dockerd}; see ${DOCKERD_LOG}`);
  child.unref();
  writeFileSync(RECORD, JSON.stringify({ pid, startTime: procStartTime(pid) ?? 0, startedAt: new Date().toISOString() }));
  log(`started dockerd (pid ${pid}), log ${DOCKERD_LOG}`);
  // The wait also ends when dockerd exits: nothing would answer any more.
  const { value: engine } = await waitUntil(async () => ({ answers: await engineAnswers(1000), alive: isAlive(pid) }), (s) => s.answers || !s.alive, {
    what: 'dockerd answers',
    timeout: Math.max(0, timeoutMs - (Date.now() - started)),
    interval: 200,
    onTimeout: () => new Error(`dockerd (pid ${pid}) did not answer within ${timeoutMs / 1000} s; see ${DOCKERD_LOG}`),
  });
  if (!engine.answers) throw new Error(`dockerd exited while starting; see ${DOCKERD_LOG}`);
  return { started: true, pid, seconds: (Date.now() - started) / 1000 };
}

/** Stop the dockerd we started (by recorded PID + start time); an engine we did not start is left running. */
export async function engineDown(log: (l: string) => void): Promise<boolean> {
  const rec = readRecord();
  if (!rec) return false;
  if (isAlive(rec.pid, rec.startTime) && cmdline(rec.pid)[0]?.endsWith('dockerd')) {
    await terminate([{ pid: rec.pid, startTime: rec.startTime }], 20_000);
    log(`stopped dockerd (pid ${rec.pid}) started ${rec.startedAt}`);
  }
  rmSync(RECORD, { force: true });
  return true;
}

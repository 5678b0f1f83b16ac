/**
 * The one runtime factory: deploy(), the CLI, scenarios and destroy all get their
 * runtime here, by name (`--runtime`, BGPDNS_RUNTIME, a lab's state file). The
 * Docker runtime loads dockerode only when it first talks to the engine, so making
 * one (or every runtime, for destroy and leak checks) costs nothing for netns runs.
 */
import type { Runtime } from './runtime.js';
import { NetnsRuntime } from './netns.js';
import { DockerRuntime } from './docker.js';
import { AttachRuntime } from './attach.js';
import { DEPLOYING_RUNTIMES, RUNTIME_NAMES, runtimeNameOf, type DeployingRuntimeName, type RuntimeName } from './names.js';

export { DEPLOYING_RUNTIMES, RUNTIME_NAMES, type DeployingRuntimeName, type RuntimeName };

/** The runtime scenarios and `deploy` use when none is given: BGPDNS_RUNTIME, default netns. */
export function defaultRuntimeName(env = process.env): RuntimeName {
  return runtimeNameOf(env.BGPDNS_RUNTIME ?? 'netns', RUNTIME_NAMES, 'BGPDNS_RUNTIME');
}

export interface RuntimeOptions {
  /** Run id put on what the runtime creates (Docker's bgpdns-lab.run label). */
  runId?: string;
}

export function runtimeNamed(name: string = defaultRuntimeName(), opts: RuntimeOptions = {}): Runtime {
  const known = runtimeNameOf(name, RUNTIME_NAMES, 'runtime');
  switch (known) {
    case 'netns':
      return new NetnsRuntime();
    case 'docker':
      return new DockerRuntime(opts);
    case 'attach':
      return new AttachRuntime(opts);
  }
}

/** Every runtime that may hold resources of a lab on this host (for destroy and leak checks). */
export function allRuntimes(): Runtime[] {
  return DEPLOYING_RUNTIMES.map((n) => runtimeNamed(n));
}

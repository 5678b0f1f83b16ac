/**
 * Pick a runtime by name (`--runtime`, or BGPDNS_RUNTIME for scenarios and
 * tests). The Docker runtime loads dockerode only when it first talks to the
 * engine, so picking it (or listing every runtime) costs nothing for netns runs.
 */
import type { Runtime } from './runtime.js';
import { NetnsRuntime } from './netns.js';
import { DockerRuntime } from './docker.js';

export const RUNTIME_NAMES = ['netns', 'docker'] as const;
export type RuntimeName = (typeof RUNTIME_NAMES)[number];

/** The runtime scenarios use: BGPDNS_RUNTIME (netns|docker), default netns. */
export function defaultRuntimeName(env = process.env): RuntimeName {
  const name = env.BGPDNS_RUNTIME ?? 'netns';
  if (!(RUNTIME_NAMES as readonly string[]).includes(name)) {
    throw new Error(`BGPDNS_RUNTIME="${name}" is not a runtime; known: ${RUNTIME_NAMES.join(', ')}`);
  }
  return name as RuntimeName;
}

export function runtimeNamed(name: string = defaultRuntimeName()): Runtime {
  if (name === 'netns') return new NetnsRuntime();
  if (name === 'docker') return new DockerRuntime();
  throw new Error(`runtime "${name}" is not known; known: ${RUNTIME_NAMES.join(', ')}`);
}

/** Every runtime that may hold resources of a lab on this host (for destroy and leak checks). */
export function allRuntimes(): Runtime[] {
  return RUNTIME_NAMES.map((n) => runtimeNamed(n));
}

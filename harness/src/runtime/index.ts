/**
 * @bgpdns-lab/harness/runtime — below the scenario API: the runtimes, the lab state on
 * disk, resource naming, Docker containers and the node images. For runtime tests and
 * for benchmarks whose plain-script references drive namespaces or containers
 * themselves. Scenarios use `@bgpdns-lab/harness`; what is not exported here is internal.
 */

// Runtimes (docs/scaling.md for simulated hosts).
export { NetnsRuntime } from './netns.js';
export { DockerRuntime, type DockerRuntimeOptions } from './docker.js';
export { attachToLab } from './attach.js';
export { hostsUp, hostsDown, hostSetLeftovers, loadImages } from './hosts/simulated-hosts.js';
// The vty sockets this process connected to itself (a split-hosts test checks none crossed a host boundary).
export { vtySocketsConnected } from '../frr/frr-control.js';

// What a lab leaves on the host: its state directory, namespaces, processes.
export { labDir, readState, type LabState } from './lab-state.js';
export { pidsInNamespaces } from './netns-destroy.js';
export { netnsName } from '../topology/names.js';
export { NODE_SYSCTLS, nodeSysctlArgv } from './node-sysctls.js';
export { guardLab, unguardLab } from '../lab/cleanup-on-signal.js';

// Docker: the engine and the lab's containers (labelled with the lab's name).
export { requireEngine } from './docker/engine.js';
export { containersWith, createAndStart, removeContainer, type ContainerSpec, type LabContainer } from './docker/containers.js';

// What nodes run: the FRR kind's plan and argv, the bundled bgpdns daemons.
export { planFrrNode, frrConfigFiles, daemonArgv, type FrrPlan } from '../kinds/frr.js';
export { bundleBgpdns } from '../images/bgpdns-bundle.js';

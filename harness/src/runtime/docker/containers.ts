/**
 * Lab containers as the engine sees them: created with every label a reaper
 * needs (ours and containerlab's), listed and removed by label, paused and
 * unpaused. Names and labels follow containerlab so that its tools, and our
 * attach runtime, find a lab either of us deployed.
 */
import type Docker from 'dockerode';
import { engine } from './engine.js';

/** Our labels on every container and network a lab creates. */
export const LABEL_LAB = 'bgpdns-lab.lab';
export const LABEL_NODE = 'bgpdns-lab.node';
export const LABEL_RUN = 'bgpdns-lab.run';
export const LABEL_KIND = 'bgpdns-lab.kind';
/** containerlab's own labels (clab-node-name, containerlab=<lab>), so `attach` reads both kinds of lab alike. */
export const CLAB_LAB = 'containerlab';
export const CLAB_NODE = 'clab-node-name';
export const CLAB_KIND = 'clab-node-kind';
export const CLAB_TOPO = 'clab-topo-file';

/** containerlab's container name: `<prefix>-<lab>-<node>`, or just `<node>` with an empty prefix. */
export function containerName(prefix: string, lab: string, node: string): string {
  return prefix === '' ? node : `${prefix}-${lab}-${node}`;
}

export interface ContainerSpec {
  name: string;
  image: string;
  hostname: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  binds: string[];
  capAdd: string[];
  sysctls: Record<string, string>;
  cmd: string[];
  /**
   * Default none. `host` only for a host agent (the host's own network, where the
   * underlay is); `container:<id>` for an agent beside a node (the node's network).
   */
  network?: 'none' | 'host' | `container:${string}`;
  pidMode?: 'host';
  /** Paths that are the container's own volumes (a node on another host: its node directory). */
  volumes?: string[];
  /** Containers whose mounts this one shares (an agent beside a node: the node's directory). */
  volumesFrom?: string[];
}

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

/** Create and start a container with no network but its own loopback (data-plane links come as veths). */
export async function createAndStart(spec: ContainerSpec, endpoint?: string): Promise<{ id: string; pid: number }> {
  const docker = await engine(endpoint);
  let container: Docker.Container;
  try {
    container = await docker.createContainer({
      name: spec.name,
      Image: spec.image,
      // A container in another's network namespace takes that one's hostname.
      ...(spec.hostname ? { Hostname: spec.hostname } : {}),
      Labels: spec.labels,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      Entrypoint: [],
      Cmd: spec.cmd,
      Tty: false,
      ...(spec.volumes ? { Volumes: Object.fromEntries(spec.volumes.map((v) => [v, {}])) } : {}),
      HostConfig: {
        NetworkMode: spec.network ?? 'none',
        ...(spec.pidMode ? { PidMode: spec.pidMode } : {}),
        Binds: spec.binds,
        ...(spec.volumesFrom ? { VolumesFrom: spec.volumesFrom } : {}),
        CapAdd: spec.capAdd,
        // Docker's default read-only paths minus /proc/sys: lab exec lines set per-interface
        // sysctls (containerlab runs nodes privileged, which this kind of host may refuse).
        ReadonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sysrq-trigger'],
        Sysctls: spec.sysctls,
        Init: true,
        AutoRemove: false,
      },
    });
  } catch (err) {
    const code = statusOf(err);
    if (code === 409) {
      throw new Error(`container ${spec.name} already exists (left over from an earlier deploy?); run \`bgpdns-lab destroy ${spec.labels[LABEL_LAB] ?? ''}\` first`);
    }
    if (code === 404) {
      throw new Error(`image ${spec.image} is not on this machine; run \`./bgpdns-lab images build\` (images are built offline, never pulled)`);
    }
    throw err;
  }
  await container.start();
  const info = await container.inspect();
  if (!info.State.Pid) throw new Error(`container ${spec.name} started but has no PID (state ${info.State.Status})`);
  return { id: info.Id, pid: info.State.Pid };
}

export interface LabContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  state: string;
}

/** Containers (running or not) carrying label key=value. */
export async function containersWith(key: string, value?: string, endpoint?: string): Promise<LabContainer[]> {
  const list = await (await engine(endpoint)).listContainers({
    all: true,
    filters: JSON.stringify({ label: [value === undefined ? key : `${key}=${value}`] }),
  });
  return list.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), labels: c.Labels ?? {}, state: c.State }));
}

/** Every container on an engine (a simulated host's engine is ours alone). */
export async function allContainers(endpoint?: string): Promise<LabContainer[]> {
  const list = await (await engine(endpoint)).listContainers({ all: true });
  return list.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), labels: c.Labels ?? {}, state: c.State }));
}

export async function containerPid(id: string, endpoint?: string): Promise<{ pid: number; state: string; paused: boolean }> {
  const info = await (await engine(endpoint)).getContainer(id).inspect();
  return { pid: info.State.Pid, state: info.State.Status, paused: info.State.Paused };
}

export async function removeContainer(id: string, endpoint?: string): Promise<void> {
  try {
    await (await engine(endpoint)).getContainer(id).remove({ force: true, v: true });
  } catch (err) {
    // 404: already gone; 409: removal already in progress.
    if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
  }
}

export async function pauseContainer(id: string, endpoint?: string): Promise<void> {
  await (await engine(endpoint)).getContainer(id).pause();
}

export async function unpauseContainer(id: string, endpoint?: string): Promise<void> {
  await (await engine(endpoint)).getContainer(id).unpause();
}

/** Networks carrying label key=value (we create none by default; a reaper still looks). */
export async function networksWith(key: string, value?: string, endpoint?: string): Promise<{ id: string; name: string; labels: Record<string, string> }[]> {
  const list = await (await engine(endpoint)).listNetworks({ filters: JSON.stringify({ label: [value === undefined ? key : `${key}=${value}`] }) } as never);
  return (list as unknown as { Id: string; Name: string; Labels?: Record<string, string> }[]).map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} }));
}

export async function removeNetwork(id: string, endpoint?: string): Promise<void> {
  try {
    await (await engine(endpoint)).getNetwork(id).remove();
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

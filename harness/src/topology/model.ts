/**
 * The resolved Lab model: what a topology file means once defaults, kinds and
 * groups have been applied (containerlab precedence: node > group > kind > defaults)
 * and every path is absolute. Runtimes and kinds only ever see this model.
 */
export interface LabNode {
  /** Node name as written in the file (e.g. "isp1"). */
  name: string;
  /** Kind after image→kind mapping (e.g. "frr", "client"). */
  kind: string;
  /** Image as written, if any (kept for the docker runtime and for mapping). */
  image?: string;
  group?: string;
  /** Binds as "host:container[:ro]" with host paths made absolute. */
  binds: string[];
  env: Record<string, string>;
  /** Commands run inside the node after its daemons are up, in order. */
  exec: string[];
  labels: Record<string, string>;
  /** Absolute path of the startup config (frr.conf for frr nodes), if any. */
  startupConfig?: string;
  /** Kind-specific settings from the file (`config:` or unknown-but-kind-owned keys). */
  settings: Record<string, unknown>;
  /** The host (a name in Lab.hosts) the node runs on; unset: the harness's own engine. */
  host?: string;
}

/**
 * A container host of a lab split over several machines: a Docker endpoint
 * (unix, tcp or ssh, as DOCKER_HOST is written) and the host's address on the
 * underlay that carries the VXLAN tunnels of cross-host links.
 */
export interface LabHost {
  name: string;
  endpoint: string;
  underlay: string;
}

export interface LinkEndpoint {
  node: string;
  iface: string;
}

export interface LabLink {
  a: LinkEndpoint;
  b: LinkEndpoint;
  mtu?: number;
}

export interface Lab {
  /** Lab name from the file; every resource the lab creates carries it. */
  name: string;
  /** containerlab's `prefix` (default "clab"); used for container names. */
  prefix: string;
  /** Absolute path of the topology file. */
  file: string;
  /** Directory of the topology file; relative paths resolve against it. */
  dir: string;
  nodes: LabNode[];
  links: LabLink[];
  /** Hosts the nodes are placed on (empty or absent: every node on the harness's engine). */
  hosts?: LabHost[];
  /** Non-fatal findings (fields the harness does not use, …), one line each. */
  warnings: string[];
}

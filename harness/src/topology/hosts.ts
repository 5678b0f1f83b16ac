/**
 * Hosts of a lab split over several machines. containerlab deploys one topology
 * per host and has no word for this; we add a top-level `hosts:` section (NAME:
 * {endpoint, underlay}) and place nodes with a label, `bgpdns-lab.host: NAME`,
 * on the node or its group (containerlab's `labels:`, which containerlab itself
 * carries through untouched). Nodes without the label stay on the harness's engine.
 */
import type { Lab, LabHost } from './model.js';
import type { TopologyIssue } from './errors.js';

/** The placement label, on a node or its group. */
export const HOST_LABEL = 'bgpdns-lab.host';

const ENDPOINT = /^(unix:\/\/\/\S+|tcp:\/\/[^\s/]+|ssh:\/\/[^\s/]+)$/;

/** True when a dotted quad lies in 198.18.0.0/15, the only IPv4 space a lab may use. */
export function inLabSpace(addr: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(addr);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) return false;
  return m[1] === '198' && (m[2] === '18' || m[2] === '19');
}

type At = (p: readonly (string | number)[], message: string) => TopologyIssue;

/** Check the file's `hosts:` section and the nodes' placement labels; fill lab.hosts and node.host. */
export function resolveHosts(lab: Lab, raw: Record<string, { endpoint: string; underlay: string }> | undefined, issues: TopologyIssue[], at: At): void {
  const hosts: LabHost[] = [];
  for (const [name, h] of Object.entries(raw ?? {})) {
    if (!ENDPOINT.test(h.endpoint)) issues.push(at(['hosts', name, 'endpoint'], `"${h.endpoint}" is not a Docker endpoint; write unix:///path/docker.sock, tcp://host:port or ssh://user@host`));
    if (!inLabSpace(h.underlay)) issues.push(at(['hosts', name, 'underlay'], `"${h.underlay}" is not an IPv4 address inside 198.18.0.0/15 (lab addresses only)`));
    hosts.push({ name, endpoint: h.endpoint, underlay: h.underlay });
  }
  const underlays = new Map<string, string>();
  for (const h of hosts) {
    const other = underlays.get(h.underlay);
    if (other) issues.push(at(['hosts', h.name, 'underlay'], `${h.underlay} is host ${other}'s underlay address too`));
    underlays.set(h.underlay, h.name);
  }
  if (hosts.length > 0) lab.hosts = hosts;
  for (const node of lab.nodes) {
    const want = node.labels[HOST_LABEL];
    if (want === undefined) continue;
    if (!hosts.some((h) => h.name === want)) {
      const known = hosts.map((h) => h.name);
      issues.push(at(['topology', 'nodes', node.name, 'labels', HOST_LABEL], `host "${want}" is not in the file's hosts: section${known.length ? ` (hosts: ${known.join(', ')})` : ' (the file has none)'}`));
      continue;
    }
    node.host = want;
  }
}

/**
 * Place a loaded lab on hosts given outside the file (`bgpdns-lab hosts up`'s
 * simulated hosts, or a scenario's split): `place` maps a node name or group to
 * a host name, `*` for every other node. Throws naming the node or host at fault.
 */
export function placeOnHosts(lab: Lab, hosts: LabHost[], place: Record<string, string>): void {
  const names = new Set(hosts.map((h) => h.name));
  for (const [what, host] of Object.entries(place)) {
    if (!names.has(host)) throw new Error(`placement ${what} → ${host}: no host "${host}" (hosts: ${[...names].join(', ') || 'none'})`);
    if (what !== '*' && !lab.nodes.some((n) => n.name === what || n.group === what)) {
      throw new Error(`placement ${what} → ${host}: lab ${lab.name} has no node or group "${what}"`);
    }
  }
  lab.hosts = hosts;
  for (const node of lab.nodes) {
    const host = place[node.name] ?? (node.group !== undefined ? place[node.group] : undefined) ?? place['*'];
    if (host === undefined) delete node.host;
    else node.host = host;
  }
}

/** The host a node runs on, or undefined for the harness's own engine. */
export function hostOf(lab: Lab, node: string): LabHost | undefined {
  const name = lab.nodes.find((n) => n.name === node)?.host;
  return name === undefined ? undefined : lab.hosts?.find((h) => h.name === name);
}

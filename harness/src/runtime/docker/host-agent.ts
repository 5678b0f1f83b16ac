/**
 * One helper container per lab and host, `<prefix>-<lab>-host-<host>`: the
 * bgpdns image in the host's own network and PID namespaces, with NET_ADMIN and
 * SYS_ADMIN. Everything the harness must do *on* a host goes through it over
 * that host's Docker endpoint — creating the VXLAN end of a cross-host link in
 * the host's network (where the underlay is) and moving it into the node's
 * namespace, reading the host's clock — so a remote engine needs nothing but
 * its endpoint. Labelled with the lab: destroy removes it with the nodes.
 */
import type { LabHost } from '../../topology/model.js';
import { LABEL_KIND, LABEL_LAB, LABEL_RUN, containersWith, createAndStart } from './containers.js';
import { execIn } from './exec.js';
import type { ExecResult } from '../runtime.js';
import type { ClockExchange } from '../../run/host-clock.js';

export const AGENT_KIND = 'host-agent';
export const LABEL_HOST = 'bgpdns-lab.host';
export const AGENT_IMAGE = 'bgpdns-lab/bgpdns:latest';
/** Alias on every tunnel device: finds a lab's tunnels in a host namespace after a killed harness. */
export const tunnelAlias = (lab: string, link: string) => `bgpdns-lab:${lab}:${link}`;

export interface HostAgent {
  host: LabHost;
  id: string;
}

export async function startHostAgent(prefix: string, lab: string, host: LabHost, runId: string): Promise<HostAgent> {
  const name = `${prefix || 'clab'}-${lab}-host-${host.name}`;
  const { id } = await createAndStart(
    {
      name,
      image: AGENT_IMAGE,
      hostname: host.name,
      labels: { [LABEL_LAB]: lab, [LABEL_KIND]: AGENT_KIND, [LABEL_HOST]: host.name, [LABEL_RUN]: runId },
      env: {},
      binds: [],
      capAdd: ['NET_ADMIN', 'SYS_ADMIN'],
      sysctls: {},
      cmd: ['sleep', 'infinity'],
      network: 'host',
      pidMode: 'host',
    },
    host.endpoint,
  );
  return { host, id };
}

/** The lab's agents on an engine (after a killed harness too). */
export async function hostAgentsOf(lab: string, endpoint: string): Promise<{ id: string; host: string }[]> {
  return (await containersWith(LABEL_LAB, lab, endpoint))
    .filter((c) => c.labels[LABEL_KIND] === AGENT_KIND)
    .map((c) => ({ id: c.id, host: c.labels[LABEL_HOST] ?? '' }));
}

export async function agentExec(agent: { id: string; host: { endpoint: string } }, argv: string[], timeoutMs = 15_000): Promise<ExecResult> {
  return execIn(agent.id, argv, { timeoutMs }, agent.host.endpoint);
}

async function mustExec(agent: HostAgent, argv: string[], what: string): Promise<string> {
  const r = await agentExec(agent, argv);
  if (r.exitCode !== 0) throw new Error(`host ${agent.host.name}: cannot ${what}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** MTU of the host's interface holding its underlay address. */
export async function underlayMtu(agent: HostAgent): Promise<number> {
  const out = await mustExec(agent, ['ip', '-j', 'addr', 'show'], 'list its interfaces');
  const links = JSON.parse(out) as { ifname: string; mtu: number; addr_info?: { local?: string }[] }[];
  const dev = links.find((l) => l.addr_info?.some((a) => a.local === agent.host.underlay));
  if (!dev) throw new Error(`host ${agent.host.name}: no interface holds its underlay address ${agent.host.underlay}`);
  return dev.mtu;
}

/** VXLAN's own headers over IPv4: outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
export const VXLAN_OVERHEAD = 50;
/** IANA's VXLAN port. */
export const VXLAN_PORT = 4789;

export interface TunnelEnd {
  agent: HostAgent;
  /** The node container's PID as the host sees it. */
  pid: number;
  iface: string;
  remote: string;
}

/**
 * One end of a cross-host link: a VXLAN device made in the host's namespace
 * (its socket stays there, on the underlay), moved into the node's namespace
 * under the interface name from the topology file, MTU set, brought up.
 */
export async function createTunnelEnd(end: TunnelEnd, vni: number, mtu: number, alias: string): Promise<void> {
  const tmp = `vx${vni}`;
  const script = [
    'set -e',
    `ip link add "$1" type vxlan id "$2" local "$3" remote "$4" dstport ${VXLAN_PORT}`,
    'ip link set dev "$1" alias "$5" mtu "$6"',
    'ip link set dev "$1" netns "$7" || { ip link del "$1"; exit 1; }',
    'nsenter --net=/proc/$7/ns/net ip link set dev "$1" name "$8" up',
  ].join('\n');
  await mustExec(
    end.agent,
    ['sh', '-c', script, 'tunnel', tmp, String(vni), end.agent.host.underlay, end.remote, alias, String(mtu), String(end.pid), end.iface],
    `create the VXLAN end ${end.iface} (VNI ${vni}) towards ${end.remote}`,
  );
}

/** Delete tunnel devices of the lab still in the host's namespace (made but never moved). */
export async function removeStrayTunnels(agent: { id: string; host: { endpoint: string } }, lab: string): Promise<void> {
  const r = await agentExec(agent, ['ip', '-j', '-d', 'link', 'show', 'type', 'vxlan']);
  if (r.exitCode !== 0) return;
  const prefix = tunnelAlias(lab, '');
  for (const l of JSON.parse(r.stdout || '[]') as { ifname: string; ifalias?: string }[]) {
    if (l.ifalias?.startsWith(prefix)) await agentExec(agent, ['ip', 'link', 'del', l.ifname]);
  }
}

/** A lab's VNI for link i: a block of 1000 chosen by the lab name, so labs sharing hosts rarely meet. */
export function vniFor(lab: string, index: number): number {
  let h = 0x811c9dc5;
  for (const ch of lab) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  if (index >= 1000) throw new Error(`lab ${lab}: more than 1000 cross-host links`);
  return (h % 16_000) * 1000 + index + 1;
}

/** The harness's wall clock with sub-millisecond resolution (ms since the epoch). */
const harnessWall = () => performance.timeOrigin + performance.now();

/** `rounds` request/response exchanges with the host's clock through its agent (sequential). */
export async function clockExchanges(agent: { id: string; host: { name: string; endpoint: string } }, rounds: number): Promise<ClockExchange[]> {
  const out: ClockExchange[] = [];
  for (let i = 0; i < rounds; i++) {
    const sentAt = harnessWall();
    const r = await agentExec(agent, ['date', '+%s.%N']);
    const receivedAt = harnessWall();
    const hostSeconds = Number(r.stdout.trim());
    if (r.exitCode !== 0 || !Number.isFinite(hostSeconds)) throw new Error(`host ${agent.host.name}: cannot read its clock: ${(r.stderr || r.stdout).trim()}`);
    out.push({ sentAt, hostAt: hostSeconds * 1000, receivedAt });
  }
  return out;
}

/**
 * What a lab placed on several hosts needs beyond one engine: its images on each
 * host's engine (copied from the harness's, where they are built offline), one
 * host agent per host, and a VXLAN tunnel for every link whose ends are on
 * different hosts — one VNI per link, both ends' MTU the underlay's minus the 50
 * bytes VXLAN adds (as containerlab's `tools vxlan create` derives it).
 */
import type { Lab, LabHost, LabLink } from '../../topology/model.js';
import { copyImages, imageLabels, requireEngine } from './engine.js';
import { dockerImageOf } from './kind-image.js';
import { AGENT_IMAGE, VXLAN_OVERHEAD, createTunnelEnd, hostAgentsOf, removeStrayTunnels, startHostAgent, tunnelAlias, underlayMtu, vniFor, type HostAgent } from './host-agent.js';

/** The label our image builds carry with the hash of their inputs (images/build.ts). */
const INPUTS_LABEL = 'bgpdns-lab.inputs-hash';

interface PlacedContainer {
  pid: number;
  host?: string;
}

export class CrossHost {
  /** lab → host → agent (started once per lab and host). */
  private readonly agents = new Map<string, Map<string, Promise<HostAgent>>>();
  private readonly mtus = new Map<string, Promise<number>>();

  constructor(private readonly runId: string) {}

  /**
   * Before a node's container is made on `host`: every image the lab needs there
   * (its nodes' and the agent's) is on that engine, and so is the lab's agent.
   */
  async prepare(lab: Lab, host: LabHost): Promise<void> {
    const images = new Set([AGENT_IMAGE, ...lab.nodes.filter((n) => n.host === host.name).map((n) => dockerImageOf(n))]);
    await ensureImages([...images].sort(), host.endpoint);
    await this.agent(lab, host);
  }

  agent(lab: Lab, host: LabHost): Promise<HostAgent> {
    let perLab = this.agents.get(lab.name);
    if (!perLab) this.agents.set(lab.name, (perLab = new Map()));
    let a = perLab.get(host.name);
    if (!a) {
      a = ensureImages([AGENT_IMAGE], host.endpoint).then(() => startHostAgent(lab.prefix, lab.name, host, this.runId));
      perLab.set(host.name, a);
    }
    return a;
  }

  /** The link as a tunnel: one VXLAN device per end, in the two nodes' namespaces, named as in the file. */
  async tunnel(lab: Lab, link: LabLink, a: PlacedContainer, b: PlacedContainer): Promise<void> {
    const hostA = lab.hosts?.find((h) => h.name === a.host);
    const hostB = lab.hosts?.find((h) => h.name === b.host);
    const what = `link ${link.a.node}:${link.a.iface} <-> ${link.b.node}:${link.b.iface}`;
    if (!hostA || !hostB) throw new Error(`${what}: crosses hosts but ${!hostA ? link.a.node : link.b.node} is on the harness's engine; place both ends on hosts of the lab`);
    const [agentA, agentB] = await Promise.all([this.agent(lab, hostA), this.agent(lab, hostB)]);
    const mtuMax = Math.min(await this.underlayMtu(agentA), await this.underlayMtu(agentB)) - VXLAN_OVERHEAD;
    if (link.mtu !== undefined && link.mtu > mtuMax) throw new Error(`${what}: mtu ${link.mtu} does not fit a VXLAN tunnel over this underlay (at most ${mtuMax})`);
    const mtu = link.mtu ?? mtuMax;
    const vni = vniFor(lab.name, lab.links.indexOf(link));
    const alias = tunnelAlias(lab.name, `${link.a.node}:${link.a.iface}--${link.b.node}:${link.b.iface}`);
    await Promise.all([
      createTunnelEnd({ agent: agentA, pid: a.pid, iface: link.a.iface, remote: hostB.underlay }, vni, mtu, alias),
      createTunnelEnd({ agent: agentB, pid: b.pid, iface: link.b.iface, remote: hostA.underlay }, vni, mtu, alias),
    ]);
  }

  private underlayMtu(agent: HostAgent): Promise<number> {
    let m = this.mtus.get(agent.host.endpoint);
    if (!m) this.mtus.set(agent.host.endpoint, (m = underlayMtu(agent)));
    return m;
  }

  /** Tunnel ends of the lab left in the host's namespace (a killed harness), through any agent of the lab there. */
  async removeStrayTunnels(lab: string, endpoint: string): Promise<void> {
    for (const agent of await hostAgentsOf(lab, endpoint).catch(() => [])) {
      await removeStrayTunnels({ id: agent.id, host: { endpoint } }, lab).catch(() => undefined);
    }
  }

  forget(lab: string): void {
    this.agents.delete(lab);
  }
}

/** endpoint + images → copy in progress or done (shared by every lab of this process). */
const imageCopies = new Map<string, Promise<void>>();

/** Copy images to a host's engine unless the same builds (inputs hash) are there already. */
export function ensureImages(refs: string[], endpoint: string): Promise<void> {
  const key = `${endpoint}\0${refs.join(' ')}`;
  let p = imageCopies.get(key);
  if (!p) {
    p = (async () => {
      // The images come from the harness's engine: one clear sentence when it is down.
      await requireEngine();
      const missing: string[] = [];
      for (const ref of refs) {
        const [here, there] = await Promise.all([imageLabels(ref), imageLabels(ref, endpoint)]);
        if (!here) throw new Error(`image ${ref} is not on the harness's engine; run \`./bgpdns-lab images build\` (images are built offline, never pulled)`);
        if (!there || there[INPUTS_LABEL] !== here[INPUTS_LABEL]) missing.push(ref);
      }
      if (missing.length) await copyImages(missing, undefined, endpoint);
    })();
    p.catch(() => imageCopies.delete(key));
    imageCopies.set(key, p);
  }
  return p;
}

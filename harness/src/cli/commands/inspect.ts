import { labsOnDisk as deployedLabs, readState } from '../../runtime/lab-state.js';
import type { DeployedNode } from '../../lab/handle.js';
import { defineCommand, expectPositionals, EXIT } from '../command.js';
import { pickLab } from '../lab-arg.js';

interface IfaceJson {
  ifname: string;
  operstate: string;
  addr_info?: { family: string; local: string; prefixlen: number; scope?: string }[];
}

interface NodeReport {
  name: string;
  kind: string;
  netns: string;
  dir: string;
  processes: { role: string; pid: number; alive: boolean }[];
  interfaces: { name: string; state: string; addresses: string[] }[];
  bgp?: { peer: string; af: string; remoteAs: number; state: string; pfxRcd?: number; uptimeS?: number }[];
  bgpError?: string;
}

async function interfaces(node: DeployedNode): Promise<NodeReport['interfaces']> {
  const out = await node.exec(['ip', '-j', 'addr', 'show']);
  if (out.exitCode !== 0) return [];
  return (JSON.parse(out.stdout || '[]') as IfaceJson[]).map((i) => ({
    name: i.ifname,
    state: i.operstate,
    addresses: (i.addr_info ?? []).filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`),
  }));
}

async function report(node: DeployedNode): Promise<NodeReport> {
  const [{ isAlive }, { FrrControl }] = await Promise.all([import('../../runtime/procs.js'), import('../../frr/frr-control.js')]);
  const procs = node.processes();
  const r: NodeReport = {
    name: node.name,
    kind: node.kind,
    netns: node.netns,
    dir: node.dir,
    processes: procs.map((p) => ({ role: p.role, pid: p.pid, alive: isAlive(p.pid) })),
    interfaces: await interfaces(node),
  };
  if (procs.some((p) => p.role === 'bgpd')) {
    try {
      const peers = await new FrrControl(node).bgpPeers();
      r.bgp = [...peers.values()].map((p) => ({
        peer: p.peer,
        af: p.af,
        remoteAs: p.remoteAs,
        state: p.state,
        pfxRcd: p.pfxRcd,
        uptimeS: p.peerUptimeMsec !== undefined ? Math.round(p.peerUptimeMsec / 1000) : undefined,
      }));
    } catch (e) {
      r.bgpError = (e as Error).message;
    }
  }
  return r;
}

function render(lab: string, status: string, nodes: NodeReport[]): string {
  const lines = [`lab ${lab} (${status}): ${nodes.length} nodes`];
  for (const n of nodes) {
    const procs = n.processes.map((p) => `${p.role}:${p.pid}${p.alive ? '' : '(dead)'}`).join(' ');
    lines.push('', `${n.name}  [${n.kind}]  netns ${n.netns.replace('/run/netns/', '')}${procs ? `  ${procs}` : ''}`);
    for (const i of n.interfaces) {
      if (i.name === 'lo' && i.addresses.every((a) => a.startsWith('127.') || a === '::1/128')) continue;
      lines.push(`  ${i.name.padEnd(15)} ${i.state.padEnd(7)} ${i.addresses.join(' ')}`);
    }
    for (const b of n.bgp ?? []) {
      const extra = b.state === 'Established' ? `pfx ${b.pfxRcd ?? 0}  up ${b.uptimeS ?? 0}s` : '';
      lines.push(`  bgp ${b.af === 'ipv4Unicast' ? 'v4' : 'v6'} ${b.peer.padEnd(22)} AS${String(b.remoteAs).padEnd(11)} ${b.state.padEnd(12)} ${extra}`);
    }
    if (n.bgpError) lines.push(`  bgp: ${n.bgpError}`);
  }
  return lines.join('\n');
}

export const command = defineCommand({
  summary: 'show a deployed lab: nodes, processes, interfaces and addresses, BGP sessions',
  usage: `usage: bgpdns-lab inspect [lab | file.clab.yml] [--json]

The lab by name or by its topology file (the file's name:). Without one: the only
deployed lab (or the list, when several are).
--json prints one JSON object (nodes with processes, interfaces, BGP sessions).
Exit 0: shown; 64: usage error or no such lab deployed; 77: not root.`,
  options: { json: { type: 'boolean' } },
  async run({ positionals, values }) {
    expectPositionals(positionals, 0, 1, 'at most one lab name or topology file');
    if (positionals.length === 0 && deployedLabs().length > 1) {
      const labs = deployedLabs().map((name) => ({ name, status: readState(name)?.status ?? 'left over (no state)', nodes: readState(name)?.model.nodes.length ?? 0 }));
      if (values.json) process.stdout.write(`${JSON.stringify({ labs })}\n`);
      else process.stdout.write(`${labs.map((l) => `${l.name.padEnd(20)} ${String(l.nodes).padStart(4)} nodes  ${l.status}`).join('\n')}\n`);
      return EXIT.ok;
    }
    const name = pickLab(positionals[0]);
    const [{ attachLab }, { closeVtyClients }] = await Promise.all([import('../../lab/destroy.js'), import('../../frr/frr-control.js')]);
    const lab = attachLab(name);
    try {
      const nodes = await Promise.all(lab.nodes().map(report));
      const status = readState(name)?.status ?? 'unknown';
      if (values.json) process.stdout.write(`${JSON.stringify({ lab: name, status, file: lab.model.file, nodes })}\n`);
      else process.stdout.write(`${render(name, status, nodes)}\n`);
    } finally {
      await closeVtyClients();
    }
    return EXIT.ok;
  },
});

/**
 * The plain-shell reference for bench/lab-up: the same lab (namespaces, veths,
 * per-daemon FRR configs, daemons, exec lines) brought up by one generated bash
 * script, written the way a careful engineer would by hand: one `ip -batch` for every
 * namespace and veth pair, one `ip -n NS -batch` per namespace (all in parallel) for
 * what happens inside it, every node's daemons started at once (per node: zebra, a wait
 * for its socket, then the others, as FRR's own init does); exec lines that are plain `ip` commands are batched per
 * namespace too (in order, namespaces in parallel), others run through `sh -c`. No
 * harness code runs while it does its work.
 */
import path from 'node:path';
import type { Lab } from '@bgpdns-lab/harness';
import { netnsName, labDir, daemonArgv, frrConfigFiles, planFrrNode, nodeSysctlArgv } from '@bgpdns-lab/harness/runtime';

/** Single-quote for bash. */
function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface ScriptLab {
  script: string;
  /** bgpd vty sockets to poll for convergence. */
  bgpd: { node: string; socket: string }[];
}

export async function shellScriptFor(lab: Lab): Promise<ScriptLab> {
  const root = labDir(lab.name);
  const out: string[] = ['#!/bin/bash', `# Plain-script bring-up of lab ${lab.name} (bench/lab-up reference).`, 'set -e', `mkdir -p ${q(root)}`];
  /** Per FRR node: zebra, a wait for its socket, then the other daemons (nodes in parallel). */
  const starts: string[] = [];
  const bgpd: ScriptLab['bgpd'] = [];
  for (const node of lab.nodes) {
    const dir = path.join(root, node.name);
    const ns = netnsName(lab.name, node.name);
    out.push(`mkdir -p ${q(dir)}`);
    if (node.kind === 'frr') {
      const plan = await planFrrNode(lab, node);
      for (const { file, text } of frrConfigFiles(plan, node.name, dir)) out.push(`cat > ${q(file)} <<'BGPDNS_EOF'`, text.trimEnd(), 'BGPDNS_EOF');
      const lines: string[] = [];
      for (const d of plan.daemons) {
        lines.push(`ip netns exec ${q(ns)} ${daemonArgv(dir, d).map(q).join(' ')} >>${q(path.join(dir, `${d}.log`))} 2>&1 &`);
        // The other daemons connect to zebra's socket at startup.
        if (d === 'zebra') lines.push(`until [ -S ${q(path.join(dir, 'zebra.vty'))} ]; do sleep 0.01; done`);
        if (d === 'bgpd') bgpd.push({ node: node.name, socket: path.join(dir, 'bgpd.vty') });
      }
      starts.push(lines.join('\n'));
    } else if (node.kind !== 'client') {
      throw new Error(`the plain-script reference knows frr and client nodes, not ${node.kind} (${node.name})`);
    }
  }
  // The daemons run as frr: one chown for every node's directory.
  out.push(`chown -R frr:frr ${q(root)}`);
  // Namespaces and veth pairs: one ip process (the A end comes up here; the B end, moved
  // into its namespace, must be set up from inside it).
  const global: string[] = [];
  const inside = new Map<string, string[]>(lab.nodes.map((n) => [n.name, ['link set dev lo up']]));
  for (const node of lab.nodes) global.push(`netns add ${netnsName(lab.name, node.name)}`);
  for (const l of lab.links) {
    const mtu = l.mtu ? ` mtu ${l.mtu}` : '';
    global.push(`link add ${l.a.iface} netns ${netnsName(lab.name, l.a.node)}${mtu} up type veth peer name ${l.b.iface} netns ${netnsName(lab.name, l.b.node)}${mtu}`);
    inside.get(l.b.node)!.push(`link set dev ${l.b.iface} up`);
  }
  out.push(`ip -batch - <<'BGPDNS_EOF'`, ...global, 'BGPDNS_EOF');
  // …and forwarding on in each, as the harness does (harness/src/runtime/node-sysctls.ts).
  const sysctl = nodeSysctlArgv().join(' ');
  out.push(...parallel(lab.nodes.map((n) => `${batchIn(netnsName(lab.name, n.name), inside.get(n.name)!)}\nip netns exec ${q(netnsName(lab.name, n.name))} ${sysctl}`)));
  // Each node's block ends once its daemons are launched (they keep running in the background).
  out.push(...parallel(starts));
  out.push(...parallel(lab.nodes.filter((n) => n.exec.length > 0).map((n) => execLines(netnsName(lab.name, n.name), n.exec))));
  out.push('');
  return { script: out.join('\n'), bgpd };
}

/** `ip -n NS -batch` of the lines (names are validated by topology/names.ts: plain tokens). */
function batchIn(ns: string, lines: string[]): string {
  return `ip -n ${q(ns)} -batch - <<'BGPDNS_EOF'\n${lines.join('\n')}\nBGPDNS_EOF`;
}

/** Commands run at once, each in the background; the script fails if any of them does. */
function parallel(commands: string[]): string[] {
  if (commands.length === 0) return [];
  return ['pids=()', ...commands.map((c) => `{ ${c}\n} &\npids+=($!)`), 'for p in "${pids[@]}"; do wait "$p"; done'];
}

/** A plain `ip` command (tokens a batch line keeps intact), as a batch line; else null. */
function ipBatchLine(line: string): string | null {
  const m = /^\s*ip\s+([\w./:@ -]+?)\s*$/.exec(line);
  return m && !/(^|\s)-/.test(m[1]) ? m[1] : null;
}

/** A node's exec lines in order: runs of plain `ip` lines as one batch, others through sh -c. */
function execLines(ns: string, lines: string[]): string {
  const steps: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length) steps.push(batchIn(ns, run));
    run = [];
  };
  for (const line of lines) {
    const b = ipBatchLine(line);
    if (b) run.push(b);
    else {
      flush();
      steps.push(`ip netns exec ${q(ns)} sh -c ${q(line)}`);
    }
  }
  flush();
  return steps.join('\n');
}

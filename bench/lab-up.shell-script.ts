/**
 * The plain-shell reference for bench/lab-up: the same lab (namespaces, veths,
 * per-daemon FRR configs, daemons, exec lines) brought up by one generated bash
 * script, written the way a careful engineer would by hand: all namespaces, then
 * all links, then every zebra in the background, wait for their sockets, then
 * the other daemons. No harness code runs while it does its work.
 */
import path from 'node:path';
import type { Lab } from '../harness/src/topology/model.js';
import { netnsName } from '../harness/src/topology/names.js';
import { labDir } from '../harness/src/runtime/lab-state.js';
import { daemonArgv, frrConfigFiles, planFrrNode } from '../harness/src/kinds/frr.js';

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
  const zebras: string[] = [];
  const others: string[] = [];
  const waits: string[] = [];
  const bgpd: ScriptLab['bgpd'] = [];
  for (const node of lab.nodes) {
    const dir = path.join(root, node.name);
    const ns = netnsName(lab.name, node.name);
    out.push(`mkdir -p ${q(dir)}`);
    if (node.kind === 'frr') {
      const plan = await planFrrNode(lab, node);
      for (const { file, text } of frrConfigFiles(plan, node.name, dir)) out.push(`cat > ${q(file)} <<'BGPDNS_EOF'`, text.trimEnd(), 'BGPDNS_EOF');
      out.push(`chown -R frr:frr ${q(dir)}`);
      for (const d of plan.daemons) {
        const line = `ip netns exec ${q(ns)} ${daemonArgv(dir, d).map(q).join(' ')} >>${q(path.join(dir, `${d}.log`))} 2>&1 &`;
        if (d === 'zebra') {
          zebras.push(line);
          waits.push(`until [ -S ${q(path.join(dir, 'zebra.vty'))} ]; do sleep 0.01; done`);
        } else others.push(line);
        if (d === 'bgpd') bgpd.push({ node: node.name, socket: path.join(dir, 'bgpd.vty') });
      }
    } else if (node.kind !== 'client') {
      throw new Error(`the plain-script reference knows frr and client nodes, not ${node.kind} (${node.name})`);
    }
  }
  for (const node of lab.nodes) {
    const ns = netnsName(lab.name, node.name);
    out.push(`ip netns add ${q(ns)}`, `ip -n ${q(ns)} link set dev lo up`);
  }
  for (const l of lab.links) {
    const a = netnsName(lab.name, l.a.node);
    const b = netnsName(lab.name, l.b.node);
    const mtu = l.mtu ? ` mtu ${l.mtu}` : '';
    out.push(
      `ip link add ${q(l.a.iface)} netns ${q(a)}${mtu} type veth peer name ${q(l.b.iface)} netns ${q(b)}${mtu}`,
      `ip -n ${q(a)} link set dev ${q(l.a.iface)} up`,
      `ip -n ${q(b)} link set dev ${q(l.b.iface)} up`,
    );
  }
  out.push(...zebras, ...waits, ...others);
  for (const node of lab.nodes) {
    for (const line of node.exec) out.push(`ip netns exec ${q(netnsName(lab.name, node.name))} sh -c ${q(line)}`);
  }
  out.push('');
  return { script: out.join('\n'), bgpd };
}

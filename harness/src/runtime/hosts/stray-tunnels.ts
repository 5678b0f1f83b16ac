/**
 * Tunnel ends a lab left in a simulated host's namespace: a VXLAN device is made
 * there and then moved into its node, so only a harness killed in between leaves
 * one. Found by the alias every tunnel device carries (bgpdns-lab:<lab>:<link>).
 */
import { $ } from 'zx';
import type { Leftover } from '../runtime.js';
import { hostSets, readHostSet } from './simulated-hosts.js';

interface StrayTunnel {
  lab: string;
  netns: string;
  ifname: string;
}

async function find(labName?: string): Promise<StrayTunnel[]> {
  const out: StrayTunnel[] = [];
  for (const set of hostSets()) {
    for (const h of readHostSet(set)?.hosts ?? []) {
      const r = await $({ nothrow: true, quiet: true })`ip -n ${h.netns} -j -d link show type vxlan`;
      if (r.exitCode !== 0) continue;
      for (const l of JSON.parse(r.stdout || '[]') as { ifname: string; ifalias?: string }[]) {
        const m = /^bgpdns-lab:([^:]+):/.exec(l.ifalias ?? '');
        if (m && (labName === undefined || m[1] === labName)) out.push({ lab: m[1], netns: h.netns, ifname: l.ifname });
      }
    }
  }
  return out;
}

export async function strayTunnels(labName?: string): Promise<Leftover[]> {
  return (await find(labName)).map((t) => ({ lab: t.lab, type: 'tunnel', id: `${t.ifname} in ${t.netns}` }));
}

/** Delete them (the host agent does it on any host; this covers a simulated host whose agent is gone). */
export async function removeStrayTunnels(labName: string): Promise<void> {
  for (const t of await find(labName)) await $({ nothrow: true, quiet: true })`ip -n ${t.netns} link del ${t.ifname}`;
}

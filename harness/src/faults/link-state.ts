/** What `fault clear` does for the faults that take interfaces down (link-down, flap). */
import type { FaultTargetLab } from './definition.js';

/** Bring up every interface of the node that is down (loopback aside). */
export async function bringUpDownLinks(lab: FaultTargetLab, nodeName: string): Promise<string | undefined> {
  const node = lab.node(nodeName);
  const links = JSON.parse((await node.exec(['ip', '-j', 'link', 'show'])).stdout || '[]') as { ifname: string; flags: string[] }[];
  const down = links.filter((l) => l.ifname !== 'lo' && !l.flags.includes('UP'));
  for (const l of down) await node.exec(['ip', 'link', 'set', 'dev', l.ifname, 'up']);
  return down.length ? `brought up ${down.map((l) => l.ifname).join(', ')}` : undefined;
}

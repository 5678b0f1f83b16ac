/**
 * link-down NODE:IF — `ip link set dev IF down` at one end of a link; revert brings
 * it up. On a link between hosts (a VXLAN tunnel, which carries no carrier) both
 * ends go down at once: the same cable cut a veth's peer would see as lost carrier.
 */
import { parseEndpoint, run, tunnelPeer } from '../fault.js';
import { onlyArgs } from '../fault-args.js';
import { defineFault } from '../definition.js';
import { bringUpDownLinks } from '../link-state.js';

export const linkDown = defineFault<Record<string, never>>({
  name: 'link-down',
  target: 'link',
  lasting: 'held',
  summary: 'interface down at one end (revert: up)',
  params: [],
  parse(raw) {
    onlyArgs(raw, 'link-down', []);
    return {};
  },
  async apply({ lab }, target) {
    const { node, iface } = parseEndpoint(target);
    const peer = tunnelPeer(lab, node, iface);
    const ends = [{ node, iface }, ...(peer ? [peer] : [])];
    const set = (state: 'up' | 'down') => Promise.all(ends.map((e) => run(lab.node(e.node), ['ip', 'link', 'set', 'dev', e.iface, state])));
    await set('down');
    return { record: peer ? { tunnel: true, peer: `${peer.node}:${peer.iface}` } : {}, revert: () => set('up').then(() => undefined) };
  },
  clear: bringUpDownLinks,
});

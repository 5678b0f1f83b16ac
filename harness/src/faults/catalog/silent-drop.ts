/**
 * silent-drop NODE:IF — every packet into and out of the interface is dropped by nft
 * while the link stays up, so only timers (BGP hold, BFD) can notice. With `peers`
 * (addresses), only traffic from and to those addresses: one peer on a shared LAN.
 */
import { addressesArg, directionArg, onlyArgs } from '../fault-args.js';
import { defineFault } from '../definition.js';
import { applyIfaceRule, clearFaultTables, type Direction } from '../nft.js';
import { DIRECTION_PARAM, PEERS_PARAM } from '../nft-params.js';

export const silentDrop = defineFault<{ direction: Direction; peers?: string[] }>({
  name: 'silent-drop',
  aliases: ['drop'],
  target: 'link',
  lasting: 'held',
  summary: 'nft drop of everything through the interface, link stays up',
  params: [DIRECTION_PARAM, PEERS_PARAM],
  parse(raw) {
    onlyArgs(raw, 'silent-drop', ['direction', 'peers']);
    const peers = addressesArg(raw, 'peers');
    return { direction: directionArg(raw, 'direction'), ...(peers ? { peers } : {}) };
  },
  async apply({ lab }, target, args) {
    const { table, revert } = await applyIfaceRule(lab, target, 'drop', args.direction, args.peers);
    return { record: { ...args, table }, revert };
  },
  clear: clearFaultTables,
});

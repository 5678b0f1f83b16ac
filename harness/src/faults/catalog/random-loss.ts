/** random-loss NODE:IF PERCENT — nft drops that share of the packets each way (numgen), optionally only from/to `peers`. */
import { addressesArg, directionArg, onlyArgs, required, wholeArg } from '../fault-args.js';
import { defineFault } from '../definition.js';
import { applyIfaceRule, clearFaultTables, type Direction } from '../nft.js';
import { DIRECTION_PARAM, PEERS_PARAM } from '../nft-params.js';

export const randomLoss = defineFault<{ percent: number; direction: Direction; peers?: string[] }>({
  name: 'random-loss',
  aliases: ['loss'],
  target: 'link',
  lasting: 'held',
  summary: 'nft random loss of PERCENT % of the packets',
  params: [{ name: 'percent', word: 'PERCENT', required: true, help: 'share of packets dropped, 1–100' }, DIRECTION_PARAM, PEERS_PARAM],
  parse(raw) {
    onlyArgs(raw, 'random-loss', ['percent', 'direction', 'peers']);
    const peers = addressesArg(raw, 'peers');
    return { percent: required(raw, 'percent', (r, n) => wholeArg(r, n, 1, 100), 'a whole number 1–100'), direction: directionArg(raw, 'direction'), ...(peers ? { peers } : {}) };
  },
  async apply({ lab }, target, args) {
    // numgen's range is 0–99, so "< 100" is not expressible: 100 % is a plain drop.
    const verdict = args.percent === 100 ? 'drop' : `numgen random mod 100 < ${args.percent} drop`;
    const { table, revert } = await applyIfaceRule(lab, target, verdict, args.direction, args.peers);
    return { record: { ...args, table }, revert };
  },
  clear: clearFaultTables,
});

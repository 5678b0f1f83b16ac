/**
 * session-reset NODE PEER — `clear bgp PEER` on the node's bgpd: the session to that
 * neighbor is torn down and re-established at once. Instantaneous: nothing to revert.
 */
import { frr } from '../../frr/frr-control.js';
import { addressArg, onlyArgs, required } from '../fault-args.js';
import { defineFault } from '../definition.js';

export const sessionReset = defineFault<{ peer: string }>({
  name: 'session-reset',
  target: 'node',
  lasting: 'instant',
  summary: 'clear bgp PEER on the node (instant, nothing to revert)',
  params: [{ name: 'peer', word: 'PEER', required: true, help: 'the neighbor address whose session is cleared' }],
  parse(raw) {
    onlyArgs(raw, 'session-reset', ['peer']);
    return { peer: required(raw, 'peer', addressArg, 'the neighbor address to clear') };
  },
  async apply({ lab }, node, { peer }) {
    await frr(lab.node(node)).command(`clear bgp ${peer}`);
    return { record: { peer } };
  },
});

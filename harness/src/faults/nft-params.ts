/** Arguments the nft faults (silent-drop, random-loss) share. */
import type { FaultParam } from './definition.js';

export const DIRECTION_PARAM: FaultParam = { name: 'direction', flag: 'dir', value: 'in|out|both', help: 'which way packets are hit (default both)' };
export const PEERS_PARAM: FaultParam = { name: 'peers', flag: 'peer', value: 'ADDR,…', help: 'only traffic from/to these addresses' };

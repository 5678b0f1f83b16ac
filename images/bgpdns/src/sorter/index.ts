/**
 * @bgpdns-lab/bgpdns/sorter — the sorter's engine, run in-process (tests, benches):
 * the RIB, the Sorter that ranks candidates by the best path to the client, the UDP
 * query server, and the route tables `bgpdns inject` feeds (synthetic, DFZ-shaped)
 * with the packer that turns them into UPDATEs, and the MRT reader for table files.
 * Talking to a running sorter is `@bgpdns-lab/bgpdns` (config, status, query
 * protocol client).
 */
export { Sorter, TOP_PREFERENCE, NO_PATH_PREFERENCE, NO_PREFERENCE } from './sorter.js';
export { QueryServer, literalLookup, type QueryServerOptions, type SyncRanker } from './server.js';
export { Rib, type RibOptions, type BestRoute } from '../rib/rib.js';
export { syntheticTable, seededRandom, type SyntheticOptions } from '../inject/synthetic.js';
export { dfzTable, type DfzOptions } from '../inject/dfz.js';
export { UpdatePacker, type PackOptions } from '../inject/pack.js';
export type { Table, RouteGroup } from '../inject/table.js';
export { readMrtFile } from '../inject/mrt-file.js';

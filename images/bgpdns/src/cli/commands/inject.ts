/**
 * `bgpdns inject …` — feed a table (synthetic or MRT) into a BGP peer, send
 * End-of-RIB, then stay up. One JSON line per event on stdout.
 */
import type { Command } from '../main.js';
import { injectUsage, parseInjectArgs, UsageError, type InjectOptions } from '../../inject/options.js';
import { syntheticTable } from '../../inject/synthetic.js';
import { dfzTable } from '../../inject/dfz.js';
import { readMrtFile, writeMrtFile } from '../../inject/mrt-file.js';
import { Injector } from '../../inject/injector.js';
import type { Table } from '../../inject/table.js';
import { countOutsideLabRanges } from '../../inject/lab-range.js';

async function loadTable(o: InjectOptions): Promise<Table> {
  if (o.source.kind === 'synthetic' && o.source.shape === 'lab') return syntheticTable(o.source);
  let table: Table;
  let what: string;
  if (o.source.kind === 'synthetic') {
    table = dfzTable(o.source);
    what = 'the DFZ-shaped synthetic table';
  } else {
    const read = await readMrtFile(o.source.file, { peerIndex: o.source.peerIndex });
    const stats = read.stats;
    table = read.table;
    what = o.source.file;
    console.log(JSON.stringify({ event: 'mrt', file: o.source.file, records: stats.records, entries: stats.ribEntries, skipped: stats.skippedRecords, peers: stats.peers.length }));
  }
  const outside = countOutsideLabRanges(table);
  if (outside > 0) {
    console.log(JSON.stringify({ event: 'warning', message: `${outside} prefixes of ${what} lie outside the lab ranges 198.18.0.0/15 and 2001:db8::/32: announcing them (and to whom) is your responsibility; send them only to speakers that install nothing into a kernel FIB` }));
  }
  return table;
}

export const command: Command = {
  summary: 'route injector: send a synthetic or MRT table to a BGP peer, then stay up',
  usage: injectUsage,
  async run(argv) {
    let o: InjectOptions;
    try {
      o = parseInjectArgs(argv);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      console.error(`bgpdns inject: ${e.message}\n${injectUsage}`);
      return 2;
    }
    let table: Table;
    try {
      table = await loadTable(o);
    } catch (e) {
      console.error(`bgpdns inject: ${(e as Error).message}`);
      return 1;
    }
    console.log(JSON.stringify({ event: 'table', ipv4: table.ipv4, ipv6: table.ipv6, groups: table.groups.length }));
    if (o.writeMrt) {
      await writeMrtFile(o.writeMrt, table, {
        peer: { bgpId: o.routerId ?? '198.18.0.1', address: o.localAddress ?? '198.18.0.1', asn: o.localAs ?? 64496 },
        collectorId: o.routerId ?? '198.18.0.1',
        timestamp: Math.floor(Date.now() / 1000),
      });
      console.log(JSON.stringify({ event: 'written', file: o.writeMrt }));
      return 0;
    }
    const injector = new Injector({
      peer: o.peer!, port: o.port, localAs: o.localAs!, peerAs: o.peerAs!, routerId: o.routerId!, localAddress: o.localAddress,
      holdTime: o.holdTime, nextHop4: o.nextHop4, nextHop6: o.nextHop6, table, exitAfterEor: o.exitAfterEor,
      log: (event) => console.log(JSON.stringify(event)),
    });
    const stop = (): void => injector.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await injector.run();
    } catch (e) {
      console.error(`bgpdns inject: ${(e as Error).message}`);
      return 2;
    }
    return 0;
  },
};

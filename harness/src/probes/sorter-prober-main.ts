/** Entry of the sorter prober child process (see sorter-prober.ts). */
import { appendFileSync } from 'node:fs';
import { SorterUdpClient } from './sorter-udp.js';
import { parseSorterProberArgs, runSorterProber, type SorterProberOptions } from './sorter-prober.js';

let opts: SorterProberOptions;
try {
  opts = parseSorterProberArgs(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const client = await SorterUdpClient.open(opts.host, opts.port, opts.keyId, opts.key);
const write = opts.out ? (line: string) => appendFileSync(opts.out!, line) : (line: string) => void process.stdout.write(line);
const stop = new Promise((resolve) => {
  process.once('SIGTERM', resolve);
  process.once('SIGINT', resolve);
});
await runSorterProber(client, opts, (s) => write(`${JSON.stringify(s)}\n`), stop);
client.close();
process.exit(0);

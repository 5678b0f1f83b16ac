/** Entry of the route watcher's agent process (see route-watch-agent.ts): JSON lines to --out or stdout. */
import { appendFileSync } from 'node:fs';
import { parseRouteWatchAgentArgs, runRouteWatchAgent, type RouteWatchAgentOptions } from './route-watch-agent.js';

let opts: RouteWatchAgentOptions;
try {
  opts = parseRouteWatchAgentArgs(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const write = opts.out ? (line: string) => appendFileSync(opts.out!, line) : (line: string) => void process.stdout.write(line);
const stop = new Promise((resolve) => {
  process.once('SIGTERM', resolve);
  process.once('SIGINT', resolve);
});
await runRouteWatchAgent(opts, (l) => write(`${JSON.stringify(l)}\n`), stop);
process.exit(0);

import test from 'ava';
import { parseRouteWatchAgentArgs } from './route-watch-agent.js';

test('the route watch agent takes the socket, log, interval, out file and prefixes', (t) => {
  t.deepEqual(parseRouteWatchAgentArgs(['--socket', '/run/bgpdns-lab/l/c1/bgpd.vty', '--log', '/run/bgpdns-lab/l/c1/frr.log', '--interval', '10', '--out', '/tmp/x.jsonl', '198.18.16.0/20', '2001:db8::/32']), {
    socket: '/run/bgpdns-lab/l/c1/bgpd.vty',
    log: '/run/bgpdns-lab/l/c1/frr.log',
    intervalMs: 10,
    prefixes: ['198.18.16.0/20', '2001:db8::/32'],
    out: '/tmp/x.jsonl',
  });
});

test('bad arguments to the route watch agent are errors naming the flag', (t) => {
  t.throws(() => parseRouteWatchAgentArgs(['198.18.16.0/20']), { message: /--socket BGPD_VTY is required/ });
  t.throws(() => parseRouteWatchAgentArgs(['--socket', '/x/bgpd.vty']), { message: /at least one prefix/ });
  t.throws(() => parseRouteWatchAgentArgs(['--socket', '/x/bgpd.vty', '--interval', '0', '198.18.16.0/20']), { message: /--interval must be a number ≥ 1, got "0"/ });
});

import test from 'ava';
import { agentInstrument } from './node-agent.js';

test('the DNS prober started under the harness node runs as the image file in the agent, same arguments', (t) => {
  const argv = ['/usr/bin/node', '--import', 'tsx', '/repo/harness/src/probes/dns-prober-main.ts', '--server', '198.18.16.18', '--out', '/run/x.jsonl'];
  t.deepEqual(agentInstrument(argv), { file: '/opt/bgpdns-lab/agent/dns-prober.mjs', args: ['--server', '198.18.16.18', '--out', '/run/x.jsonl'] });
  t.is(agentInstrument(['/usr/bin/node', '--import', 'tsx', '/repo/harness/src/probes/sorter-prober-main.ts']), undefined, 'not carried by the agent (yet)');
});

import test from 'ava';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AGENT_INSTRUMENTS, agentInstrument } from './node-agent.js';
import { agentContextName } from '../../images/bgpdns-bundle.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));

test('a declared instrument runs as its image file in the agent, same arguments', (t) => {
  const args = ['--server', '198.18.16.18', '--out', '/run/x.jsonl'];
  t.deepEqual(agentInstrument({ source: 'harness/src/probes/dns-prober-main.ts', args }), { file: '/opt/bgpdns-lab/agent/dns-prober.mjs', args });
});

test('the route watch and the sorter prober of a node on another host run in the agent too; nothing else does', (t) => {
  const watch = ['--socket', '/run/bgpdns-lab/l/c1/bgpd.vty', '198.18.16.0/20'];
  t.deepEqual(agentInstrument({ source: 'harness/src/probes/route-watch-agent-main.ts', args: watch }), { file: '/opt/bgpdns-lab/agent/route-watch.mjs', args: watch });
  t.is(agentInstrument({ source: 'harness/src/probes/sorter-prober-main.ts', args: [] })?.file, '/opt/bgpdns-lab/agent/sorter-prober.mjs');
  t.is(agentInstrument({ source: 'harness/src/other-main.ts', args: [] }), undefined, 'anything else is not an agent instrument');
});

test('every agent instrument exists in the harness and is copied into the bgpdns image', (t) => {
  const dockerfile = readFileSync(`${repo}images/bgpdns/Dockerfile`, 'utf8');
  for (const i of AGENT_INSTRUMENTS) {
    t.true(existsSync(`${repo}${i.source}`), i.source);
    t.true(dockerfile.includes(`COPY ${agentContextName(i.file)} ${i.file}`), `images/bgpdns/Dockerfile copies ${i.file}`);
  }
});

/**
 * kill NODE ROLE — one process of a node, by role, gets SIGKILL by default (no
 * goodbye, as in a crash). Revert starts it again with the same argv and, for FRR
 * daemons, waits until its vty answers.
 */
import { constants } from 'node:os';
import { vtyClient } from '../../frr/frr-control.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';
import { FaultArgError, nameArg, onlyArgs, required } from '../fault-args.js';
import { defineFault } from '../definition.js';
import { gone, rolesOf, running } from '../processes.js';

/** FRR daemons whose readiness after a restart is "its vty socket answers". */
const FRR_DAEMONS = new Set(['zebra', 'bgpd', 'staticd', 'bfdd', 'ospfd', 'ospf6d']);

export const kill = defineFault<{ role: string; signal: NodeJS.Signals }>({
  name: 'kill',
  target: 'node',
  lasting: 'held',
  summary: 'kill a daemon (revert: start it again)',
  params: [
    { name: 'role', word: 'ROLE', required: true, help: 'the daemon, e.g. bgpd, dns' },
    { name: 'signal', flag: 'signal', value: 'SIGTERM', help: 'signal to send (default SIGKILL)' },
  ],
  parse(raw) {
    onlyArgs(raw, 'kill', ['role', 'signal']);
    const signal = raw.signal ?? 'SIGKILL';
    if (typeof signal !== 'string' || !(signal in constants.signals)) throw new FaultArgError('signal', `expected a signal name like SIGKILL or SIGTERM, got ${JSON.stringify(signal)}`);
    return { role: required(raw, 'role', nameArg, 'the role of the daemon to kill (e.g. dns, bgpd)'), signal: signal as NodeJS.Signals };
  },
  check(lab, node, { role }) {
    const have = rolesOf(lab.node(node).processes());
    return have.includes(role) ? undefined : `node ${node} has no process with role "${role}"; its roles: ${have.join(', ') || 'none'}`;
  },
  async apply({ lab }, node, { role, signal }) {
    const n = lab.node(node);
    const victim = running(n.processes().filter((p) => p.role === role)).at(-1);
    if (!victim) throw new Error(`kill ${node} ${role}: no running process with that role (roles: ${rolesOf(n.processes()).join(', ') || 'none'})`);
    victim.signal(signal);
    await gone(victim, `${node} ${role} (pid ${victim.pid}) gone after ${signal}`);
    return {
      record: { pid: victim.pid, signal },
      revert: async () => {
        await n.spawn(victim.argv, { role });
        if (FRR_DAEMONS.has(role)) {
          const vty = vtyClient(n.vtySocket(role));
          await waitUntil(() => vty.command('show version'), () => true, { what: `${node} ${role} answering on its vty after restart`, timeout: 15_000, interval: 20 });
        }
      },
    };
  },
});

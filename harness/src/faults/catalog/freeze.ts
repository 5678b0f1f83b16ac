/**
 * freeze NODE [--roles a,b] — the node stops dead, kernel state untouched: a silent
 * failure only timers notice. The whole node is frozen with the runtime's freezer
 * where it has one (cgroup freezer, docker pause): one step for every process, none
 * can see another stop first. With roles (a single daemon frozen), or on a runtime
 * without a freezer, each chosen process gets SIGSTOP (revert: SIGCONT). The event
 * records which mechanism froze it.
 */
import type { Lab } from '../../topology/model.js';
import { namesArg, onlyArgs } from '../fault-args.js';
import { defineFault, type FaultTargetLab } from '../definition.js';
import { rolesOf, running } from '../processes.js';

/** The runtime's freezer, when it has one (and the caller did not ask for single daemons). */
function freezer(lab: FaultTargetLab) {
  const rt = lab.runtime;
  return rt?.freezeNode && rt.thawNode ? { name: rt.name, freeze: rt.freezeNode.bind(rt), thaw: rt.thawNode.bind(rt) } : undefined;
}

export const freeze = defineFault<{ roles?: string[] }>({
  name: 'freeze',
  target: 'node',
  lasting: 'held',
  summary: "freeze the node (runtime freezer, else SIGSTOP; revert: thaw)",
  params: [{ name: 'roles', flag: 'roles', value: 'bgpd,zebra', help: 'only these daemons, by SIGSTOP' }],
  parse(raw) {
    onlyArgs(raw, 'freeze', ['roles']);
    const roles = namesArg(raw, 'roles');
    return roles ? { roles } : {};
  },
  check(lab, node, { roles }) {
    const have = rolesOf(lab.node(node).processes());
    const missing = (roles ?? []).find((r) => !have.includes(r));
    return missing === undefined ? undefined : `node ${node} has no process with role "${missing}"; its roles: ${have.join(', ') || 'none'}`;
  },
  async apply({ lab }, node, { roles }) {
    const n = lab.node(node);
    const procs = running(n.processes().filter((p) => !roles || roles.includes(p.role)));
    const seen = { pids: procs.map((p) => p.pid), roles: procs.map((p) => p.role) };
    const fz = roles ? undefined : freezer(lab);
    if (fz) {
      // The runtime's calls take the whole Lab; they read only what a deployed lab's model has.
      const model = lab.model as Lab;
      await fz.freeze(model, node);
      return { record: { mechanism: 'runtime-freezer', runtime: fz.name, ...seen }, revert: () => fz.thaw(model, node) };
    }
    if (procs.length === 0) throw new Error(`freeze ${node}: no running process${roles ? ` with role ${roles.join('/')}` : ''}`);
    for (const p of procs) p.signal('SIGSTOP');
    return {
      record: { mechanism: 'sigstop', ...seen },
      revert: async () => {
        for (const p of procs) p.signal('SIGCONT');
      },
    };
  },
  async clear(lab, node) {
    const fz = freezer(lab);
    // Thawing a node that is not frozen is harmless for a cgroup freezer, an error for `docker unpause`.
    if (fz) await fz.thaw(lab.model as Lab, node).catch(() => undefined);
    const procs = running(lab.node(node).processes());
    for (const p of procs) p.signal('SIGCONT');
    return `resumed its processes${fz ? ` (thawed by the ${fz.name} runtime)` : ''}`;
  },
});

/**
 * frr-config NODE — a routing-policy fault as FRR configuration (a route leak, say):
 * each change's `apply` lines go to its daemon (default bgpd) in order; revert sends
 * the `undo` lines in reverse order. A bad line fails naming itself (vty). Its
 * arguments are structured, so timelines and code use it, not the CLI.
 */
import { vtyClient } from '../../frr/frr-control.js';
import { FaultArgError, onlyArgs } from '../fault-args.js';
import { defineFault } from '../definition.js';

export interface FrrConfigChange {
  daemon?: string;
  apply: string[];
  undo: string[];
}

const lines = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((l) => typeof l === 'string');

export const frrConfig = defineFault<{ changes: FrrConfigChange[] }>({
  name: 'frr-config',
  target: 'node',
  lasting: 'held',
  summary: 'FRR configuration lines applied (revert: their undo lines, in reverse)',
  params: [{ name: 'changes', structured: true, required: true, help: 'a list of { daemon (default bgpd), apply: [lines], undo: [lines] }' }],
  parse(raw) {
    onlyArgs(raw, 'frr-config', ['changes']);
    const changes = raw.changes;
    if (!Array.isArray(changes) || changes.length === 0) throw new FaultArgError('changes', 'expected a non-empty list of { daemon, apply, undo }');
    changes.forEach((c: Record<string, unknown>, i) => {
      if (!c || typeof c !== 'object' || !lines(c.apply) || !lines(c.undo)) throw new FaultArgError(`changes[${i}]`, 'expected { daemon, apply: [lines], undo: [lines] }');
      if (c.daemon !== undefined && typeof c.daemon !== 'string') throw new FaultArgError(`changes[${i}].daemon`, `expected a daemon name, got ${JSON.stringify(c.daemon)}`);
    });
    return { changes: changes as FrrConfigChange[] };
  },
  async apply({ lab }, node, { changes }) {
    const n = lab.node(node);
    for (const c of changes) await vtyClient(n.vtySocket(c.daemon ?? 'bgpd')).configure(c.apply);
    return {
      record: {},
      revert: async () => {
        for (const c of [...changes].reverse()) await vtyClient(n.vtySocket(c.daemon ?? 'bgpd')).configure(c.undo);
      },
    };
  },
});

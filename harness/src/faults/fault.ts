/**
 * What every fault shares: the lab it acts on, the record of when it was injected
 * and reverted (one monotonic clock), and a revert handle.
 */
import type { DeployedLab, DeployedNode } from '../lab/handle.js';
import type { Lab } from '../topology/model.js';
import type { FaultEvent } from '../run/record.js';

/** The part of a deployed lab faults need. */
export type FaultLab = Pick<DeployedLab, 'node'> & { readonly model: Pick<Lab, 'name' | 'links'> & Partial<Pick<Lab, 'nodes'>> };

/** An injected fault. Reverting twice is harmless. `await using` reverts it on scope exit. */
export interface FaultHandle extends AsyncDisposable {
  /** The inject event (its `at` is when the fault was put in place). */
  readonly injected: FaultEvent;
  readonly reverted: boolean;
  revert(): Promise<void>;
}

/** Where a fault's inject and revert events go (a RunRecorder, or a plain list). */
export type FaultLog = (ev: FaultEvent) => void;

/** Run a command in a node; throws naming the node and command when it fails. */
export async function run(node: DeployedNode, argv: string[], input?: string): Promise<string> {
  const r = await node.exec(argv, input === undefined ? undefined : { input });
  if (r.exitCode !== 0) {
    throw new Error(`${node.name}: \`${argv.join(' ')}\` failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  }
  return r.stdout;
}

/**
 * Build a handle around an applied fault. `revertFn` undoes it; the handle logs
 * the revert event with the time the revert completed.
 */
export function handle(log: FaultLog, injected: FaultEvent, revertFn: () => Promise<void>, now: () => number): FaultHandle {
  let reverted = false;
  let reverting: Promise<void> | undefined;
  const revert = () => {
    reverting ??= (async () => {
      await revertFn();
      reverted = true;
      log({ at: now(), fault: injected.fault, target: injected.target, action: 'revert', ...(injected.args ? { args: injected.args } : {}) });
    })();
    return reverting;
  };
  return {
    injected,
    get reverted() {
      return reverted;
    },
    revert,
    [Symbol.asyncDispose]: revert,
  };
}

/** The interface on `node` of the (single) link between `node` and `peer`. */
export function ifaceToward(lab: FaultLab, node: string, peer: string): string {
  const found = lab.model.links.flatMap((l) =>
    l.a.node === node && l.b.node === peer ? [l.a.iface] : l.b.node === node && l.a.node === peer ? [l.b.iface] : [],
  );
  if (found.length === 0) throw new Error(`lab ${lab.model.name}: no link between ${node} and ${peer}`);
  if (found.length > 1) throw new Error(`lab ${lab.model.name}: ${found.length} links between ${node} and ${peer} (${found.join(', ')}); name the interface`);
  return found[0];
}

/**
 * Why `node` (or its interface `iface`) is not in the lab, or undefined when it is;
 * faults name an interface only when it is one end of a lab link.
 */
export function endpointProblem(model: Pick<Lab, 'name' | 'nodes' | 'links'>, node: string, iface?: string): string | undefined {
  if (!model.nodes.some((n) => n.name === node)) return `lab ${model.name} has no node "${node}"; its nodes: ${model.nodes.map((n) => n.name).join(', ')}`;
  if (iface === undefined) return undefined;
  const ifaces = model.links.flatMap((l) => [l.a, l.b]).filter((e) => e.node === node).map((e) => e.iface);
  return ifaces.includes(iface) ? undefined : `node ${node} has no interface "${iface}" on a lab link; its link interfaces: ${ifaces.join(', ') || 'none'}`;
}

/**
 * The far end of a link whose ends run on different hosts (a VXLAN tunnel), or
 * undefined for a link on one host. A tunnel carries no carrier: downing one end
 * leaves the other up, where a veth's peer loses its link at once.
 */
export function tunnelPeer(lab: FaultLab, node: string, iface: string): { node: string; iface: string } | undefined {
  const link = lab.model.links.find((l) => (l.a.node === node && l.a.iface === iface) || (l.b.node === node && l.b.iface === iface));
  if (!link) return undefined;
  const hostOf = (n: string) => lab.model.nodes?.find((x) => x.name === n)?.host;
  if (hostOf(link.a.node) === hostOf(link.b.node)) return undefined;
  return link.a.node === node && link.a.iface === iface ? link.b : link.a;
}

/** "node:iface" → parts, with a clear error for anything else. */
export function parseEndpoint(target: string): { node: string; iface: string } {
  const m = /^([^:\s]+):([^:\s]+)$/.exec(target);
  if (!m) throw new Error(`fault target "${target}" must be NODE:INTERFACE, e.g. "isp1:eth2"`);
  return { node: m[1], iface: m[2] };
}

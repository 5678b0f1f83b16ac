/**
 * delay NODE:IF MS — netem delay on an interface. Where the kernel lacks netem it
 * fails with NetemUnsupportedError instead of pretending.
 */
import os from 'node:os';
import type { DeployedNode } from '../../lab/handle.js';
import { parseEndpoint, run } from '../fault.js';
import { msArg, onlyArgs, required } from '../fault-args.js';
import { defineFault } from '../definition.js';

export class NetemUnsupportedError extends Error {
  constructor(detail: string) {
    super(`netem delay is not supported on this kernel (${os.release()}): ${detail}`);
    this.name = 'NetemUnsupportedError';
  }
}

/** Whether this kernel has netem: try a netem qdisc on the node's loopback, then remove it. */
export async function netemSupported(node: Pick<DeployedNode, 'exec'>): Promise<boolean> {
  const r = await node.exec(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
  if (r.exitCode !== 0) return false;
  await node.exec(['tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
  return true;
}

export const delay = defineFault<{ delayMs: number; jitterMs: number }>({
  name: 'delay',
  target: 'link',
  lasting: 'held',
  summary: 'netem delay (fails clearly where the kernel has no netem)',
  params: [
    { name: 'delay', word: 'MS', required: true, help: 'added delay in milliseconds' },
    { name: 'jitter', flag: 'jitter', value: 'MS', help: 'jitter in milliseconds (default 0)' },
  ],
  parse(raw) {
    onlyArgs(raw, 'delay', ['delay', 'jitter']);
    return { delayMs: required(raw, 'delay', msArg, 'milliseconds > 0'), jitterMs: msArg(raw, 'jitter') ?? 0 };
  },
  async apply({ lab }, target, { delayMs, jitterMs }) {
    const { node, iface } = parseEndpoint(target);
    const n = lab.node(node);
    const argv = ['tc', 'qdisc', 'add', 'dev', iface, 'root', 'netem', 'delay', `${delayMs}ms`, ...(jitterMs ? [`${jitterMs}ms`] : [])];
    const r = await n.exec(argv);
    if (r.exitCode !== 0) {
      const said = (r.stderr || r.stdout).trim();
      if (/unknown|not found|no such file|not supported/i.test(said)) throw new NetemUnsupportedError(`tc said "${said}"`);
      throw new Error(`${node}: \`${argv.join(' ')}\` failed (exit ${r.exitCode}): ${said}`);
    }
    return { record: { delayMs, jitterMs }, revert: () => run(n, ['tc', 'qdisc', 'del', 'dev', iface, 'root']).then(() => undefined) };
  },
  async clear(lab, nodeName) {
    const node = lab.node(nodeName);
    const links = JSON.parse((await node.exec(['ip', '-j', 'link', 'show'])).stdout || '[]') as { ifname: string }[];
    const removed: string[] = [];
    for (const l of links) {
      if ((await node.exec(['tc', 'qdisc', 'show', 'dev', l.ifname])).stdout.includes('netem')) {
        await node.exec(['tc', 'qdisc', 'del', 'dev', l.ifname, 'root']);
        removed.push(l.ifname);
      }
    }
    return removed.length ? `removed netem from ${removed.join(', ')}` : undefined;
  },
});

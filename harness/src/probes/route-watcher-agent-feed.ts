/**
 * The harness's end of route watching on a node of another host: starts
 * route-watch-agent-main.ts through the node's spawn (the Docker runtime runs it
 * in the agent beside the node, which streams its lines back with `at` and
 * `notBefore` already converted to the harness's clock) and hands the lines,
 * in order, to RouteWatcher. Nothing here touches the node's sockets or log.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeployedNode } from '../lab/handle.js';
import type { NodeProcess } from '../runtime/runtime.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';
import type { AgentLine } from './route-watch-agent.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');
let feeds = 0;

export type AgentFeedNode = Pick<DeployedNode, 'name' | 'dir' | 'spawn' | 'vtySocket'>;

export class AgentFeed {
  private offset = 0;
  private rest = '';
  private readonly pending: AgentLine[] = [];

  private constructor(
    private readonly proc: NodeProcess,
    private readonly fh: FileHandle,
    readonly file: string,
  ) {}

  static async start(node: AgentFeedNode, prefixes: string[], opts: { intervalMs: number; logFile?: string }): Promise<AgentFeed> {
    const label = `route-watch-${process.pid}-${++feeds}`;
    const file = join(node.dir, `${label}.jsonl`);
    await (await open(file, 'a')).close();
    const args = ['--socket', node.vtySocket('bgpd'), ...(opts.logFile ? ['--log', opts.logFile] : []), '--interval', String(opts.intervalMs), ...prefixes, '--out', file];
    const argv = [process.execPath, '--import', 'tsx', join(here, 'route-watch-agent-main.ts'), ...args];
    const instrument = { source: 'harness/src/probes/route-watch-agent-main.ts', args };
    const proc = await node.spawn(argv, { placement: 'beside', instrument, cwd: repoRoot, role: 'route-watch', logFile: join(node.dir, `${label}.log`) });
    return new AgentFeed(proc, await open(file, 'r'), file);
  }

  /** The first poll of each prefix (the watch's baseline), waiting for the agent to send it. */
  async baseline(prefixes: string[], timeoutMs = 30_000): Promise<Map<string, AgentLine & { poll: string }>> {
    const base = new Map<string, AgentLine & { poll: string }>();
    await waitUntil(
      async () => {
        for (const l of await this.lines()) {
          if ('poll' in l && l.base) base.set(l.poll, l);
          else this.pending.push(l);
        }
        return base.size;
      },
      (n) => (n >= prefixes.length ? true : `the agent sent the baseline of ${n} of ${prefixes.length} prefixes`),
      { what: `route watch agent's baseline (${this.file})`, timeout: timeoutMs, interval: 20 },
    );
    return base;
  }

  /** Lines the agent sent since the last call. */
  async lines(): Promise<AgentLine[]> {
    const out = this.pending.splice(0);
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await this.fh.read(buf, 0, buf.length, this.offset);
      if (bytesRead === 0) return out;
      this.offset += bytesRead;
      const lines = (this.rest + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
      this.rest = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) out.push(JSON.parse(l) as AgentLine);
    }
  }

  /** Stop the agent's watch (it reads the log one last time) and return what it sent meanwhile. */
  async stop(): Promise<AgentLine[]> {
    await this.proc.stop(3000);
    const last = await this.lines();
    await this.fh.close();
    return last;
  }
}

/**
 * FRR's vty of a node on another host, reached without its unix socket: each
 * command is `vtysh --vty_socket <node dir> -d <daemon> -c …` run inside the node's
 * container through that host's Docker endpoint (vtysh is in every FRR image).
 * Slower than the socket (a Docker exec, tens of ms, instead of ~0.1 ms), so it
 * serves lab control (convergence waits, config changes, debug switches); route
 * watching, which polls every 20 ms, runs in the node agent instead
 * (probes/route-watch-agent.ts).
 */
import path from 'node:path';
import { VtyError } from '@bgpdns-lab/bgpdns';
import type { Vty, VtyRoute } from '../../frr/frr-control.js';
import { LAB_ROOT } from '../lab-state.js';
import { execIn } from './exec.js';

export interface RemoteNodeContainer {
  id: string;
  endpoint?: string;
  host?: string;
}

export class ExecVty implements Vty {
  constructor(
    readonly socketPath: string,
    private readonly c: RemoteNodeContainer,
    private readonly timeoutMs = 15_000,
  ) {}

  private get daemon(): string {
    return path.basename(this.socketPath, '.vty');
  }

  private async vtysh(commands: string[]): Promise<string> {
    const argv = ['vtysh', '--vty_socket', path.dirname(this.socketPath), '-d', this.daemon, ...commands.flatMap((c) => ['-c', c])];
    const r = await execIn(this.c.id, argv, { timeoutMs: this.timeoutMs }, this.c.endpoint);
    const what = commands.join('; ');
    if (r.exitCode !== 0) {
      throw new VtyError(`${this.socketPath} on host ${this.c.host ?? '?'} (vtysh): "${what}" failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`, this.socketPath, what, r.exitCode, r.stdout);
    }
    return r.stdout;
  }

  command(command: string): Promise<string> {
    return this.vtysh([command]);
  }

  async json<T = unknown>(command: string): Promise<T> {
    const out = await this.command(command);
    try {
      return JSON.parse(out) as T;
    } catch (err) {
      throw new VtyError(`${this.socketPath} on host ${this.c.host ?? '?'}: "${command}" did not answer JSON: ${(err as Error).message}: ${out.slice(0, 200)}`, this.socketPath, command);
    }
  }

  async configure(lines: string[]): Promise<void> {
    await this.vtysh(['configure terminal', ...lines, 'end']);
  }

  async close(): Promise<void> {}
}

/**
 * The route for FrrControl: a socket in the node directory of a node placed on
 * another host (by `lookup`, the runtime's containers) goes through ExecVty.
 */
export function remoteVtyRoute(lookup: (lab: string, node: string) => RemoteNodeContainer | undefined): VtyRoute {
  return (socketPath) => {
    const rel = path.relative(LAB_ROOT, socketPath).split(path.sep);
    if (rel.length !== 3 || rel[0] === '..' || !rel[2].endsWith('.vty')) return undefined;
    const c = lookup(rel[0], rel[1]);
    return c?.host !== undefined ? new ExecVty(socketPath, c) : undefined;
  };
}

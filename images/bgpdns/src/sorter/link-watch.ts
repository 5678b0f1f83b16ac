/**
 * Fast external failover for a process: the kernel does not close a TCP socket
 * when the link under it goes down, so without this a cut link is only noticed
 * when the hold timer expires. `ip -o monitor link` reports link changes as they
 * happen; the interface towards each peer comes from `ip -j route get`.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The interface the kernel would use to reach `address`, or undefined. */
export async function interfaceTowards(address: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync('ip', ['-j', 'route', 'get', address]);
    const routes = JSON.parse(stdout) as { dev?: string }[];
    return routes[0]?.dev;
  } catch {
    return undefined;
  }
}

/** Parses one `ip -o monitor link` line into (interface, has link). */
export function parseLinkLine(line: string): { ifname: string; up: boolean } | undefined {
  const m = /^(Deleted )?\d+: ([^:@\s]+)(?:@\S+)?: <([^>]*)>.*?(?: state (\S+))?(?: |$)/.exec(line.trim());
  if (!m) return undefined;
  const [, deleted, ifname, flagText, state] = m;
  const flags = flagText.split(',');
  const up = !deleted && flags.includes('UP') && !flags.includes('NO-CARRIER') && state !== 'DOWN' && state !== 'LOWERLAYERDOWN';
  return { ifname, up };
}

export class LinkWatcher {
  private child?: ChildProcess;
  private buffer = '';

  constructor(private readonly onChange: (ifname: string, up: boolean) => void) {}

  /** Starts `ip -o monitor link`; resolves false (and stays inert) when `ip` is unavailable. */
  start(): Promise<boolean> {
    return new Promise((resolve) => {
      const child = spawn('ip', ['-o', 'monitor', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] });
      this.child = child;
      child.once('error', () => resolve(false));
      child.once('spawn', () => resolve(true));
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (chunk: string) => {
        this.buffer += chunk;
        let nl: number;
        while ((nl = this.buffer.indexOf('\n')) >= 0) {
          const line = this.buffer.slice(0, nl);
          this.buffer = this.buffer.slice(nl + 1);
          const parsed = parseLinkLine(line);
          if (parsed) this.onChange(parsed.ifname, parsed.up);
        }
      });
    });
  }

  stop(): void {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGTERM');
    this.child = undefined;
  }
}

import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';

/**
 * Coalesces lab-building `ip` commands into `ip -force -batch -` runs: a 100-node lab
 * needs ~400 commands (namespace, loopback, veth, peer up), and one process (plus a
 * bash for zx) per command costs more time and harness memory than the work itself.
 * Requests made while a batch runs go into the next one, so batches form on their own
 * and a lone request still runs at once.
 *
 * A request is a list of commands, each an argv as `ip` would take it. Every token must
 * be plain (letters, digits, `_.@:=-`; `=` for sysctl's key=value): batch lines are
 * split on whitespace by ip, so a token like that can neither split nor join lines.
 * Names reaching here were validated by topology/names.ts; anything else is refused
 * before it gets near ip.
 * With -force, ip reports each failing line as "Command failed -:N" after its message,
 * which maps the error back to the request that sent the line.
 */
const PLAIN = /^[\w.@:=-]+$/;
const MAX_LINES = 400;

interface Request {
  lines: string[];
  what: string;
  resolve(): void;
  reject(err: Error): void;
}

export class IpBatcher {
  private queue: Request[] = [];
  private running = 0;
  private seq = 0;

  /**
   * `fileDir`: where batch files are written (the lab directory). A batch is read from a
   * file rather than stdin so the `ip` process carries the lab directory in its argv:
   * destroy finds (and stops) one that a SIGKILLed harness left running.
   */
  constructor(
    private readonly fileDir?: string,
    private readonly parallel = 2,
  ) {}

  /** Run the commands (in order, within one batch); rejects with ip's message for the first that failed. */
  run(commands: string[][], what: string): Promise<void> {
    for (const argv of commands) {
      const bad = argv.find((t) => !PLAIN.test(t));
      if (bad !== undefined) return Promise.reject(new Error(`cannot ${what}: "${bad}" is not a plain name`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ lines: commands.map((a) => a.join(' ')), what, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.parallel && this.queue.length > 0) {
      const batch: Request[] = [];
      let lines = 0;
      while (this.queue.length > 0 && (batch.length === 0 || lines + this.queue[0].lines.length <= MAX_LINES)) {
        const r = this.queue.shift()!;
        batch.push(r);
        lines += r.lines.length;
      }
      this.running++;
      void this.execute(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async execute(batch: Request[]): Promise<void> {
    const owner: Request[] = [];
    const input = batch.flatMap((r) => r.lines.map((l) => (owner.push(r), `${l}\n`))).join('');
    let out;
    if (this.fileDir) {
      const file = path.join(this.fileDir, `ip-batch.${process.pid}.${this.seq++}`);
      await writeFile(file, input);
      out = await $({ nothrow: true, quiet: true })`ip -force -batch ${file}`;
      await rm(file, { force: true });
    } else {
      out = await $({ nothrow: true, quiet: true, input })`ip -force -batch -`;
    }
    const failures = new Map<Request, string>();
    let pending: string[] = [];
    for (const line of out.stderr.split('\n')) {
      const m = line.match(/^Command failed .*:(\d+)$/);
      if (!m) {
        if (line.trim()) pending.push(line.trim());
        continue;
      }
      const r = owner[Number(m[1]) - 1];
      if (r && !failures.has(r)) failures.set(r, pending.join('; ') || 'failed');
      pending = [];
    }
    const unexplained = out.exitCode !== 0 && failures.size === 0;
    for (const r of batch) {
      const why = failures.get(r) ?? (unexplained ? out.stderr.trim() || `ip exited ${out.exitCode}` : undefined);
      if (why !== undefined) r.reject(new Error(`cannot ${r.what}: ${why}`));
      else r.resolve();
    }
  }
}

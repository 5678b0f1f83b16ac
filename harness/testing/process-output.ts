/**
 * A process a test starts in a lab node through the runtime (node.spawn), whose
 * output it reads back: stdout and stderr go to one log file in the node directory,
 * read again on every call, JSON lines as objects and other lines as {event:'text'}.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { DeployedNode } from '../src/lab/handle.js';
import type { NodeProcess, SpawnOptions } from '../src/runtime/runtime.js';

export interface WatchedProcess {
  readonly proc: NodeProcess;
  readonly logFile: string;
  /** Output lines so far: JSON objects, other lines as {event:'text', line}. */
  events(): Record<string, unknown>[];
  /** The raw output so far (for failure messages). */
  text(): string;
  /** Exit code or signal name once it ended, undefined while it runs. */
  exit(): number | string | undefined;
}

/** Starts argv in `node` (or beside it: `placement`) with its output in <node dir>/<name>.log (a fresh file). */
export async function spawnWatched(node: DeployedNode, name: string, argv: string[], opts: Pick<SpawnOptions, 'cwd' | 'placement'> = {}): Promise<WatchedProcess> {
  const logFile = path.join(node.dir, `${name}.log`);
  rmSync(logFile, { force: true });
  const proc = await node.spawn(argv, { role: name, logFile, cwd: opts.cwd, placement: opts.placement });
  let ended: number | string | undefined;
  void proc.exited.then((code) => (ended = code));
  const text = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const events = () =>
    text()
      .split('\n')
      .filter((l) => l.length > 0)
      .map((line) => {
        try {
          const v = JSON.parse(line) as unknown;
          return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : { event: 'text', line };
        } catch {
          return { event: 'text', line };
        }
      });
  return { proc, logFile, events, text, exit: () => ended };
}

import { readFileSync, readdirSync } from 'node:fs';
import { waitUntil } from '@bgpdns-lab/bgpdns';

/**
 * Processes seen through /proc: identity (PID + start time, so a reused PID is never
 * signalled), liveness (a zombie counts as gone), and lookup by command line — every
 * process a lab starts carries the lab's namespace name or directory in its argv.
 */

interface ProcStat {
  state: string;
  startTime: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], startTime: Number(rest[19]) };
  } catch {
    return undefined;
  }
}

/** Start time (clock ticks since boot) of a live process, or undefined when it is gone. */
export function procStartTime(pid: number): number | undefined {
  return readStat(pid)?.startTime;
}

/** Is the process alive (not a zombie) and, when startTime is given, the same process? */
export function isAlive(pid: number, startTime?: number): boolean {
  const st = readStat(pid);
  if (!st || st.state === 'Z' || st.state === 'X') return false;
  return startTime === undefined || st.startTime === startTime;
}

export function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * PIDs whose argv names one of `tokens` as a whole word or contains one of `substrings`
 * (e.g. a lab directory path). Finds in-flight `ip netns add <ns>` of a killed harness
 * as well as daemons whose config paths lie in the lab directory.
 */
export function findByArgv(tokens: ReadonlySet<string>, substrings: readonly string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const argv = cmdline(pid);
    if (argv.length === 0) continue;
    const hit = argv.some((arg) => tokens.has(arg) || arg.split(/[\s;'"=]+/).some((w) => tokens.has(w)) || substrings.some((s) => arg.includes(s)));
    if (hit && isAlive(pid)) found.push(pid);
  }
  return found;
}

/** SIGTERM every live process, SIGKILL what is still there after graceMs; resolves when all are gone. */
export async function terminate(pids: readonly { pid: number; startTime?: number }[], graceMs = 1000): Promise<void> {
  const live = pids.filter((p) => isAlive(p.pid, p.startTime));
  const send = (sig: NodeJS.Signals) => {
    for (const p of live) {
      if (!isAlive(p.pid, p.startTime)) continue;
      try {
        process.kill(p.pid, sig);
      } catch {
        // Gone between the check and the signal.
      }
    }
  };
  const allGone = () => !live.some((p) => isAlive(p.pid, p.startTime));
  send('SIGTERM');
  const gone = await waitUntil(allGone, (ok) => ok, { what: 'processes exit after SIGTERM', timeout: graceMs, interval: 10 }).then(() => true, () => false);
  if (gone) return;
  send('SIGKILL');
  // After SIGKILL the kernel needs a moment to reap; a process of ours may stay a zombie (counted as gone), so no error.
  await waitUntil(allGone, (ok) => ok, { what: 'processes gone after SIGKILL', timeout: 5000, interval: 5 }).catch(() => undefined);
}

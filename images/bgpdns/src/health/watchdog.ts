/**
 * The health agent's dead man's switch: a second, tiny process that withdraws the
 * service prefix when the agent can no longer be trusted to.
 *
 * Why a separate process and not the agent's own BGP session: the route is held
 * by bgpd as a `network` line that outlives its author, so someone alive must take
 * it back. The agent writes one byte to the watchdog's stdin after every completed
 * probe round (probe + announcement asserted against bgpd):
 *  - the pipe closes without the agent's "stopping" byte (crash, SIGKILL, OOM):
 *    withdraw at once;
 *  - no byte for `timeoutMs` (event loop stuck, SIGSTOP, a round that never ends):
 *    SIGKILL the agent, so it cannot wake up later and act on stale state, then
 *    withdraw. Time the watchdog itself did not run (the host frozen) does not count,
 *    and while bgpd does not answer either (host frozen, bgpd down) it holds: the
 *    agent is not the problem, and nothing could be withdrawn.
 * The bound: a dead agent's route is gone within one vty round trip of its death;
 * a hung agent's within `timeoutMs` plus one round trip. ExaBGP's healthcheck gets
 * the same from holding the route in its own BGP session to bgpd (a dead process's
 * session drops); that would replace the operator's `network` line and route-maps
 * with routes we originate, so this design keeps bgpd's config as the one source.
 * What it cannot cover: the agent and watchdog killed together (kill of the whole
 * process group) — the supervisor that does that must withdraw, as `destroy` does.
 */
import { Announcer } from './announcer.js';
import { VtyClient } from '../frr/vty-client.js';

export const HEARTBEAT = 0x2e; // '.'
export const STOPPING = 0x53; // 'S': the agent withdrew (or handed over) itself

export interface WatchdogOptions {
  vtySocket: string;
  asn: number;
  prefix: string;
  /** No heartbeat for this long = hung. */
  timeoutMs: number;
  agentPid: number;
  input: NodeJS.ReadableStream;
  log: (event: Record<string, unknown>) => void;
  /** Attempts to withdraw (bgpd may be restarting), 500 ms apart. Default 6. */
  attempts?: number;
}

export type WatchdogOutcome = 'agent-stopped' | 'agent-died' | 'agent-hung';

export async function runWatchdog(opts: WatchdogOptions): Promise<WatchdogOutcome> {
  opts.log({ event: 'watchdog-ready', agentPid: opts.agentPid, timeoutMs: opts.timeoutMs });
  const bgpd = new VtyClient(opts.vtySocket, { connectTimeoutMs: 500, commandTimeoutMs: 1000 });
  const outcome = await new Promise<WatchdogOutcome>((resolve) => {
    // A deadline checked by a 100 ms ticker rather than one long timer: when the ticker
    // itself was held up (the whole host frozen, then thawed), the agent was frozen
    // with it and deserves a fresh deadline — only silence while we run means a hang.
    let deadline = performance.now() + opts.timeoutMs;
    let lastTick = performance.now();
    let stopping = false;
    let checking = false;
    // bgpd did not answer at the last check (host or bgpd frozen): the agent was held up too.
    let held = false;
    const ticker = setInterval(() => {
      const now = performance.now();
      if (now - lastTick > 1000) deadline = Math.max(deadline, now + opts.timeoutMs);
      lastTick = now;
      if (now <= deadline || checking) return;
      // Silent past the deadline. If bgpd does not answer either, the host (or bgpd) is
      // frozen or down, not just the agent: killing the agent would not help, and a
      // withdrawal could not be applied anyway. Hold and look again a deadline later.
      checking = true;
      bgpd.command('show version').then(
        () => {
          if (held) {
            // bgpd answers again after a hold (the site thawed): the agent needs a probe round
            // before its next heartbeat, so its deadline starts now, not at the freeze.
            held = false;
            deadline = performance.now() + opts.timeoutMs;
            checking = false;
            return;
          }
          // A heartbeat that came in meanwhile renewed the deadline: not hung after all.
          if (performance.now() > deadline) finish('agent-hung');
          else checking = false;
        },
        (err: Error) => {
          opts.log({ event: 'watchdog-hold', reason: `agent silent for ${opts.timeoutMs} ms but bgpd does not answer either: ${err.message}` });
          held = true;
          deadline = performance.now() + opts.timeoutMs;
          checking = false;
        },
      );
    }, 100);
    const finish = (o: WatchdogOutcome) => {
      clearInterval(ticker);
      resolve(o);
    };
    opts.input.on('data', (chunk: Buffer) => {
      if (chunk.includes(STOPPING)) stopping = true;
      deadline = performance.now() + opts.timeoutMs;
    });
    const ended = () => finish(stopping ? 'agent-stopped' : 'agent-died');
    opts.input.once('end', ended);
    opts.input.once('close', ended);
    opts.input.once('error', ended);
  });
  await bgpd.close().catch(() => undefined);
  opts.input.removeAllListeners();
  (opts.input as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  if (outcome === 'agent-stopped') return outcome;
  const at = performance.now();
  if (outcome === 'agent-hung') {
    try {
      process.kill(opts.agentPid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const announcer = new Announcer({ vtySocket: opts.vtySocket, asn: opts.asn, prefix: opts.prefix });
  const attempts = opts.attempts ?? 6;
  for (let i = 1; i <= attempts; i++) {
    try {
      await announcer.apply('withdraw');
      opts.log({ event: 'watchdog-withdraw', reason: outcome, prefix: opts.prefix, agentPid: opts.agentPid, ms: Math.round(performance.now() - at) });
      break;
    } catch (err) {
      opts.log({ event: 'watchdog-vty-error', reason: outcome, attempt: i, error: (err as Error).message });
      if (i < attempts) await new Promise((r) => setTimeout(r, 500));
    }
  }
  await announcer.close();
  return outcome;
}

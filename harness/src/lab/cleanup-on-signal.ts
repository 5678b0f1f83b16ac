/**
 * Clean-up that cannot be skipped: while any lab of this process exists (deploying
 * or deployed), SIGINT, SIGTERM and SIGHUP destroy it before the process exits
 * (exit code 128 + signal number, as a shell reports it). Handlers are installed
 * with the first lab and removed with the last, so a process without labs keeps
 * Node's default behaviour.
 */
type Destroyer = () => Promise<void>;

const active = new Map<string, Destroyer>();
const SIGNALS: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
let cleaning = false;

function onSignal(signal: NodeJS.Signals): void {
  if (cleaning) {
    process.stderr.write(`bgpdns-lab: ${signal} again; still destroying ${[...active.keys()].join(', ')}\n`);
    return;
  }
  cleaning = true;
  const labs = [...active.entries()];
  process.stderr.write(`bgpdns-lab: ${signal}: destroying lab${labs.length > 1 ? 's' : ''} ${labs.map(([n]) => n).join(', ')}\n`);
  void Promise.allSettled(labs.map(([, destroy]) => destroy())).then((results) => {
    for (const r of results) if (r.status === 'rejected') process.stderr.write(`bgpdns-lab: ${(r.reason as Error).message}\n`);
    process.exit(128 + (SIGNALS[signal] ?? 0));
  });
}

export function guardLab(name: string, destroy: Destroyer): void {
  if (active.size === 0) for (const s of Object.keys(SIGNALS)) process.on(s, onSignal);
  active.set(name, destroy);
}

export function unguardLab(name: string): void {
  active.delete(name);
  if (active.size === 0 && !cleaning) for (const s of Object.keys(SIGNALS)) process.off(s, onSignal);
}

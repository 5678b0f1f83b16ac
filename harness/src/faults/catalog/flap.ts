/**
 * link-flap NODE:IF (CLI: flap) — a flapping train on one link end: `count` times
 * down for `down`, then up until the next `period`. It starts at once; the handle's
 * `done` resolves when the train ends; revert stops the train and leaves the link up.
 * Every cycle is on the clock as a link-down inject/revert with args.flap = its number.
 */
import { monoNow } from '../../clock.js';
import { parseEndpoint, run } from '../fault.js';
import { FaultArgError, durationArg, onlyArgs, required, wholeArg } from '../fault-args.js';
import { defineFault, type Applied, type FaultContext } from '../definition.js';
import { bringUpDownLinks } from '../link-state.js';

export interface FlapArgs {
  count: number;
  periodMs: number;
  downMs: number;
}

/** Start the train now (synchronously: Faults.flap returns its handle at once). */
export function startFlap({ lab, log }: FaultContext, target: string, args: FlapArgs): Applied {
  const { node, iface } = parseEndpoint(target);
  const n = lab.node(node);
  let stopped = false;
  const wake = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake.delete(done);
        r();
      }
      wake.add(done);
    });
  const train = (async () => {
    for (let i = 0; i < args.count && !stopped; i++) {
      const cycleStart = monoNow();
      log({ at: cycleStart, fault: 'link-down', target, action: 'inject', args: { flap: i + 1 } });
      await run(n, ['ip', 'link', 'set', 'dev', iface, 'down']);
      await sleep(args.downMs - (monoNow() - cycleStart));
      log({ at: monoNow(), fault: 'link-down', target, action: 'revert', args: { flap: i + 1 } });
      await run(n, ['ip', 'link', 'set', 'dev', iface, 'up']);
      if (i < args.count - 1) await sleep(args.periodMs - (monoNow() - cycleStart));
    }
  })();
  return {
    record: { ...args },
    done: train,
    revert: async () => {
      stopped = true;
      for (const w of wake) w();
      await train.catch(() => undefined);
      await run(n, ['ip', 'link', 'set', 'dev', iface, 'up']);
    },
  };
}

export const flap = defineFault<FlapArgs>({
  name: 'link-flap',
  aliases: ['flap'],
  target: 'link',
  lasting: 'train',
  summary: 'COUNT × (down for DOWN, up until PERIOD ends), then up',
  params: [
    { name: 'count', flag: 'count', value: 'N', required: true, help: 'how many down/up cycles' },
    { name: 'period', flag: 'period', value: 'DURATION', required: true, help: 'from one down to the next' },
    { name: 'down', flag: 'down', value: 'DURATION', help: 'down time per cycle (default half the period)' },
  ],
  parse(raw) {
    onlyArgs(raw, 'link-flap', ['count', 'period', 'down']);
    const count = required(raw, 'count', wholeArg, 'how many cycles (--count N)');
    const periodMs = required(raw, 'period', durationArg, 'the time from one down to the next (--period DURATION)');
    const downMs = durationArg(raw, 'down') ?? periodMs / 2;
    if (downMs >= periodMs) throw new FaultArgError('down', `${raw.down} must be shorter than the period (${raw.period})`);
    return { count, periodMs, downMs };
  },
  apply: async (ctx, target, args) => startFlap(ctx, target, args),
  clear: bringUpDownLinks,
});

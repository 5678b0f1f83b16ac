/**
 * Router-side event times from FRR's own log (`log timestamp precision 3`), pure:
 * lines in, events out. The lines this understands (FRR 8.4 bgpd):
 *   2026/11/22 00:04:26.822 BGP: [V15FP-4CPVK] Tx route add VRF 0 198.18.100.0/24 metric 0 tag 0 count 1 nhg 0
 *   2026/11/22 00:04:26.822 BGP: [JQXM8-V0CKB]   nhop [1]: 198.18.254.1 if 0 VRF 0 wt 0
 *   2026/11/22 00:04:24.710 BGP: [G7K80-KF0HM] Tx route delete VRF 0 198.18.100.0/24
 *   2026/11/22 00:04:24.650 BGP: [PXVXG-TFNNT] %ADJCHANGE: neighbor 198.18.254.1(r1) in vrf default Down Interface down
 * The "Tx route" lines (bgpd handing its new best path to zebra) need
 * `debug bgp zebra prefix P`; the route watcher switches that on for its prefixes.
 * Timestamps are local wall-clock time of the router host; they map to the monotonic
 * clock with wallToMono, so they line up with fault and poll times.
 */
import { wallToMono, type Millis } from '../clock.js';

export type LogRouteEvent =
  | { kind: 'route-install'; at: Millis; prefix: string; nexthops: string[] }
  | { kind: 'route-delete'; at: Millis; prefix: string }
  | { kind: 'session'; at: Millis; peer: string; state: 'up' | 'down'; reason?: string };

const STAMP = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? (\S+): (?:\[[\w-]+\](?:\[EC \d+\])? )?(.*)$/;
const TX_ADD = /^Tx route add VRF \d+ (\S+) /;
const TX_DELETE = /^Tx route delete VRF \d+ (\S+)/;
const NHOP = /^\s*nhop \[\d+\]: (\S+) /;
const ADJCHANGE = /^%ADJCHANGE: neighbor (\S+?)(?:\([^)]*\))? in vrf \S+ (Up|Down)\s*(.*)$/;

/** Local wall-clock log stamp → epoch ms. */
export function logStampToEpoch(y: string, mo: string, d: string, h: string, mi: string, s: string, frac = ''): number {
  const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) + Number(`0.${frac.slice(3) || '0'}`) : 0;
  return new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), 0).getTime() + ms;
}

/**
 * Stateful line parser (a route install's next hops follow on the next lines).
 * `push(line)` returns the events that line completes.
 */
export class FrrLogParser {
  private open?: { at: Millis; prefix: string; nexthops: string[] };

  constructor(private readonly toMono: (epochMs: number) => Millis = wallToMono) {}

  push(line: string): LogRouteEvent[] {
    const m = STAMP.exec(line);
    if (!m) return [];
    const at = this.toMono(logStampToEpoch(m[1], m[2], m[3], m[4], m[5], m[6], m[7]));
    const text = m[9];
    const nhop = NHOP.exec(text);
    if (nhop && this.open) {
      this.open.nexthops.push(nhop[1]);
      return [];
    }
    const out = this.flush();
    let r: RegExpExecArray | null;
    if ((r = TX_ADD.exec(text))) this.open = { at, prefix: r[1], nexthops: [] };
    else if ((r = TX_DELETE.exec(text))) out.push({ kind: 'route-delete', at, prefix: r[1] });
    else if ((r = ADJCHANGE.exec(text))) {
      out.push({ kind: 'session', at, peer: r[1], state: r[2] === 'Up' ? 'up' : 'down', ...(r[3] ? { reason: r[3].trim() } : {}) });
    }
    return out;
  }

  /** Complete a pending route install (call at end of input). */
  flush(): LogRouteEvent[] {
    const open = this.open;
    this.open = undefined;
    return open ? [{ kind: 'route-install', ...open }] : [];
  }
}

/**
 * The health agent: every interval, ask the local DNS service a real question
 * (the canary name), optionally also check an HTTP health endpoint (CoreDNS's
 * `health` plugin), feed the result to the HealthMachine, and make bgpd's
 * announcement of the service prefix match the machine's decision.
 * A maintenance file, while it exists, drains the site: the prefix is withdrawn
 * but the DNS service keeps answering whatever still arrives, so moving traffic
 * away loses nothing.
 */
import { existsSync } from 'node:fs';
import type dnsPacket from 'dns-packet';
import { queryDns, type DnsResult } from './dns-query.js';
import { HealthMachine, type HealthTransition } from './health-machine.js';
import { Announcer, type AnnounceMode } from './announcer.js';
import { HealthReporter, type HealthStatus, type ProbeRecord } from './status.js';

export interface HealthAgentOptions {
  dnsServer: string;
  dnsPort: number;
  canaryName: string;
  canaryType: dnsPacket.RecordType;
  /** When set, the answer must contain this value (else any NOERROR answer with ≥ 1 record counts). */
  expect?: string;
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
  vtySocket: string;
  asn: number;
  prefix: string;
  maintenanceFile?: string;
  /**
   * Graceful drain: while the maintenance file is new, keep announcing through this
   * route-map (worse at the partners) for drainGraceMs, then withdraw. Without it a
   * drain withdraws at once.
   */
  drainRouteMap?: string;
  drainGraceMs?: number;
  /** Optional HTTP health endpoint (e.g. CoreDNS `health` → http://127.0.0.1:8080/health). */
  healthUrl?: string;
  statusFile?: string;
  /** Where each transition and vty action is reported, one JSON object per line. */
  log: (event: Record<string, unknown>) => void;
}

export function monoNow(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Decide whether one DNS result means "the service works". */
export function judgeDns(r: DnsResult, expect?: string): { ok: boolean; detail: string } {
  if (r.outcome !== 'answer') return { ok: false, detail: `dns ${r.outcome}: ${r.error ?? ''}`.trim() };
  if (r.rcode !== 'NOERROR') return { ok: false, detail: `dns rcode ${r.rcode}` };
  if (r.answers.length === 0) return { ok: false, detail: 'dns answer has no records of the asked type' };
  if (expect !== undefined && !r.answers.includes(expect)) {
    return { ok: false, detail: `dns answer ${JSON.stringify(r.answers)} lacks expected ${JSON.stringify(expect)}` };
  }
  return { ok: true, detail: `dns ok ${r.latencyMs.toFixed(2)} ms ${JSON.stringify(r.answers)}` };
}

async function checkHttp(url: string, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { ok: res.ok, detail: `health endpoint ${res.status}` };
  } catch (err) {
    return { ok: false, detail: `health endpoint: ${(err as Error).message}` };
  }
}

export class HealthAgent {
  readonly machine: HealthMachine;
  readonly reporter: HealthReporter;
  private readonly announcer: Announcer;
  private readonly transitions: HealthTransition[] = [];
  private since = monoNow();
  private drainStartedAt?: number;
  private lastProbe?: ProbeRecord;
  private lastError?: string;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private ticking?: Promise<void>;

  constructor(readonly opts: HealthAgentOptions) {
    if (opts.timeoutMs >= opts.intervalMs) {
      throw new Error(`--timeout (${opts.timeoutMs} ms) must be shorter than --interval (${opts.intervalMs} ms)`);
    }
    this.machine = new HealthMachine({ rise: opts.rise, fall: opts.fall });
    this.announcer = new Announcer({ vtySocket: opts.vtySocket, asn: opts.asn, prefix: opts.prefix, gracefulRouteMap: opts.drainRouteMap });
    this.reporter = new HealthReporter(() => this.status(), opts.statusFile);
  }

  /** What bgpd should hold now; undefined while the first verdict is pending. */
  desiredMode(now = monoNow()): AnnounceMode | undefined {
    switch (this.machine.state) {
      case 'starting':
        return undefined;
      case 'up':
        return 'announce';
      case 'down':
        return 'withdraw';
      case 'draining': {
        const grace = this.opts.drainGraceMs ?? 0;
        const inGrace = this.opts.drainRouteMap && this.drainStartedAt !== undefined && now - this.drainStartedAt < grace;
        return inGrace ? 'graceful' : 'withdraw';
      }
    }
  }

  status(): HealthStatus {
    const mode = this.desiredMode() ?? 'withdraw';
    return {
      prefix: this.opts.prefix,
      state: this.machine.state,
      announced: mode !== 'withdraw',
      announcement: mode,
      inSync: this.announcer.isApplied(mode),
      maintenance: this.machine.state === 'draining',
      since: this.since,
      consecutiveOk: this.machine.consecutiveOk,
      consecutiveFail: this.machine.consecutiveFail,
      lastProbe: this.lastProbe,
      lastError: this.lastError,
      transitions: [...this.transitions],
    };
  }

  start(): void {
    this.opts.log({ at: monoNow(), event: 'start', prefix: this.opts.prefix, intervalMs: this.opts.intervalMs });
    this.reporter.changed();
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const began = monoNow();
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        this.schedule(Math.max(0, this.opts.intervalMs - (monoNow() - began)));
      });
    }, delay);
  }

  /** One probe round; exported for tests through `probeOnce`. */
  async tick(): Promise<void> {
    const maintenance = this.opts.maintenanceFile !== undefined && existsSync(this.opts.maintenanceFile);
    const drain = this.machine.setMaintenance(maintenance, monoNow(), maintenance ? `${this.opts.maintenanceFile} exists` : `${this.opts.maintenanceFile} removed`);
    if (drain) await this.transitioned(drain);
    const probe = await this.probe();
    this.lastProbe = probe;
    this.reporter.probed(probe);
    const t = this.machine.observe(probe.ok, probe.at, probe.detail);
    if (t) await this.transitioned(t);
    else await this.reconcile();
  }

  private async probe(): Promise<ProbeRecord> {
    const at = monoNow();
    const dns = await queryDns({
      server: this.opts.dnsServer,
      port: this.opts.dnsPort,
      name: this.opts.canaryName,
      type: this.opts.canaryType,
      timeoutMs: this.opts.timeoutMs,
    });
    let verdict = judgeDns(dns, this.opts.expect);
    if (verdict.ok && this.opts.healthUrl) {
      const http = await checkHttp(this.opts.healthUrl, this.opts.timeoutMs);
      verdict = { ok: http.ok, detail: `${verdict.detail}; ${http.detail}` };
    }
    return { at, ok: verdict.ok, detail: verdict.detail, latencyMs: dns.latencyMs };
  }

  private async transitioned(t: HealthTransition): Promise<void> {
    if (t.to === 'draining') this.drainStartedAt = t.at;
    HealthReporter.keep(this.transitions, t);
    this.since = t.at;
    this.opts.log({ event: 'transition', ...t });
    this.reporter.transitioned(t);
    await this.reconcile();
  }

  /** Make bgpd hold the desired announcement state; errors are kept and retried next tick. */
  private async reconcile(): Promise<void> {
    const want = this.desiredMode();
    if (want === undefined || this.announcer.isApplied(want)) return;
    const at = monoNow();
    try {
      await this.announcer.apply(want);
      this.lastError = undefined;
      this.opts.log({ at, done: monoNow(), event: want, prefix: this.opts.prefix });
    } catch (err) {
      this.announcer.invalidate();
      this.lastError = (err as Error).message;
      this.opts.log({ at, event: 'vty-error', error: this.lastError });
    }
    this.reporter.changed();
  }

  /** Stop probing and withdraw the prefix (what SIGTERM does): a stopping agent must not leave a route behind. */
  async stop(reason: string): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    const at = monoNow();
    try {
      await this.announcer.apply('withdraw');
      this.opts.log({ at, done: monoNow(), event: 'withdraw', prefix: this.opts.prefix, reason });
    } catch (err) {
      this.opts.log({ at, event: 'vty-error', error: (err as Error).message, reason });
    }
    await this.announcer.close();
    await this.reporter.close();
  }
}

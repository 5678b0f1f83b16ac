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
import { networkInterfaces } from 'node:os';
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
  /** The interface the service address must be on (anycast-healthchecker's ip check). Default lo. */
  serviceDevice?: string;
  /**
   * Hold-down against flapping: once withdrawn for ill health, stay withdrawn at least
   * this long, however soon the service looks healthy again (0 = off).
   */
  holdDownMs?: number;
  /** Called after every completed probe round: the watchdog's heartbeat (watchdog.ts). */
  heartbeat?: () => void;
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
  /** When the prefix was last withdrawn for ill health (hold-down counts from here). */
  private withdrawnForHealthAt?: number;
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
        return this.holdDownUntil(now) !== undefined ? 'withdraw' : 'announce';
      case 'down':
        return 'withdraw';
      case 'draining': {
        const grace = this.opts.drainGraceMs ?? 0;
        const inGrace = this.opts.drainRouteMap && this.drainStartedAt !== undefined && now - this.drainStartedAt < grace;
        return inGrace ? 'graceful' : 'withdraw';
      }
    }
  }

  /** End of the hold-down in force now, if any. */
  private holdDownUntil(now = monoNow()): number | undefined {
    const hold = this.opts.holdDownMs ?? 0;
    if (hold <= 0 || this.withdrawnForHealthAt === undefined) return undefined;
    const until = this.withdrawnForHealthAt + hold;
    return now < until ? until : undefined;
  }

  /** The service address from --prefix is on its interface (anycast-healthchecker's ip check). */
  serviceAddressPresent(): boolean {
    const address = this.opts.prefix.split('/')[0];
    return (networkInterfaces()[this.opts.serviceDevice ?? 'lo'] ?? []).some((a) => a.address === address);
  }

  status(): HealthStatus {
    const mode = this.desiredMode() ?? 'withdraw';
    return {
      prefix: this.opts.prefix,
      state: this.machine.state,
      announced: mode !== 'withdraw',
      announcement: mode,
      inSync: this.announcer.isApplied(mode),
      holdDownUntil: this.machine.state === 'up' ? this.holdDownUntil() : undefined,
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

  /**
   * One probe round, then the announcement asserted against bgpd — on every round,
   * not only on a change, so a restarted bgpd gets the route back within one interval.
   */
  async tick(): Promise<void> {
    const round = monoNow();
    const maintenance = this.opts.maintenanceFile !== undefined && existsSync(this.opts.maintenanceFile);
    const drain = this.machine.setMaintenance(maintenance, monoNow(), maintenance ? `${this.opts.maintenanceFile} exists` : `${this.opts.maintenanceFile} removed`);
    if (drain) this.transitioned(drain);
    if (this.serviceAddressPresent()) {
      const probe = await this.probe();
      this.lastProbe = probe;
      this.reporter.probed(probe);
      const t = this.machine.observe(probe.ok, probe.at, probe.detail);
      if (t) this.transitioned(t);
    } else {
      // No DNS probe: to an address we no longer hold it could reach another site and pass.
      const at = monoNow();
      const detail = `service address ${this.opts.prefix.split('/')[0]} is not on ${this.opts.serviceDevice ?? 'lo'}`;
      this.lastProbe = { at, ok: false, detail, latencyMs: 0 };
      this.reporter.probed(this.lastProbe);
      const t = this.machine.failNow(at, detail);
      if (t) this.transitioned(t);
    }
    await this.reconcile(round);
    this.opts.heartbeat?.();
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

  private transitioned(t: HealthTransition): void {
    if (t.to === 'draining') this.drainStartedAt = t.at;
    if (t.from === 'up' && t.to === 'down') this.withdrawnForHealthAt = t.at;
    HealthReporter.keep(this.transitions, t);
    this.since = t.at;
    this.opts.log({ event: 'transition', ...t });
    this.reporter.transitioned(t);
  }

  /** Make bgpd hold the desired announcement state, checked against bgpd; errors are kept and retried next tick. */
  private async reconcile(round: number): Promise<void> {
    const want = this.desiredMode();
    if (want === undefined) return;
    const at = monoNow();
    try {
      const why = await this.announcer.ensure(want);
      const hadError = this.lastError !== undefined;
      this.lastError = undefined;
      // `round` (the probe round's start) lets an observer tell detection delay from apply time.
      if (why) this.opts.log({ round, at, done: monoNow(), event: want, prefix: this.opts.prefix, why });
      if (why || hadError) this.reporter.changed();
    } catch (err) {
      this.announcer.invalidate();
      this.lastError = (err as Error).message;
      this.opts.log({ at, event: 'vty-error', error: this.lastError });
      this.reporter.changed();
    }
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

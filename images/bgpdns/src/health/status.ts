/**
 * What the health agent exposes about itself: a JSON status document (also written
 * to a file, so a harness can read it without entering the node's network) and
 * Prometheus metrics, both served over HTTP on GET /status and GET /metrics.
 */
import { createServer, type Server } from 'node:http';
import { renameSync, writeFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HealthState, HealthTransition } from './health-machine.js';

export interface ProbeRecord {
  at: number;
  ok: boolean;
  detail: string;
  latencyMs: number;
}

export interface HealthStatus {
  prefix: string;
  state: HealthState;
  /** Whether the prefix should be announced now (normally or gracefully). */
  announced: boolean;
  /** announce | graceful (drain in progress, announced as less preferred) | withdraw. */
  announcement: 'announce' | 'graceful' | 'withdraw';
  /** Whether bgpd is known to hold the desired announcement state. */
  inSync: boolean;
  /** Set while a hold-down keeps a healthy service withdrawn after a recent withdrawal (monotonic ms). */
  holdDownUntil?: number;
  maintenance: boolean;
  since: number;
  consecutiveOk: number;
  consecutiveFail: number;
  lastProbe?: ProbeRecord;
  lastError?: string;
  /** The most recent transitions, oldest first. */
  transitions: HealthTransition[];
}

const KEEP_TRANSITIONS = 100;

export class HealthReporter {
  readonly registry = new Registry();
  private readonly stateGauge: Gauge;
  private readonly announcedGauge: Gauge;
  private readonly transitionsTotal: Counter;
  private readonly probesTotal: Counter;
  private readonly probeLatency: Histogram;
  private server?: Server;

  constructor(
    private readonly status: () => HealthStatus,
    private readonly statusFile?: string,
  ) {
    this.stateGauge = new Gauge({
      name: 'bgpdns_health_state',
      help: 'Current health state (1 for the current state label)',
      labelNames: ['state'],
      registers: [this.registry],
    });
    this.announcedGauge = new Gauge({
      name: 'bgpdns_health_announced',
      help: '1 while the service prefix is announced',
      registers: [this.registry],
    });
    this.transitionsTotal = new Counter({
      name: 'bgpdns_health_transitions_total',
      help: 'State transitions, by target state',
      labelNames: ['to'],
      registers: [this.registry],
    });
    this.probesTotal = new Counter({
      name: 'bgpdns_health_probes_total',
      help: 'Probes run, by result',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.probeLatency = new Histogram({
      name: 'bgpdns_health_probe_latency_seconds',
      help: 'Latency of successful probes',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5],
      registers: [this.registry],
    });
  }

  static keep(transitions: HealthTransition[], t: HealthTransition): void {
    transitions.push(t);
    if (transitions.length > KEEP_TRANSITIONS) transitions.splice(0, transitions.length - KEEP_TRANSITIONS);
  }

  probed(p: ProbeRecord): void {
    this.probesTotal.inc({ result: p.ok ? 'ok' : 'fail' });
    if (p.ok) this.probeLatency.observe(p.latencyMs / 1000);
  }

  transitioned(t: HealthTransition): void {
    this.transitionsTotal.inc({ to: t.to });
    this.changed();
  }

  /** Refresh gauges and the status file after anything worth showing changed. */
  changed(): void {
    const s = this.status();
    for (const st of ['starting', 'up', 'down', 'draining'] as const) this.stateGauge.set({ state: st }, s.state === st ? 1 : 0);
    this.announcedGauge.set(s.announced ? 1 : 0);
    if (this.statusFile) {
      const tmp = `${this.statusFile}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(s)}\n`);
      renameSync(tmp, this.statusFile);
    }
  }

  /** Serve GET /status (JSON) and GET /metrics (Prometheus text) on host:port. */
  listen(host: string, port: number): Promise<{ port: number }> {
    this.server = createServer((req, res) => {
      if (req.url === '/status') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.status()));
      } else if (req.url === '/metrics') {
        this.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': this.registry.contentType });
            res.end(text);
          },
          (err: Error) => {
            res.writeHead(500);
            res.end(err.message);
          },
        );
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('GET /status or /metrics\n');
      }
    });
    const server = this.server;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new Error(`health status server cannot listen on ${host}:${port}: ${err.code ?? err.message}`)),
      );
      server.listen(port, host, () => {
        const addr = server.address();
        resolve({ port: typeof addr === 'object' && addr ? addr.port : port });
      });
    });
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}

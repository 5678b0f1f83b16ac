/**
 * `bgpdns health` — the health agent of the anycast design: probe the local DNS
 * service, announce or withdraw the service prefix through bgpd's vty socket.
 */
import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import type dnsPacket from 'dns-packet';
import type { Command } from '../main.js';
import { spawn } from 'node:child_process';
import { HealthAgent, type HealthAgentOptions } from '../../health/agent.js';
import { HEARTBEAT, STOPPING } from '../../health/watchdog.js';

const usage = `usage: bgpdns health --vty SOCKET --asn ASN --prefix P/LEN --dns ADDR[:PORT] --name CANARY [options]
  --vty PATH            bgpd vty socket (e.g. /run/frr/bgpd.vty)
  --asn N               the local BGP AS (router bgp N)
  --prefix P/LEN        service prefix to announce, e.g. 198.18.53.53/32
  --dns ADDR[:PORT]     DNS service to probe (default port 53)
  --name NAME           canary name to ask for
  --type TYPE           canary record type (default A)
  --expect VALUE        answer must contain VALUE (default: any record)
  --interval MS         probe interval (default 500)
  --timeout MS          probe timeout (default 300, < interval)
  --rise N / --fall N   consecutive successes / failures to change state (default 2 / 2)
  --maintenance-file F  while F exists, withdraw (drain) but keep probing
  --drain-route-map RM  drain gracefully: first announce via route-map RM (e.g. adding the
                        GRACEFUL_SHUTDOWN community), withdraw after --drain-grace MS
  --drain-grace MS      how long a graceful drain announces before withdrawing (default 3000)
  --health-url URL      also require 2xx from this HTTP endpoint (CoreDNS health plugin)
  --status-file F       write the JSON status to F on every change
  --listen HOST:PORT    serve GET /status and GET /metrics
  --service-device DEV  the service address (from --prefix) must be on DEV, else withdraw at once (default lo)
  --hold-down MS        after a withdrawal for ill health, stay withdrawn at least MS (default 0 = off)
  --watchdog MS         a watchdog process withdraws when the agent dies, or when no probe round
                        completes for MS (then it also kills the agent); default 5000, 0 = off`;

function fail(message: string): never {
  throw new Error(`bgpdns health: ${message}\n${usage}`);
}

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

function hostPort(flag: string, v: string, dfltPort?: number): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(v);
  const host = m?.[1];
  const port = m?.[2] !== undefined ? Number(m[2]) : dfltPort;
  if (!host || !isIP(host) || port === undefined || port < 0 || port > 65535) fail(`--${flag} must be ADDR:PORT with an IP address, got "${v}"`);
  return { host, port };
}

function nonNegativeInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) fail(`--${name} must be a whole number of milliseconds (0 = off), got "${v}"`);
  return Number(v);
}

export function parseHealthArgs(argv: string[]): HealthAgentOptions & { listen?: { host: string; port: number }; watchdogMs: number } {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: Object.fromEntries(
        ['vty', 'asn', 'prefix', 'dns', 'name', 'type', 'expect', 'interval', 'timeout', 'rise', 'fall', 'maintenance-file', 'drain-route-map', 'drain-grace', 'health-url', 'status-file', 'listen', 'service-device', 'hold-down', 'watchdog'].map(
          (k) => [k, { type: 'string' as const }],
        ),
      ),
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (err) {
    fail((err as Error).message);
  }
  for (const req of ['vty', 'asn', 'prefix', 'dns', 'name']) if (!values[req]) fail(`--${req} is required`);
  const asn = Number(values.asn);
  if (!Number.isInteger(asn) || asn < 1 || asn > 4294967295) fail(`--asn must be an AS number, got "${values.asn}"`);
  const [addr, len] = values.prefix!.split('/');
  if (!isIP(addr) || len === undefined || !/^\d+$/.test(len)) fail(`--prefix must be ADDR/LEN, got "${values.prefix}"`);
  const dns = hostPort('dns', values.dns!, 53);
  const intervalMs = positiveInt('interval', values.interval, 500);
  const timeoutMs = positiveInt('timeout', values.timeout, Math.min(300, intervalMs - 1));
  if (timeoutMs >= intervalMs) fail(`--timeout (${timeoutMs}) must be shorter than --interval (${intervalMs})`);
  const watchdogMs = nonNegativeInt('watchdog', values.watchdog, 5000);
  if (watchdogMs > 0 && watchdogMs <= 2 * intervalMs) fail(`--watchdog (${watchdogMs}) must be longer than two intervals (${2 * intervalMs}), or 0 for none`);
  return {
    vtySocket: values.vty!,
    asn,
    prefix: values.prefix!,
    dnsServer: dns.host,
    dnsPort: dns.port,
    canaryName: values.name!,
    canaryType: (values.type ?? 'A').toUpperCase() as dnsPacket.RecordType,
    expect: values.expect,
    intervalMs,
    timeoutMs,
    rise: positiveInt('rise', values.rise, 2),
    fall: positiveInt('fall', values.fall, 2),
    maintenanceFile: values['maintenance-file'],
    drainRouteMap: values['drain-route-map'],
    drainGraceMs: positiveInt('drain-grace', values['drain-grace'], 3000),
    healthUrl: values['health-url'],
    statusFile: values['status-file'],
    listen: values.listen ? hostPort('listen', values.listen) : undefined,
    serviceDevice: values['service-device'] ?? 'lo',
    holdDownMs: nonNegativeInt('hold-down', values['hold-down'], 0),
    watchdogMs,
    log: (e) => process.stdout.write(`${JSON.stringify(e)}\n`),
  };
}

export const command: Command = {
  summary: 'health agent: probe the local DNS service, announce/withdraw its /32 via FRR',
  usage,
  async run(argv) {
    let opts: ReturnType<typeof parseHealthArgs>;
    try {
      opts = parseHealthArgs(argv);
    } catch (err) {
      console.error((err as Error).message);
      return 2;
    }
    const watchdog = opts.watchdogMs > 0 ? startWatchdog(opts) : undefined;
    const agent = new HealthAgent({ ...opts, heartbeat: watchdog?.beat });
    if (opts.listen) {
      const { port } = await agent.reporter.listen(opts.listen.host, opts.listen.port);
      opts.log({ event: 'listening', host: opts.listen.host, port });
    }
    agent.start();
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    await agent.stop(signal);
    watchdog?.stopping();
    return 0;
  },
};

/**
 * The watchdog (health/watchdog.ts) as a child process in our process group, fed a
 * byte per completed probe round on its stdin; its log lines go where ours go.
 */
function startWatchdog(opts: ReturnType<typeof parseHealthArgs>): { beat: () => void; stopping: () => void } {
  const child = spawn(
    process.execPath,
    [process.argv[1], 'health-watchdog', '--vty', opts.vtySocket, '--asn', String(opts.asn), '--prefix', opts.prefix, '--timeout', String(opts.watchdogMs), '--agent-pid', String(process.pid)],
    { stdio: ['pipe', 'inherit', 'inherit'] },
  );
  child.stdin!.on('error', () => undefined);
  child.once('exit', (code, sig) => opts.log({ event: 'watchdog-exited', code, signal: sig }));
  opts.log({ event: 'watchdog-started', pid: child.pid, timeoutMs: opts.watchdogMs });
  return {
    beat: () => {
      if (child.exitCode === null) child.stdin!.write(Buffer.of(HEARTBEAT));
    },
    stopping: () => {
      if (child.exitCode === null) child.stdin!.end(Buffer.of(STOPPING));
    },
  };
}

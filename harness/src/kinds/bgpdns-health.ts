import path from 'node:path';
import { existsSync } from 'node:fs';
import { readNodeFile } from './node-file.js';
import type { Lab, LabNode } from '../topology/model.js';
import type { TopologyIssue } from '../topology/errors.js';
import type { NodeProcess } from '../runtime/runtime.js';
import type { Kind, KindContext } from './kind.js';
import { frrKind } from './frr.js';
import { waitUntil } from '@bgpdns-lab/bgpdns';
import { frrContext, templateIssues, writeRendered } from './templated-frr.js';
import { readTemplateVars } from '../templates/node-config.js';
import { bgpdnsCommand } from './bgpdns-command.js';
import { DATA_BIND, TINYDNS_NEEDS, DNS_SERVICES, corednsBinaryPath, dataBind, prepareDnsService, startDnsService, type DnsServiceName } from './dns-service.js';

/**
 * The anycast DNS host of the telecom design: FRR (templated config, see
 * templated-frr.ts) + a DNS service bound to the service address + the
 * `bgpdns health` agent announcing or withdrawing that address's /32.
 *
 * Lab file (containerlab-compatible: kind linux, the rest in env / binds / config.vars):
 *   image: bgpdns-lab/bgpdns-health
 *   startup-config: templates/dns-host.frr.tmpl
 *   binds: [dns/site-a.data:/etc/tinydns/data]
 *   env: DNS_SERVICE (tinydns | bgpdns-dns | coredns), HEALTH_CANARY, HEALTH_CANARY_TYPE,
 *        HEALTH_EXPECT, HEALTH_INTERVAL_MS, HEALTH_TIMEOUT_MS, HEALTH_RISE, HEALTH_FALL,
 *        HEALTH_DRAIN_ROUTE_MAP + HEALTH_DRAIN_GRACE_MS (graceful drain)
 *   config.vars: SITE_ASN and EXTERNAL_SIGNALLING_IP (the service address) are read
 *                from the template variables, so the agent and FRR cannot disagree.
 * Processes (roles): zebra, bgpd, staticd, bfdd …, `dns`, `health`.
 * Files: DIR/maintenance (create to drain), DIR/health.json (agent status),
 *        DIR/health.log (agent transitions, one JSON line each).
 */
export const MAINTENANCE_FILE = 'maintenance';
export const HEALTH_STATUS_FILE = 'health.json';
export const HEALTH_HTTP_PORT = 9553;

const keepBind = (b: string) => b.split(':')[1] !== DATA_BIND;

interface HostPlan {
  service: DnsServiceName;
  address: string;
  asn: number;
  dataFile: string;
  canary: string;
  canaryType: string;
  expect?: string;
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
  drainRouteMap?: string;
  drainGraceMs: number;
}

function envInt(node: LabNode, key: string, dflt: number, issues: TopologyIssue[]): number {
  const v = node.env[key];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) issues.push({ path: `env.${key}`, message: `must be a positive integer, got "${v}"` });
  return n;
}

function hostPlan(lab: Lab, node: LabNode): { plan?: HostPlan; issues: TopologyIssue[] } {
  const issues: TopologyIssue[] = [];
  const service = (node.env.DNS_SERVICE ?? 'tinydns') as DnsServiceName;
  if (!DNS_SERVICES.includes(service)) {
    issues.push({ path: 'env.DNS_SERVICE', message: `unknown DNS service "${service}"; one of ${DNS_SERVICES.join(', ')}` });
  }
  if (service === 'coredns' && !corednsBinaryPath()) {
    issues.push({ path: 'env.DNS_SERVICE', message: 'coredns: no CoreDNS binary on this host (set BGPDNS_COREDNS_BINARY or put it at images/coredns/coredns); use tinydns or bgpdns-dns' });
  }
  const dataFile = dataBind(node.binds);
  if (!dataFile) issues.push({ path: 'binds', message: `needs a bind "<tinydns data file>:${DATA_BIND}" with the zone this host serves` });
  else if (!existsSync(dataFile)) issues.push({ path: 'binds', message: `DNS data file ${dataFile} not found` });
  let vars: Record<string, unknown> = {};
  try {
    vars = readTemplateVars(lab.file, node.name).values;
  } catch (err) {
    issues.push({ path: 'config.vars', message: (err as Error).message });
  }
  const address = String(vars.EXTERNAL_SIGNALLING_IP ?? '');
  const asn = Number(vars.SITE_ASN);
  if (!address) issues.push({ path: 'config.vars.EXTERNAL_SIGNALLING_IP', message: 'the service address is required (the health agent announces it as a /32)' });
  if (!Number.isInteger(asn) || asn < 1) issues.push({ path: 'config.vars.SITE_ASN', message: `must be the site's AS number, got "${String(vars.SITE_ASN ?? '')}"` });
  const plan: HostPlan = {
    service,
    address,
    asn,
    dataFile: dataFile ?? '',
    canary: node.env.HEALTH_CANARY ?? '',
    canaryType: node.env.HEALTH_CANARY_TYPE ?? 'A',
    expect: node.env.HEALTH_EXPECT,
    intervalMs: envInt(node, 'HEALTH_INTERVAL_MS', 500, issues),
    timeoutMs: envInt(node, 'HEALTH_TIMEOUT_MS', 300, issues),
    rise: envInt(node, 'HEALTH_RISE', 2, issues),
    fall: envInt(node, 'HEALTH_FALL', 2, issues),
    drainRouteMap: node.env.HEALTH_DRAIN_ROUTE_MAP,
    drainGraceMs: envInt(node, 'HEALTH_DRAIN_GRACE_MS', 3000, issues),
  };
  if (!plan.canary) issues.push({ path: 'env.HEALTH_CANARY', message: 'the canary name the health agent asks for is required' });
  if (plan.timeoutMs >= plan.intervalMs) issues.push({ path: 'env.HEALTH_TIMEOUT_MS', message: `must be shorter than HEALTH_INTERVAL_MS (${plan.intervalMs})` });
  return { plan: issues.length ? undefined : plan, issues };
}

const plans = new WeakMap<LabNode, HostPlan>();

function planOf(ctx: KindContext): HostPlan {
  const p = plans.get(ctx.node);
  if (!p) throw new Error(`node ${ctx.node.name}: bgpdns-health kind used before prepare`);
  return p;
}

/** Arguments of `bgpdns health` for a node. */
export function healthAgentArgs(dir: string, p: Omit<HostPlan, 'service' | 'dataFile'>): string[] {
  return [
    'health',
    '--vty', path.join(dir, 'bgpd.vty'),
    '--asn', String(p.asn),
    '--prefix', `${p.address}/32`,
    '--dns', p.address,
    '--name', p.canary,
    '--type', p.canaryType,
    ...(p.expect !== undefined ? ['--expect', p.expect] : []),
    '--interval', String(p.intervalMs),
    '--timeout', String(p.timeoutMs),
    '--rise', String(p.rise),
    '--fall', String(p.fall),
    '--maintenance-file', path.join(dir, MAINTENANCE_FILE),
    ...(p.drainRouteMap ? ['--drain-route-map', p.drainRouteMap, '--drain-grace', String(p.drainGraceMs)] : []),
    '--status-file', path.join(dir, HEALTH_STATUS_FILE),
    '--listen', `127.0.0.1:${HEALTH_HTTP_PORT}`,
  ];
}

export const bgpdnsHealthKind: Kind = {
  name: 'bgpdns-health',
  summary: 'anycast DNS host: FRR (templated config) + tinydns or the bgpdns DNS front + the bgpdns health agent',
  images: ['bgpdns-lab/bgpdns-health', 'bgpdns-lab/bgpdns-health:*'],
  // FRR, tinydns and our daemons (the bundle the image installs as bgpdns).
  nodeImage: { docker: 'bgpdns' },
  // FRR announces the service /32; tinydns is the default DNS service (DNS_SERVICE).
  needs: [...frrKind.needs, ...TINYDNS_NEEDS],
  settingsKeys: ['config'],

  async validate(lab, node) {
    const view = templateIssues(lab, node, keepBind);
    const issues = Array.isArray(view) ? view : ((await frrKind.validate?.(lab, view)) ?? []);
    return [...issues, ...hostPlan(lab, node).issues];
  },

  async prepare(ctx) {
    const { plan, issues } = hostPlan(ctx.lab, ctx.node);
    if (!plan) throw new Error(`node ${ctx.node.name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    plans.set(ctx.node, plan);
    await frrKind.prepare?.(frrContext(ctx, keepBind));
    await writeRendered(ctx);
    await prepareDnsService(ctx, plan.service, plan.dataFile);
  },

  async start(ctx) {
    const p = planOf(ctx);
    const started: NodeProcess[] = await frrKind.start(frrContext(ctx, keepBind));
    // The service address must exist before the DNS service binds it; zebra adds the
    // same address from the config a moment later, which is harmless.
    const lo = await ctx.runtime.exec(ctx.lab, ctx.node.name, ['ip', 'addr', 'replace', `${p.address}/32`, 'dev', 'lo']);
    if (lo.exitCode !== 0) throw new Error(`node ${ctx.node.name}: cannot add ${p.address}/32 to lo: ${lo.stderr.trim()}`);
    await ctx.runtime.exec(ctx.lab, ctx.node.name, ['ip', 'link', 'set', 'lo', 'up']);
    started.push(await startDnsService(ctx, bgpdnsHealthKind.nodeImage, p.service, p.address));
    const agent = bgpdnsCommand(ctx, bgpdnsHealthKind.nodeImage, healthAgentArgs(ctx.dir, p));
    started.push(
      await ctx.runtime.spawn(ctx.lab, ctx.node.name, agent.argv, { role: 'health', placement: 'node', cwd: agent.cwd, logFile: path.join(ctx.dir, 'health.log') }),
    );
    return started;
  },

  async ready(ctx, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    await frrKind.ready(frrContext(ctx, keepBind), timeoutMs);
    const status = path.join(ctx.dir, HEALTH_STATUS_FILE);
    const read = () => readNodeFile(ctx, status).then((text) => JSON.parse(text) as { state: string; lastError?: string }).catch(() => undefined);
    await waitUntil(read, (s) => (s ? s.state === 'up' || `state ${s.state}${s.lastError ? `, ${s.lastError}` : ''}` : 'no status file yet'), {
      what: `node ${ctx.node.name}: health agent reports the DNS service up`,
      timeout: Math.max(0, deadline - Date.now()),
      interval: 50,
      onTimeout: (e) => new Error(`node ${ctx.node.name}: health agent did not report the DNS service up within ${timeoutMs} ms (${e.lastProblem}); see ${path.join(ctx.dir, 'health.log')} and ${path.join(ctx.dir, 'dns.log')}`),
    });
  },

  vtyDaemons: (ctx) => frrKind.vtyDaemons?.(frrContext(ctx, keepBind)) ?? [],
};

/**
 * The BGP-aware DNS front (`bgpdns dns`, images/bgpdns/src/dns) as a lab node:
 * file mode serving a bound tinydns data file, or proxy mode in front of another
 * authoritative server (UPSTREAM), ordering A/AAAA answers by the sorter (SORTER +
 * a bound key file). Health, readiness and Prometheus metrics on 127.0.0.1:8053
 * inside the node (`frontMetrics` reads them).
 *   dns:
 *     kind: bgpdns-dns
 *     binds: [dns/data:/etc/tinydns/data, sorter.key:/etc/bgpdns/sorter.key]
 *     env: { LISTEN: 198.18.16.18/29, ROUTE: "198.18.0.0/15 via 198.18.16.17", SORTER: "198.18.16.34:179" }      # + UPSTREAM: "198.18.16.26:53" for proxy mode
 */
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import type { LabNode } from '../topology/model.js';
import type { TopologyIssue } from '../topology/errors.js';
import type { DeployedNode } from '../lab/handle.js';
import type { Kind } from './kind.js';
import { DATA_BIND, dataBind } from './dns-service.js';
import { bgpdnsCommand } from './bgpdns-command.js';
import { ensureNodeDir } from './node-dir.js';
import { setUpServiceAddress, listenIssues, requireListen, waitUdpBound } from './lab-service.js';
import { parsePrometheusText } from '../probes/prometheus-text.js';

export const SORTER_KEY_BIND = '/etc/bgpdns/sorter.key';
/** Where the front serves /health, /ready and /metrics inside its node. */
export const FRONT_HTTP = '127.0.0.1:8053';

const bindOf = (node: LabNode, target: string) => node.binds.find((b) => b.split(':')[1] === target)?.split(':')[0];

function endpointIssue(node: LabNode, key: string): TopologyIssue | undefined {
  const v = node.env[key];
  if (v === undefined) return undefined;
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:]+):(\d+)$/.exec(v);
  if (!m || isIP(m[1]) === 0 || Number(m[2]) > 65535) return { path: `env.${key}`, message: `expected ADDR:PORT with an IP address (IPv6 in brackets), got "${v}"` };
  return undefined;
}

function frontIssues(node: LabNode): TopologyIssue[] {
  const issues: TopologyIssue[] = [];
  const data = dataBind(node.binds);
  const upstream = node.env.UPSTREAM;
  if (!data === !upstream) issues.push({ path: 'binds', message: `give exactly one of a data file (bind "<file>:${DATA_BIND}", file mode) or env.UPSTREAM (proxy mode)` });
  if (data && !existsSync(data)) issues.push({ path: 'binds', message: `tinydns data file ${data} not found` });
  for (const key of ['UPSTREAM', 'SORTER']) {
    const issue = endpointIssue(node, key);
    if (issue) issues.push(issue);
  }
  const keyFile = bindOf(node, SORTER_KEY_BIND);
  if (node.env.SORTER && !keyFile) issues.push({ path: 'binds', message: `env.SORTER needs the sorter key: a bind "<file>:${SORTER_KEY_BIND}"` });
  if (keyFile && !existsSync(keyFile)) issues.push({ path: 'binds', message: `sorter key file ${keyFile} not found` });
  const timeout = node.env.SORTER_TIMEOUT;
  if (timeout !== undefined && !/^[1-9]\d*$/.test(timeout)) issues.push({ path: 'env.SORTER_TIMEOUT', message: `expected a whole number of ms ≥ 1, got "${timeout}"` });
  return issues;
}

export const bgpdnsDnsKind: Kind = {
  name: 'bgpdns-dns',
  summary: 'BGP-aware DNS front (bgpdns dns): tinydns data file or proxy (env UPSTREAM), answers ordered by the sorter (env SORTER)',
  images: ['bgpdns-lab/bgpdns-dns*'],
  nodeImage: { docker: 'bgpdns' },
  // Our daemon runs on the harness's own node binary: nothing to install.
  needs: [],

  async validate(lab, node) {
    return [...listenIssues(lab, node), ...frontIssues(node)];
  },

  async prepare(ctx) {
    const issues = frontIssues(ctx.node);
    if (issues.length > 0) throw new Error(`node ${ctx.node.name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    await ensureNodeDir(ctx.dir);
    const data = dataBind(ctx.node.binds);
    if (data) await copyFile(data, path.join(ctx.dir, 'data'));
    const key = bindOf(ctx.node, SORTER_KEY_BIND);
    if (key) await copyFile(key, path.join(ctx.dir, 'sorter.key'));
  },

  async start(ctx) {
    await setUpServiceAddress(ctx);
    const env = ctx.node.env;
    const argv = ['dns'];
    argv.push(...(env.UPSTREAM ? ['--upstream', env.UPSTREAM] : ['--data', path.join(ctx.dir, 'data')]));
    argv.push('--listen', `${requireListen(ctx.node)}:53`, '--http', FRONT_HTTP);
    if (env.SORTER) argv.push('--sorter', env.SORTER, '--key', path.join(ctx.dir, 'sorter.key'));
    if (env.SORTER_TIMEOUT) argv.push('--sorter-timeout', env.SORTER_TIMEOUT);
    const front = bgpdnsCommand(ctx, bgpdnsDnsKind.nodeImage, argv);
    return [await ctx.runtime.spawn(ctx.lab, ctx.node.name, front.argv, { role: 'dns', placement: 'node', cwd: front.cwd, logFile: path.join(ctx.dir, 'dns.log') })];
  },

  ready: (ctx, timeoutMs) => waitUdpBound(ctx, requireListen(ctx.node), 53, timeoutMs, path.join(ctx.dir, 'dns.log')),
};

/** The front's Prometheus metrics as name{labels} → value (read with curl inside the node). */
export async function frontMetrics(node: Pick<DeployedNode, 'exec' | 'name'>): Promise<Map<string, number>> {
  const r = await node.exec(['curl', '-sf', '--max-time', '2', `http://${FRONT_HTTP}/metrics`]);
  if (r.exitCode !== 0) throw new Error(`node ${node.name}: metrics at http://${FRONT_HTTP}/metrics: curl exit ${r.exitCode} ${r.stderr.trim()}`);
  return parsePrometheusText(r.stdout).samples;
}

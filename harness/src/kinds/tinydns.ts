/**
 * tinydns (djbdns, the Debian package) as a lab node: the authoritative server of
 * the BGPDNS design's 2002 reference implementation, serving a bound tinydns
 * `data` file (compiled with tinydns-data) on one lab address:
 *   tinydns:
 *     kind: tinydns
 *     binds: [dns/data:/etc/tinydns/data]
 *     env: { LISTEN: 198.18.16.26/29, ROUTE: "198.18.0.0/15 via 198.18.16.25" }   # see lab-service.ts
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Kind } from './kind.js';
import { DATA_BIND, TINYDNS_NEEDS, dataBind, prepareDnsService, startDnsService } from './dns-service.js';
import { ensureNodeDir } from './node-dir.js';
import { setUpServiceAddress, listenIssues, requireListen, waitUdpBound } from './lab-service.js';

export const tinydnsKind: Kind = {
  name: 'tinydns',
  summary: `djbdns tinydns serving a bound data file (bind "<file>:${DATA_BIND}", env LISTEN)`,
  images: ['bgpdns-lab/tinydns*'],
  nodeImage: { docker: 'tinydns' },
  needs: TINYDNS_NEEDS,

  async validate(lab, node) {
    const issues = listenIssues(lab, node);
    const data = dataBind(node.binds);
    if (!data) issues.push({ path: 'binds', message: `needs the tinydns data file: a bind "<file>:${DATA_BIND}"` });
    else if (!existsSync(data)) issues.push({ path: 'binds', message: `tinydns data file ${data} not found` });
    return issues;
  },

  async prepare(ctx) {
    await ensureNodeDir(ctx.dir);
    const data = dataBind(ctx.node.binds);
    if (!data) throw new Error(`node ${ctx.node.name}: binds: needs "<file>:${DATA_BIND}"`);
    await prepareDnsService(ctx, 'tinydns', data);
  },

  async start(ctx) {
    await setUpServiceAddress(ctx);
    return [await startDnsService(ctx, tinydnsKind.nodeImage, 'tinydns', requireListen(ctx.node))];
  },

  ready: (ctx, timeoutMs) => waitUdpBound(ctx, requireListen(ctx.node), 53, timeoutMs, path.join(ctx.dir, 'dns.log')),
};

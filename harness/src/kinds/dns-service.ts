import { copyFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import type { NodeProcess } from '../runtime/runtime.js';
import type { KindContext, NodeImages } from './kind.js';
import { BGPDNS_BIN, REPO_ROOT as repoRoot, bgpdnsCommand } from './bgpdns-command.js';
import type { HostNeed } from '../install/host-need.js';
import { systemUser } from './node-dir.js';

/**
 * The DNS service of an anycast DNS host, bound to the service address:
 *   tinydns      — djbdns tinydns serving the bound tinydns `data` file (default);
 *   bgpdns-dns   — our DNS front (`bgpdns dns --data FILE`) serving the same file;
 *   coredns      — only where a coredns binary is installed (BGPDNS_COREDNS_BINARY or PATH).
 * Data comes from a bind to /etc/tinydns/data, as a containerlab user would mount it.
 */
export const DNS_SERVICES = ['tinydns', 'bgpdns-dns', 'coredns'] as const;
export type DnsServiceName = (typeof DNS_SERVICES)[number];
export const DATA_BIND = '/etc/tinydns/data';
/** tinydns-data builds data.cdb, tinydns serves it. */
export const TINYDNS_NEEDS: readonly HostNeed[] = [
  { executable: '/usr/sbin/tinydns', package: 'tinydns' },
  { executable: '/usr/sbin/tinydns-data', package: 'tinydns' },
];

export { BGPDNS_BIN };

export function dataBind(binds: string[]): string | undefined {
  const b = binds.find((x) => x.split(':')[1] === DATA_BIND);
  return b?.split(':')[0];
}

export function corednsBinaryPath(env = process.env): string | undefined {
  const candidates = [env.BGPDNS_COREDNS_BINARY, path.join(repoRoot, 'images', 'coredns', 'coredns'), '/usr/local/bin/coredns', '/usr/bin/coredns'];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/** Write what the service needs into DIR (tinydns: DIR/tinydns/data.cdb). */
export async function prepareDnsService(ctx: KindContext, service: DnsServiceName, dataFile: string): Promise<void> {
  const root = path.join(ctx.dir, 'tinydns');
  await mkdir(root, { recursive: true });
  await copyFile(dataFile, path.join(root, 'data'));
  if (service === 'tinydns') {
    const r = await $({ cwd: root, nothrow: true, quiet: true })`tinydns-data`;
    if (r.exitCode !== 0) throw new Error(`node ${ctx.node.name}: tinydns-data rejected ${dataFile}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  if (service === 'coredns') {
    // CoreDNS's `file` plugin wants a zone file; the lab ships tinydns data, so CoreDNS
    // is offered only when a Corefile is bound next to it.
    throw new Error(`node ${ctx.node.name}: DNS_SERVICE=coredns needs a bound Corefile; not supported by this lab yet`);
  }
}

/** Start the service inside the node (of a kind running from `nodeImage`), bound to `address`. */
export async function startDnsService(ctx: KindContext, nodeImage: NodeImages, service: DnsServiceName, address: string): Promise<NodeProcess> {
  const root = path.join(ctx.dir, 'tinydns');
  if (service === 'tinydns') {
    const user = systemUser('tinydns') ?? systemUser('nobody');
    if (!user) throw new Error(`node ${ctx.node.name}: no "tinydns" or "nobody" user for tinydns to drop privileges to`);
    return ctx.runtime.spawn(
      ctx.lab,
      ctx.node.name,
      ['env', '-i', `IP=${address}`, `ROOT=${root}`, `UID=${user.uid}`, `GID=${user.gid}`, '/usr/sbin/tinydns'],
      { role: 'dns', placement: 'node', logFile: path.join(ctx.dir, 'dns.log') },
    );
  }
  const front = bgpdnsCommand(ctx, nodeImage, ['dns', '--data', path.join(root, 'data'), '--listen', `${address}:53`]);
  return ctx.runtime.spawn(ctx.lab, ctx.node.name, front.argv, { role: 'dns', placement: 'node', cwd: front.cwd, logFile: path.join(ctx.dir, 'dns.log') });
}

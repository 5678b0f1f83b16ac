/**
 * A recursive resolver in the lab: Debian's `unbound`, in the foreground, reading
 * the lab's resolver policy from a bound config (stub zones, ECS, order options)
 * and the node specifics this kind adds (listen address and route from env, see
 * lab-service.ts; files in the node directory;
 * no chroot, no privilege drop, logs to stderr):
 *   res1:
 *     kind: unbound
 *     binds: [resolver/unbound-ecs.conf:/etc/unbound/unbound.conf]
 *     env: { LISTEN: 198.19.1.53/30, ROUTE: "198.18.0.0/15 via 198.19.1.54" }
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { $ } from 'zx';
import type { LabNode } from '../topology/model.js';
import type { Kind } from './kind.js';
import { ensureNodeDir } from './node-dir.js';
import { setUpServiceAddress, listenIssues, requireListen, waitUdpBound } from './lab-service.js';

export const UNBOUND_CONFIG_BIND = '/etc/unbound/unbound.conf';
const UNBOUND = '/usr/sbin/unbound';

const configFile = (node: LabNode) => node.binds.find((b) => b.split(':')[1] === UNBOUND_CONFIG_BIND)?.split(':')[0];

/** unbound.conf as run: the node's own settings, then the lab's policy file. */
export function unboundConfig(dir: string, listen: string, labConfig: string): string {
  return [
    '# Written by bgpdns-lab (kind unbound): node settings, then the lab file.',
    'server:',
    `  directory: "${dir}"`,
    `  pidfile: "${path.join(dir, 'unbound.pid')}"`,
    '  username: ""',
    '  chroot: ""',
    '  use-syslog: no',
    '  logfile: ""',
    `  interface: ${listen}`,
    '  num-threads: 1',
    'remote-control:',
    '  control-enable: no',
    `include: "${labConfig}"`,
    '',
  ].join('\n');
}

export const unboundKind: Kind = {
  name: 'unbound',
  summary: `unbound recursive resolver (bind "<file>:${UNBOUND_CONFIG_BIND}", env LISTEN)`,
  images: ['mvance/unbound*', 'klutchell/unbound*', 'bgpdns-lab/unbound*'],
  // The client image carries Debian's unbound.
  nodeImage: { docker: 'client' },
  needs: [{ executable: UNBOUND, package: 'unbound' }],

  async validate(lab, node) {
    const issues = listenIssues(lab, node);
    const file = configFile(node);
    if (!file) issues.push({ path: 'binds', message: `needs the resolver config: a bind "<file>:${UNBOUND_CONFIG_BIND}"` });
    else if (!existsSync(file)) issues.push({ path: 'binds', message: `unbound config ${file} not found` });
    return issues;
  },

  async prepare(ctx) {
    await ensureNodeDir(ctx.dir);
    const file = configFile(ctx.node);
    if (!file) throw new Error(`node ${ctx.node.name}: binds: needs "<file>:${UNBOUND_CONFIG_BIND}"`);
    const conf = path.join(ctx.dir, 'unbound.conf');
    await writeFile(conf, unboundConfig(ctx.dir, requireListen(ctx.node), file));
    const check = await $({ nothrow: true, quiet: true })`unbound-checkconf ${conf}`;
    if (check.exitCode !== 0) throw new Error(`node ${ctx.node.name}: unbound-checkconf rejected ${file}: ${(check.stderr || check.stdout).trim()}`);
  },

  async start(ctx) {
    await setUpServiceAddress(ctx);
    return [
      await ctx.runtime.spawn(ctx.lab, ctx.node.name, [UNBOUND, '-d', '-c', path.join(ctx.dir, 'unbound.conf')], {
        role: 'unbound',
        logFile: path.join(ctx.dir, 'unbound.log'),
      }),
    ];
  },

  ready: (ctx, timeoutMs) => waitUdpBound(ctx, requireListen(ctx.node), 53, timeoutMs, path.join(ctx.dir, 'unbound.log')),
};

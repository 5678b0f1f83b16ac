/**
 * The BGPDNS sorter (`bgpdns sorter`, images/bgpdns/src/sorter): listen-only BGP
 * sessions with the upstream ISPs, the authenticated UDP query service and a JSON
 * status. Lab file (containerlab-compatible):
 *   sorter:
 *     kind: bgpdns-sorter          # or kind linux + image bgpdns-lab/bgpdns-sorter
 *     binds: [sorter.yaml:/etc/bgpdns/sorter.yaml]   # or startup-config: sorter.yaml
 *     exec: [ip addr add 198.18.91.2/30 dev eth1, …]
 * The daemon binds wildcard addresses or the node's own; addresses from `exec:`
 * lines arrive after it started, so configs in labs should listen on "::" (the
 * fast-failover interface is looked up when each session comes up).
 *
 * Files in the node directory DIR:
 *   DIR/sorter.json   the config as run (the lab's file + statusFile)
 *   DIR/status.json   the daemon's status, rewritten every second (readable from the host)
 *   DIR/sorter.log    JSON log lines (stderr)
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { readNodeFile, type NodeFileReader } from './node-file.js';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseSorterConfig, type SorterStatus, waitUntil } from '@bgpdns-lab/bgpdns';
import type { Lab, LabNode } from '../topology/model.js';
import type { TopologyIssue } from '../topology/errors.js';
import type { Kind } from './kind.js';
import { bgpdnsCommand } from './bgpdns-command.js';
import { ensureNodeDir } from './node-dir.js';

export const SORTER_CONFIG_BIND = '/etc/bgpdns/sorter.yaml';
export const SORTER_STATUS_FILE = 'status.json';

function configSource(node: LabNode): { file?: string; field: string } {
  if (node.startupConfig) return { file: node.startupConfig, field: 'startup-config' };
  const i = node.binds.findIndex((b) => b.split(':')[1] === SORTER_CONFIG_BIND);
  if (i >= 0) return { file: node.binds[i].split(':')[0], field: `binds.${i}` };
  return { field: 'binds' };
}

async function configIssues(node: LabNode): Promise<TopologyIssue[]> {
  const src = configSource(node);
  if (!src.file) return [{ path: 'binds', message: `needs the sorter config: startup-config, or a bind "<file>:${SORTER_CONFIG_BIND}"` }];
  if (!existsSync(src.file)) return [{ path: src.field, message: `sorter config ${src.file} not found` }];
  try {
    parseSorterConfig(await readFile(src.file, 'utf8'), src.file);
    return [];
  } catch (e) {
    return [{ path: src.field, message: (e as Error).message }];
  }
}

/**
 * The sorter's status as last written by the daemon (undefined before its first write);
 * `at`: the node, when it may be on another host (its file is read there).
 */
export async function readSorterStatus(dir: string, at?: NodeFileReader): Promise<SorterStatus | undefined> {
  const file = path.join(dir, SORTER_STATUS_FILE);
  try {
    return JSON.parse(at ? await readNodeFile(at, file) : await readFile(file, 'utf8')) as SorterStatus;
  } catch {
    return undefined;
  }
}

export const bgpdnsSorterKind: Kind = {
  name: 'bgpdns-sorter',
  summary: 'BGPDNS sorter: listen-only BGP + authenticated UDP ranking queries (bgpdns sorter)',
  images: ['bgpdns-lab/bgpdns-sorter*'],
  nodeImage: { docker: 'bgpdns' },
  // Our daemon runs on the harness's own node binary: nothing to install.
  needs: [],

  async validate(_lab: Lab, node: LabNode) {
    return configIssues(node);
  },

  async prepare(ctx) {
    const issues = await configIssues(ctx.node);
    if (issues.length > 0) throw new Error(`node ${ctx.node.name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    await ensureNodeDir(ctx.dir);
    const src = configSource(ctx.node).file!;
    const doc = parseYaml(await readFile(src, 'utf8')) as Record<string, unknown>;
    const body = (Object.keys(doc).length === 1 && 'sorter' in doc ? doc.sorter : doc) as Record<string, unknown>;
    body.statusFile = path.join(ctx.dir, SORTER_STATUS_FILE);
    await writeFile(path.join(ctx.dir, 'sorter.json'), `${JSON.stringify(body, null, 2)}\n`);
  },

  async start(ctx) {
    await ctx.runtime.exec(ctx.lab, ctx.node.name, ['ip', 'link', 'set', 'lo', 'up']);
    const sorter = bgpdnsCommand(ctx, bgpdnsSorterKind.nodeImage, ['sorter', '--config', path.join(ctx.dir, 'sorter.json')]);
    return [
      await ctx.runtime.spawn(ctx.lab, ctx.node.name, sorter.argv, { role: 'sorter', placement: 'node', cwd: sorter.cwd, logFile: path.join(ctx.dir, 'sorter.log') }),
    ];
  },

  async ready(ctx, timeoutMs) {
    await waitUntil(() => readSorterStatus(ctx.dir, ctx), (status) => status !== undefined, {
      what: `node ${ctx.node.name}: sorter status`,
      timeout: timeoutMs,
      interval: 50,
      signal: ctx.signal,
      onTimeout: () => new Error(`node ${ctx.node.name}: the sorter wrote no status within ${timeoutMs} ms; see ${path.join(ctx.dir, 'sorter.log')}`),
    });
  },
};

/**
 * Files of a node on another host: copied into its container through that host's
 * Docker endpoint (the engine's archive upload, `PUT /containers/ID/archive`, what
 * `docker cp` does) instead of bind-mounted from this machine, so nothing on the
 * host depends on the harness's file system.
 *  - At create: the file's binds and the lab directory (kinds refer to lab files
 *    by their path here, e.g. an unbound config's include), at the paths the
 *    bind mounts would have given them.
 *  - Before each command in the container: the node directory's files the kinds
 *    wrote or changed since the last copy (configs, the vtysh wrapper). In the
 *    container the node directory is its own volume, where the daemons write their
 *    sockets, logs and status files; the agent beside the node shares it.
 * Owners and modes travel with the files (tar --numeric-owner), as through a bind.
 */
import { spawn } from 'node:child_process';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { engine } from './engine.js';

export interface FileTarget {
  id: string;
  endpoint?: string;
}

/** Files the harness itself writes in a node directory (its instruments' samples and logs): never copied. */
const HARNESS_OWN = /\.(jsonl|log)$/;

/** tar's stream of `args`, checked: a tar that fails is an error naming what it packed. */
function tarStream(args: string[], input: string | undefined, what: string): { stream: Readable; done: Promise<void> } {
  const child = spawn('tar', ['--numeric-owner', '-cf', '-', ...args], { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  if (input !== undefined) child.stdin!.end(input);
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`cannot pack ${what} for its container: ${e.message}`)));
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`cannot pack ${what} for its container: tar exit ${code}: ${stderr.trim()}`))));
  });
  return { stream: child.stdout!, done };
}

async function upload(c: FileTarget, args: string[], input: string | undefined, what: string): Promise<void> {
  const { stream, done } = tarStream(args, input, what);
  const container = (await engine(c.endpoint)).getContainer(c.id);
  try {
    await Promise.all([container.putArchive(stream, { path: '/' }), done]);
  } catch (err) {
    throw new Error(`cannot copy ${what} into container ${c.id.slice(0, 12)}${c.endpoint ? ` on ${c.endpoint}` : ''}: ${(err as Error).message}`);
  }
}

/** `binds` as the file writes them (`SRC:DST[:ro]`, SRC absolute): each SRC copied to DST in the container. */
export async function copyBinds(c: FileTarget, binds: string[]): Promise<void> {
  for (const b of binds) {
    const [src, dst] = b.split(':');
    const base = path.basename(src);
    // One top entry a tar; renamed from SRC's name to DST's path (relative to /, where it is unpacked).
    const rename = `s,^${base.replace(/[.[\]*^$\\,]/g, '\\$&')},${dst.replace(/^\/+/, '').replace(/[\\,&]/g, '\\$&')},`;
    await upload(c, ['-C', path.dirname(src), '--transform', rename, base], undefined, `bind ${b}`);
  }
}

/**
 * Keeps a node directory's copies in the containers up to date: only what
 * changed (size, mtime, mode, owner) since the last copy to that container.
 */
export class NodeDirCopies {
  private readonly sent = new Map<string, Map<string, string>>();

  async sync(c: FileTarget, dir: string): Promise<string[]> {
    let sent = this.sent.get(c.id);
    if (!sent) this.sent.set(c.id, (sent = new Map()));
    const entries: string[] = [];
    const changed: string[] = [];
    const walk = async (d: string): Promise<void> => {
      entries.push(d);
      for (const e of await readdir(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile() && !HARNESS_OWN.test(e.name)) {
          const f = await lstat(p);
          const key = `${f.size}:${f.mtimeMs}:${f.mode}:${f.uid}:${f.gid}`;
          if (sent.get(p) !== key) {
            changed.push(p);
            entries.push(p);
            sent.set(p, key);
          }
        }
      }
    };
    await walk(dir);
    if (changed.length === 0) return [];
    // Directories too (their owner and mode), not recursively: only the changed files.
    const list = entries.map((p) => path.relative('/', p)).join('\n');
    await upload(c, ['--no-recursion', '-C', '/', '-T', '-'], `${list}\n`, `node directory ${dir}`).catch((err: Error) => {
      for (const p of changed) sent.delete(p);
      throw err;
    });
    return changed;
  }

  forget(containerId: string): void {
    this.sent.delete(containerId);
  }
}

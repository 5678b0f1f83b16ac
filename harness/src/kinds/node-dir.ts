import { chown, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

/** uid/gid of a system user from /etc/passwd (no process spawn), or undefined when it does not exist. */
export function systemUser(name: string): { uid: number; gid: number } | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch {
    // No /etc/passwd: treat as missing.
  }
  return undefined;
}

/** Create a node directory owned by `owner` (FRR drops to user frr and must write pid files, sockets, logs there). */
export async function ensureNodeDir(dir: string, owner?: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (owner) {
    const user = systemUser(owner);
    if (!user) throw new Error(`user "${owner}" does not exist; is the Debian package for it installed? (run: bgpdns-lab doctor)`);
    await chown(dir, user.uid, user.gid);
  }
}

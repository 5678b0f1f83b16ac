import { execFileSync } from 'node:child_process';

/**
 * uid and gid of a system user, asked of the system at run time: Debian packages create
 * their users (frr, tinydns …) with whatever ids are free, so they differ between machines.
 */
export function userIds(name: string): { uid: number; gid: number } {
  const id = (flag: string) => {
    try {
      return Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim());
    } catch {
      throw new Error(`no system user "${name}" on this machine (is the Debian package that creates it installed?)`);
    }
  };
  return { uid: id('-u'), gid: id('-g') };
}

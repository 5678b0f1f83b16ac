import type { Kind } from './kind.js';
import { ensureNodeDir } from './node-dir.js';

/**
 * A bare host: its namespace, its links and the file's `exec:` lines (addresses,
 * routes) — what containerlab users get from alpine/netshoot-style images.
 */
export const clientKind: Kind = {
  name: 'client',
  summary: 'a host with only its interfaces; `exec:` lines set addresses and routes',
  needs: [],
  images: ['alpine*', 'ubuntu*', 'debian*', 'busybox*', 'nicolaka/netshoot*', 'wbitt/network-multitool*'],
  nodeImage: { docker: 'client' },
  async prepare(ctx) {
    await ensureNodeDir(ctx.dir);
  },
  async start() {
    return [];
  },
  async ready() {},
};

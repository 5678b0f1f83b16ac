import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KindContext, NodeImages } from './kind.js';

/** Repository root: where `bgpdns.js` resolves tsx from. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Our daemons' entry in the repository (TypeScript sources through tsx). */
export const BGPDNS_BIN = path.join(REPO_ROOT, 'images', 'bgpdns', 'bin', 'bgpdns.js');
/** Where the bgpdns image installs the bundle of our daemons (images/bgpdns/Dockerfile). */
export const BGPDNS_IN_IMAGE = '/usr/local/bin/bgpdns';

/**
 * `bgpdns ARGS` as a node of a kind runs it, inside the node: in a container from the
 * bgpdns image, the bundle that image installs; otherwise (netns) the repository's
 * sources on the harness's own node binary. The kind's image decides, never the argv.
 */
export function bgpdnsCommand(ctx: Pick<KindContext, 'runtime'>, nodeImage: NodeImages, args: string[]): { argv: string[]; cwd: string | undefined } {
  if (nodeImage[ctx.runtime.name] === 'bgpdns') return { argv: [BGPDNS_IN_IMAGE, ...args], cwd: undefined };
  return { argv: [process.execPath, BGPDNS_BIN, ...args], cwd: REPO_ROOT };
}

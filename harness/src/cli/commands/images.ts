import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOG, imageDef, type ImageName } from '../../images/catalog.js';
import { defineCommand, EXIT, UsageError } from '../command.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const log = (line: string) => process.stderr.write(`${line}\n`);

export const command = defineCommand({
  summary: 'build the offline Docker images (skips unchanged ones); start/stop a local Docker engine',
  usage: `usage: bgpdns-lab images build [NAME…] [--force] [--verbose]
       bgpdns-lab images engine up|down

build   builds ${CATALOG.map((d) => d.name).join(', ')} (or the NAMEs given, with their
        parents) without any registry: base from the host's own Debian mirror
        (mmdebstrap | docker import), the others FROM it with apt from the same
        mirror. An image whose inputs (its folder, parent, bundle, node binary)
        did not change is skipped; its hash is in label bgpdns-lab.inputs-hash
        and in its tag bgpdns-lab/NAME:<hash12> (and :latest).
        coredns builds only from a binary you supply (images/coredns/README.md).
        Last stdout line: JSON with each image's status and build seconds.
engine  up: use the engine that answers, else start dockerd and record its PID;
        prints "started" or "running" (it was up already) on stdout.
        down: stop the dockerd that "engine up" started (by recorded PID), nothing else.
Exit 0: done; 1: a build or the engine failed; 64: usage error or unknown image; 77: not root.`,
  options: { force: { type: 'boolean' }, verbose: { type: 'boolean' } },
  async run({ positionals, values }) {
    const [sub, ...rest] = positionals;
    if (sub !== 'build' && (values.force || values.verbose)) throw new UsageError('--force and --verbose apply to images build');
    if (sub === 'build') {
      const only = rest.map((n) => {
        try {
          return imageDef(n).name as ImageName;
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
      });
      const { buildImages } = await import('../../images/build.js');
      const t0 = Date.now();
      const results = await buildImages({
        repoRoot: REPO_ROOT,
        only: only.length ? only : undefined,
        force: !!values.force,
        verbose: !!values.verbose,
        log,
      });
      const built = results.filter((r) => r.status === 'built').length;
      log(`images: ${built} built, ${results.filter((r) => r.status === 'cached').length} up to date, ${results.filter((r) => r.status === 'skipped').length} skipped in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      process.stdout.write(`${JSON.stringify({ images: results.map(({ name, ref, status, seconds, reason }) => ({ name, ref, status, seconds: +seconds.toFixed(1), ...(reason ? { reason } : {}) })) })}\n`);
      return EXIT.ok;
    }
    if (sub === 'engine') {
      const [action, ...extra] = rest;
      if (extra.length > 0) throw new UsageError(`expected "engine up" or "engine down"; unexpected "${extra.join(' ')}"`);
      const { engineDown, engineUp } = await import('../../images/engine-service.js');
      if (action === 'up') {
        const up = await engineUp(log);
        log(up.started ? `dockerd answers after ${up.seconds.toFixed(1)} s` : `engine answers at ${up.address}; using it as it is`);
        // stdout says whether this call started the engine, so a caller stops only what it started.
        process.stdout.write(`${up.started ? 'started' : 'running'}\n`);
        return EXIT.ok;
      }
      if (action === 'down') {
        if (!(await engineDown(log))) log('no dockerd was started by bgpdns-lab; nothing to stop');
        return EXIT.ok;
      }
      throw new UsageError('expected "engine up" or "engine down"');
    }
    throw new UsageError(sub ? `unknown images subcommand "${sub}"` : 'expected a subcommand');
  },
});

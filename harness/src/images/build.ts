/**
 * `bgpdns-lab images build`: build the lab images offline, in dependency
 * order, skipping every image whose inputs did not change. An image's inputs
 * hash is stored in its label bgpdns-lab.inputs-hash and its tag
 * bgpdns-lab/<name>:<hash12>; `:latest` always points at the last good build.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, chmod } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildImage,
  imageLabels,
  importRootfs,
  pruneOldBuilds,
  requireEngine,
  tagImage,
} from '../runtime/docker/engine.js';
import { bundleAgentInstruments, bundleBgpdns } from './bgpdns-bundle.js';
import { debLines, hostCodename, mirrorsFor, readAptSources } from './apt-sources.js';
import {
  CATALOG,
  LABEL_IMAGE,
  LABEL_INPUTS,
  corednsBinary,
  imageDef,
  imageDir,
  imageRepo,
  withAncestors,
  type ImageDef,
  type ImageName,
} from './catalog.js';
import { systemUser } from '../kinds/node-dir.js';
import { contentHash, shortHash, type HashPart } from './content-hash.js';

export interface BuildOptions {
  repoRoot: string;
  /** Images to build (their parents come along); default: every image. */
  only?: ImageName[];
  /** Rebuild even when the inputs hash matches. */
  force?: boolean;
  /** Progress lines for a human. */
  log: (line: string) => void;
  /** Show every line the engine / mmdebstrap prints, not only the steps. */
  verbose?: boolean;
}

export interface BuildResult {
  name: ImageName;
  /** bgpdns-lab/<name>:<hash12>, or '' when skipped. */
  ref: string;
  hash: string;
  status: 'built' | 'cached' | 'skipped';
  seconds: number;
  reason?: string;
}

interface Prepared {
  parts: HashPart[];
  /** Build context and its files (dockerfile images). */
  context?: string;
  files?: string[];
  /** mmdebstrap arguments (base). */
  mmdebstrap?: { args: string[]; changes: string[] };
  buildArgs?: Record<string, string>;
  cleanup(): Promise<void>;
}

const nothing = async () => {};

async function recipeParts(repoRoot: string, def: ImageDef): Promise<HashPart[]> {
  return def.recipe.map((f) => ({ name: `recipe/${f}`, file: join(imageDir(repoRoot, def.name), f) }));
}

async function prepareBase(repoRoot: string, def: ImageDef): Promise<Prepared> {
  const recipe = JSON.parse(await readFile(join(imageDir(repoRoot, 'base'), 'mmdebstrap.json'), 'utf8')) as {
    variant: string;
    hookDir: string;
    include: string[];
    changes: string[];
  };
  const codename = hostCodename();
  const lines = debLines(mirrorsFor(codename, readAptSources()));
  const args = [`--variant=${recipe.variant}`, `--hook-dir=${recipe.hookDir}`];
  if (recipe.include.length) args.push(`--include=${recipe.include.join(',')}`);
  args.push(codename, '-', ...lines);
  return {
    parts: [...(await recipeParts(repoRoot, def)), { name: 'mmdebstrap-args', text: args.join('\n') }],
    mmdebstrap: { args, changes: recipe.changes },
    cleanup: nothing,
  };
}

async function prepareBgpdns(repoRoot: string, def: ImageDef): Promise<Prepared> {
  const context = await mkdtemp(join(tmpdir(), 'bgpdns-lab-image-bgpdns-'));
  const dir = imageDir(repoRoot, 'bgpdns');
  await copyFile(join(dir, 'Dockerfile'), join(context, 'Dockerfile'));
  await copyFile(join(dir, 'bgpdns.sh'), join(context, 'bgpdns'));
  await chmod(join(context, 'bgpdns'), 0o755);
  await bundleBgpdns(repoRoot, join(context, 'bgpdns.mjs'));
  const agent = await bundleAgentInstruments(repoRoot, context);
  await copyFile(process.execPath, join(context, 'node'));
  return {
    parts: [
      ...(await recipeParts(repoRoot, def)),
      { name: 'bundle', file: join(context, 'bgpdns.mjs') },
      ...agent.names.map((f) => ({ name: f, file: join(context, f) })),
      { name: 'node', file: process.execPath },
    ],
    context,
    files: ['Dockerfile', 'bgpdns', 'bgpdns.mjs', ...agent.names, 'node'],
    cleanup: () => rm(context, { recursive: true, force: true }),
  };
}

async function prepareCoredns(repoRoot: string, def: ImageDef, binary: string): Promise<Prepared> {
  const context = await mkdtemp(join(tmpdir(), 'bgpdns-lab-image-coredns-'));
  await copyFile(join(imageDir(repoRoot, 'coredns'), 'Dockerfile'), join(context, 'Dockerfile'));
  await copyFile(binary, join(context, 'coredns'));
  await chmod(join(context, 'coredns'), 0o755);
  return {
    parts: [...(await recipeParts(repoRoot, def)), { name: 'coredns-binary', file: binary }],
    context,
    files: ['Dockerfile', 'coredns'],
    cleanup: () => rm(context, { recursive: true, force: true }),
  };
}

async function prepare(repoRoot: string, def: ImageDef): Promise<Prepared> {
  if (def.how === 'mmdebstrap') return prepareBase(repoRoot, def);
  if (def.name === 'bgpdns') return prepareBgpdns(repoRoot, def);
  if (def.name === 'coredns') return prepareCoredns(repoRoot, def, corednsBinary(repoRoot)!);
  const buildArgs = def.name === 'frr' ? hostFrrIds() : {};
  return {
    parts: [...(await recipeParts(repoRoot, def)), { name: 'build-args', text: JSON.stringify(buildArgs) }],
    context: imageDir(repoRoot, def.name),
    files: def.recipe,
    buildArgs,
    cleanup: nothing,
  };
}

/** The host's frr user and groups, so bind-mounted node directories mean the same owner inside. */
function hostFrrIds(): Record<string, string> {
  const frr = systemUser('frr');
  const vty = systemGroup('frrvty');
  if (!frr || vty === undefined) return {};
  return { FRR_UID: String(frr.uid), FRR_GID: String(frr.gid), FRRVTY_GID: String(vty) };
}

function systemGroup(name: string): number | undefined {
  const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.split(':')[0] === name);
  return line ? Number(line.split(':')[2]) : undefined;
}

/** mmdebstrap … - | docker import: the root filesystem streams straight into the engine. */
async function importBase(p: Prepared, repo: string, tag: string, labels: Record<string, string>, onLine: (l: string) => void): Promise<void> {
  const { args, changes } = p.mmdebstrap!;
  const child = spawn('mmdebstrap', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  let pending = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      tail.push(line);
      if (tail.length > 15) tail.shift();
      onLine(line);
    }
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', (err) =>
      reject(new Error(`cannot run mmdebstrap (${err.message}); install the Debian package mmdebstrap (./bgpdns-lab images installs it)`)),
    );
    child.on('close', (code) => resolve(code ?? 1));
  });
  const labelChanges = Object.entries(labels).map(([k, v]) => `LABEL ${k}=${v}`);
  const imported = importRootfs(child.stdout, repo, tag, [...changes, ...labelChanges], onLine);
  const [code, importError] = await Promise.all([exited, imported.then(() => undefined, (err: Error) => err)]);
  if (code !== 0) throw new Error(`mmdebstrap ${args.join(' ')} failed with exit code ${code}:\n${tail.join('\n')}`);
  if (importError) throw importError;
}

/** Build (or find cached) the requested images and their parents, in order. */
export async function buildImages(opts: BuildOptions): Promise<BuildResult[]> {
  await requireEngine();
  const names = withAncestors(opts.only ?? CATALOG.map((d) => d.name));
  const hashes = new Map<ImageName, string>();
  const results: BuildResult[] = [];
  for (const name of names) {
    const def = imageDef(name);
    const started = Date.now();
    if (name === 'coredns' && !corednsBinary(opts.repoRoot)) {
      const reason = 'no CoreDNS binary supplied (images/coredns/coredns or BGPDNS_COREDNS_BINARY; see images/coredns/README.md)';
      opts.log(`${name}: skipped — ${reason}`);
      results.push({ name, ref: '', hash: '', status: 'skipped', seconds: 0, reason });
      continue;
    }
    const prepared = await prepare(opts.repoRoot, def);
    try {
      const parts = [...prepared.parts];
      if (def.parent) parts.push({ name: 'parent', text: hashes.get(def.parent)! });
      const hash = await contentHash(parts);
      hashes.set(name, hash);
      const repo = imageRepo(name);
      const tag = shortHash(hash);
      const ref = `${repo}:${tag}`;
      const labels = (await imageLabels(ref)) ?? undefined;
      if (!opts.force && labels?.[LABEL_INPUTS] === hash) {
        await tagImage(ref, repo, 'latest');
        opts.log(`${name}: up to date (${ref})`);
        results.push({ name, ref, hash, status: 'cached', seconds: 0 });
        continue;
      }
      opts.log(`${name}: building ${ref} — ${def.summary}`);
      const imageLabelSet = { [LABEL_IMAGE]: name, [LABEL_INPUTS]: hash };
      const onLine = (line: string) => {
        if (opts.verbose || /^Step \d+\/\d+ :/.test(line) || /^I: (retrieving|extracting|installing|creating tarball)/.test(line)) {
          opts.log(`  ${name}: ${line.length > 110 ? `${line.slice(0, 107)}...` : line}`);
        }
      };
      if (def.how === 'mmdebstrap') {
        await importBase(prepared, repo, tag, imageLabelSet, onLine);
      } else {
        await buildImage(
          {
            context: prepared.context!,
            files: prepared.files!,
            tags: [ref],
            buildArgs: { ...prepared.buildArgs, BASE: `${imageRepo(def.parent!)}:${shortHash(hashes.get(def.parent!)!)}` },
            labels: imageLabelSet,
          },
          onLine,
        );
      }
      await tagImage(ref, repo, 'latest');
      const pruned = await pruneOldBuilds(LABEL_IMAGE, name, LABEL_INPUTS, hash);
      if (pruned.length) opts.log(`${name}: removed older builds ${pruned.join(', ')}`);
      const seconds = (Date.now() - started) / 1000;
      opts.log(`${name}: built ${ref} in ${seconds.toFixed(1)} s`);
      results.push({ name, ref, hash, status: 'built', seconds });
    } catch (err) {
      throw new Error(`building image ${name} failed: ${(err as Error).message}`);
    } finally {
      await prepared.cleanup();
    }
  }
  return results;
}

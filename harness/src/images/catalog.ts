/**
 * The images a lab can run under the Docker runtime, in build order. Each
 * image's content hash covers its recipe files, the extra inputs assembled at
 * build time (mirror lines, bundle, node binary) and its parent's hash, so a
 * change anywhere below an image rebuilds it and nothing else.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export type ImageName = 'base' | 'frr' | 'tinydns' | 'client' | 'bgpdns' | 'coredns';

export interface ImageDef {
  name: ImageName;
  /** Image this one builds FROM (passed as build-arg BASE). */
  parent?: ImageName;
  how: 'mmdebstrap' | 'dockerfile';
  /** Files of images/<name>/ that are its recipe (hashed, sent to the build). */
  recipe: string[];
  summary: string;
}

export const IMAGE_REPO_PREFIX = 'bgpdns-lab';
export const LABEL_IMAGE = 'bgpdns-lab.image';
export const LABEL_INPUTS = 'bgpdns-lab.inputs-hash';

export const CATALOG: readonly ImageDef[] = [
  { name: 'base', how: 'mmdebstrap', recipe: ['mmdebstrap.json'], summary: 'Debian minbase from the host mirror' },
  { name: 'frr', parent: 'base', how: 'dockerfile', recipe: ['Dockerfile', 'daemons', 'frr-start'], summary: 'FRR routers' },
  { name: 'tinydns', parent: 'base', how: 'dockerfile', recipe: ['Dockerfile'], summary: 'tinydns authoritative DNS' },
  { name: 'client', parent: 'base', how: 'dockerfile', recipe: ['Dockerfile'], summary: 'clients: dig, unbound, dnsperf, nft' },
  { name: 'bgpdns', parent: 'frr', how: 'dockerfile', recipe: ['Dockerfile', 'bgpdns.sh'], summary: 'our daemons (node + bundle) on FRR' },
  { name: 'coredns', parent: 'base', how: 'dockerfile', recipe: ['Dockerfile'], summary: 'CoreDNS from a user-supplied binary' },
];

export function imageDef(name: string): ImageDef {
  const def = CATALOG.find((d) => d.name === name);
  if (!def) throw new Error(`unknown image "${name}"; known images: ${CATALOG.map((d) => d.name).join(', ')}`);
  return def;
}

export function imageRepo(name: ImageName): string {
  return `${IMAGE_REPO_PREFIX}/${name}`;
}

export function imageDir(repoRoot: string, name: ImageName): string {
  return resolve(repoRoot, 'images', name);
}

/** The user-supplied CoreDNS binary, if any (never downloaded). */
export function corednsBinary(repoRoot: string, env = process.env): string | undefined {
  const candidate = env.BGPDNS_COREDNS_BINARY ?? resolve(imageDir(repoRoot, 'coredns'), 'coredns');
  return existsSync(candidate) ? candidate : undefined;
}

/** The image and its ancestors, parents first. */
export function withAncestors(names: ImageName[]): ImageName[] {
  const out: ImageName[] = [];
  const add = (n: ImageName) => {
    const def = imageDef(n);
    if (def.parent) add(def.parent);
    if (!out.includes(n)) out.push(n);
  };
  names.forEach(add);
  return CATALOG.map((d) => d.name).filter((n) => out.includes(n));
}

import type { Kind } from './kind.js';
import { frrKind } from './frr.js';
import { clientKind } from './client.js';
import { templatedFrrKind } from './templated-frr.js';
import { bgpdnsHealthKind } from './bgpdns-health.js';
import { bgpdnsSorterKind } from './bgpdns-sorter.js';
import { tinydnsKind } from './tinydns.js';
import { bgpdnsDnsKind } from './bgpdns-dns.js';
import { unboundKind } from './unbound.js';

/** Every kind the harness knows. Add a kind: write kinds/<name>.ts, add one line here. */
const kinds: Kind[] = [
  frrKind,
  clientKind,
  templatedFrrKind,
  bgpdnsHealthKind,
  bgpdnsSorterKind,
  tinydnsKind,
  bgpdnsDnsKind,
  unboundKind,
];

/** containerlab's generic container kind: what it means here is decided by the image. */
const GENERIC_KINDS = new Set(['linux']);

export function allKinds(): readonly Kind[] {
  return kinds;
}

export function getKind(name: string): Kind {
  const kind = kinds.find((k) => k.name === name);
  if (!kind) throw new Error(`unknown kind "${name}"; known kinds: ${knownKindsText()}`);
  return kind;
}

export function knownKindsText(): string {
  return kinds.map((k) => k.name).join(', ');
}

export function knownImagesText(): string {
  return kinds.map((k) => `${k.name}: ${k.images.join(', ')}`).join('; ');
}

/** Does an image reference (e.g. "quay.io/frrouting/frr:8.4.1") match a pattern like "quay.io/frrouting/frr:*" or "alpine*"? */
export function imageMatches(image: string, pattern: string): boolean {
  // Docker Hub spellings of the same image: "docker.io/library/alpine", "library/alpine", "alpine".
  const name = image.replace(/^docker\.io\//, '').replace(/^library\//, '');
  if (pattern.endsWith('*')) return name.startsWith(pattern.slice(0, -1));
  return name === pattern;
}

export function kindForImage(image: string): Kind | undefined {
  return kinds.find((k) => k.images.some((p) => imageMatches(image, p)));
}

/**
 * The kind a node gets from its `kind:` and `image:` fields, or why it cannot get one.
 * `kind: frr` wins; `kind: linux` (or no kind) maps the image; anything else is unknown.
 */
export function resolveKind(kindField: string | undefined, image: string | undefined): { kind: Kind } | { problem: string; field: 'kind' | 'image' } {
  if (kindField !== undefined && !GENERIC_KINDS.has(kindField)) {
    const kind = kinds.find((k) => k.name === kindField);
    if (kind) return { kind };
    return { field: 'kind', problem: `unknown kind "${kindField}"; known kinds: ${knownKindsText()} (or "linux" with a known image)` };
  }
  if (image === undefined) {
    return { field: 'kind', problem: `no kind and no image; set kind to one of: ${knownKindsText()}` };
  }
  const kind = kindForImage(image);
  if (kind) return { kind };
  return {
    field: 'image',
    problem: `image "${image}" does not map to a kind; known images: ${knownImagesText()}; or set kind to one of: ${knownKindsText()}`,
  };
}

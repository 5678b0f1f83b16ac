/**
 * Which offline image a node runs under the Docker runtime. Topology files
 * name containerlab-style images (quay.io/frrouting/frr:8.4.4, alpine:3,
 * bgpdns-lab/bgpdns-health) that we never pull; a node runs the image built
 * from images/<name>/ that has what its kind starts.
 */
import type { LabNode } from '../../topology/model.js';

const KIND_IMAGES: Record<string, string> = {
  frr: 'bgpdns-lab/frr:latest',
  'templated-frr': 'bgpdns-lab/frr:latest',
  client: 'bgpdns-lab/client:latest',
  // The client image carries Debian's unbound (resolvers in the labs).
  unbound: 'bgpdns-lab/client:latest',
  tinydns: 'bgpdns-lab/tinydns:latest',
  coredns: 'bgpdns-lab/coredns:latest',
};

/** Kinds running our daemons (bgpdns-health, bgpdns-sorter, …): FRR + tinydns + node + bundle. */
const BGPDNS_IMAGE = 'bgpdns-lab/bgpdns:latest';
const OUR_IMAGES = /^bgpdns-lab\/(base|frr|tinydns|client|bgpdns|coredns)(:.*)?$/;

export function dockerImageFor(node: LabNode): string {
  const byKind = KIND_IMAGES[node.kind] ?? (node.kind.startsWith('bgpdns') ? BGPDNS_IMAGE : undefined);
  if (byKind) return byKind;
  if (node.image && OUR_IMAGES.test(node.image)) return node.image.includes(':') ? node.image : `${node.image}:latest`;
  throw new Error(
    `node ${node.name}: kind "${node.kind}" has no offline image for the docker runtime ` +
      `(kinds with one: ${[...Object.keys(KIND_IMAGES), 'bgpdns-*'].join(', ')}); or set image: to one of bgpdns-lab/frr, client, tinydns, bgpdns`,
  );
}

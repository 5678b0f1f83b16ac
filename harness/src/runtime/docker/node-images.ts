/**
 * Which offline image a node runs under the Docker runtime. Topology files
 * name containerlab-style images (quay.io/frrouting/frr:8.4.1, alpine…) that
 * we never pull; a node runs the image built from images/<name>/ for its kind.
 * A node whose image is already one of ours (bgpdns-lab/…) keeps it.
 */
import type { LabNode } from '../../topology/model.js';

const KIND_IMAGES: Record<string, string> = {
  frr: 'bgpdns-lab/frr:latest',
  client: 'bgpdns-lab/client:latest',
  tinydns: 'bgpdns-lab/tinydns:latest',
  coredns: 'bgpdns-lab/coredns:latest',
};

/** Kinds of our own daemons (bgpdns-sorter, bgpdns-dns, …) run the bgpdns image (FRR + node + bundle). */
const BGPDNS_IMAGE = 'bgpdns-lab/bgpdns:latest';

export function dockerImageFor(node: LabNode): string {
  if (node.image?.startsWith('bgpdns-lab/')) return node.image.includes(':') ? node.image : `${node.image}:latest`;
  const image = KIND_IMAGES[node.kind] ?? (node.kind.startsWith('bgpdns') ? BGPDNS_IMAGE : undefined);
  if (!image) {
    throw new Error(
      `node ${node.name}: kind "${node.kind}" has no offline image for the docker runtime ` +
        `(known: ${[...Object.keys(KIND_IMAGES), 'bgpdns*'].join(', ')}); set image: bgpdns-lab/<name> on the node`,
    );
  }
  return image;
}

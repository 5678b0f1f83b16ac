import type { LabNode } from '../../topology/model.js';
import { getKind } from '../../kinds/registry.js';
import { imageRepo } from '../../images/catalog.js';

/**
 * The offline image a node runs from under the Docker runtime: the one its kind
 * declares (kinds/*.ts nodeImage), built from images/<name>/, never pulled. The
 * containerlab image a topology file names only picks the kind.
 */
export function dockerImageOf(node: Pick<LabNode, 'name' | 'kind'>): string {
  const kind = getKind(node.kind);
  const name = kind.nodeImage.docker;
  if (!name) throw new Error(`node ${node.name}: kind "${kind.name}" declares no image for the docker runtime (nodeImage.docker in its kinds/ file)`);
  return `${imageRepo(name)}:latest`;
}

/**
 * Errors a user meets when a topology file is wrong. Each issue is one line of the form
 *   <file>: <path.to.field>: <what is wrong / what is expected>
 * e.g. `labs/x.clab.yml: topology.nodes.isp1.kind: expected a string, got number`,
 * so an editor or a CI log points straight at the field.
 */
export interface TopologyIssue {
  /** Dotted path inside the file, e.g. "topology.nodes.isp1.kind" or "topology.links[2].endpoints[0]". */
  path: string;
  message: string;
}

export class TopologyError extends Error {
  constructor(
    readonly file: string,
    readonly issues: TopologyIssue[],
  ) {
    super(issues.map((i) => formatIssue(file, i)).join('\n'));
    this.name = 'TopologyError';
  }
}

export function formatIssue(file: string, issue: TopologyIssue): string {
  return issue.path ? `${file}: ${issue.path}: ${issue.message}` : `${file}: ${issue.message}`;
}

/** Render a path array from zod/yaml as "topology.links[0].endpoints[1]". */
export function joinPath(parts: readonly (string | number)[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${p}` : p;
  }
  return out;
}

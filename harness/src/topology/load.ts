import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod/v4';
import type { Lab, LabLink, LabNode, LinkEndpoint } from './model.js';
import { TopologyError, formatIssue, joinPath, type TopologyIssue } from './errors.js';
import { knownKeys, rawTopologyFile, type RawLink, type RawNodeFields, type RawTopologyFile } from './schema.js';
import { ifaceNameProblem, labNameProblem, nodeNameProblem } from './names.js';
import { resolveKind } from '../kinds/registry.js';
import { resolveHosts } from './hosts.js';

/** Endpoint "nodes" containerlab knows that would connect a lab to the host or the outside. */
const OUTSIDE_ENDPOINTS = new Set(['host', 'mgmt-net', 'macvlan', 'macvtap', 'bridge', 'ovs-bridge']);

export interface LoadOptions {
  /** How the file is named in messages (default: the path as given). */
  displayName?: string;
}

/**
 * Read a containerlab topology file into the resolved Lab model.
 * Throws TopologyError listing every problem (file, field path, what is expected, line);
 * unknown fields become one warning each in `lab.warnings`.
 */
export async function loadTopology(file: string, opts: LoadOptions = {}): Promise<Lab> {
  const shown = opts.displayName ?? file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'file not found' : err.code === 'EISDIR' ? 'is a directory, expected a *.clab.yml file' : err.message;
    throw new TopologyError(shown, [{ path: '', message: why }]);
  }
  return parseTopology(text, path.resolve(file), shown);
}

/** Parse topology text; `absFile` anchors relative paths (binds, startup-config). */
export async function parseTopology(text: string, absFile: string, shown = absFile): Promise<Lab> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new TopologyError(
      shown,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const what = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        return { path: '', message: `YAML syntax error${pos ? ` at line ${pos.line} column ${pos.col}` : ''}: ${what}` };
      }),
    );
  }
  const lineOf = (p: readonly (string | number)[]): number | undefined => {
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n), true);
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const at = (p: readonly (string | number)[], message: string): TopologyIssue => {
    const line = lineOf(p);
    return { path: joinPath(p), message: line ? `${message} (line ${line})` : message };
  };

  // reportInput: the messages name the type actually found ("got number").
  const parsed = rawTopologyFile.safeParse(doc.toJS() ?? undefined, { reportInput: true });
  if (!parsed.success) {
    throw new TopologyError(shown, flattenUnions(parsed.error.issues).map((i) => at(issuePath(i), zodMessage(i, doc))));
  }
  const raw = parsed.data;
  const issues: TopologyIssue[] = [];
  const warnings: string[] = [];
  const warn = (p: (string | number)[], msg: string) => warnings.push(formatIssue(shown, at(p, msg)));

  collectUnknownKeys(raw, warn);

  const labProblem = labNameProblem(raw.name);
  if (labProblem) issues.push(at(['name'], labProblem));

  const dir = path.dirname(absFile);
  const lab: Lab = { name: raw.name, prefix: raw.prefix ?? 'clab', file: absFile, dir, nodes: [], links: [], warnings };
  const topo = raw.topology;

  for (const [name, fields] of Object.entries(topo.nodes)) {
    const base = ['topology', 'nodes', name];
    const nameProblem = nodeNameProblem(raw.name, name);
    if (nameProblem) issues.push(at(base, nameProblem));
    const node = resolveNode(lab, name, fields ?? {}, topo, base, issues, at, warn);
    if (node) lab.nodes.push(node);
  }
  if (Object.keys(topo.nodes).length === 0) issues.push(at(['topology', 'nodes'], 'expected at least one node'));

  const nodeNames = new Set(Object.keys(topo.nodes));
  const seen = new Map<string, string>();
  (topo.links ?? []).forEach((link, i) => {
    const resolved = resolveLink(link, ['topology', 'links', i], nodeNames, seen, issues, at);
    if (resolved) lab.links.push(resolved);
  });

  resolveHosts(lab, raw.hosts, issues, at);

  if (issues.length === 0) {
    for (const node of lab.nodes) {
      const { kind } = resolveKind(node.kind, node.image) as { kind: import('../kinds/kind.js').Kind };
      for (const issue of (await kind.validate?.(lab, node)) ?? []) {
        issues.push(at(['topology', 'nodes', node.name, ...issue.path.split('.').filter(Boolean)], issue.message));
      }
    }
  }
  if (issues.length > 0) throw new TopologyError(shown, issues);
  return lab;
}

type At = (p: readonly (string | number)[], message: string) => TopologyIssue;

function resolveNode(
  lab: Lab,
  name: string,
  fields: RawNodeFields,
  topo: RawTopologyFile['topology'],
  base: (string | number)[],
  issues: TopologyIssue[],
  at: At,
  warn: (p: (string | number)[], msg: string) => void,
): LabNode | undefined {
  const defaults = topo.defaults ?? {};
  const groupName = fields.group;
  let group: RawNodeFields = {};
  if (groupName !== undefined) {
    const g = topo.groups?.[groupName];
    if (g === undefined) {
      const known = Object.keys(topo.groups ?? {});
      issues.push(at([...base, 'group'], `unknown group "${groupName}"; ${known.length ? `groups in this file: ${known.join(', ')}` : 'this file defines no groups'}`));
      return undefined;
    }
    group = g ?? {};
  }
  const kindField = fields.kind ?? group.kind ?? defaults.kind;
  const kindEntry: RawNodeFields = (kindField !== undefined ? topo.kinds?.[kindField] : undefined) ?? {};
  // containerlab precedence: node > group > kind > defaults.
  const layers = [fields, group, kindEntry, defaults];
  const first = <K extends keyof RawNodeFields>(key: K): RawNodeFields[K] => layers.find((l) => l[key] !== undefined)?.[key];

  const image = first('image');
  const resolved = resolveKind(kindField, image);
  if ('problem' in resolved) {
    const field = resolved.field === 'image' && fields.image === undefined ? 'kind' : resolved.field;
    issues.push(at([...base, field], resolved.problem));
    return undefined;
  }
  const kind = resolved.kind;

  // Binds merge across layers; for one container path the most specific layer wins.
  const binds = new Map<string, string>();
  for (const layer of [...layers].reverse()) {
    (layer.binds ?? []).forEach((bind) => {
      const parsedBind = parseBind(bind, lab.dir);
      if (typeof parsedBind === 'string') {
        if (layer === fields) issues.push(at([...base, 'binds', (fields.binds ?? []).indexOf(bind)], parsedBind));
        else issues.push(at([...base, 'binds'], `${parsedBind} (inherited)`));
        return;
      }
      binds.set(parsedBind.container, parsedBind.text);
    });
  }
  const mergeMap = (key: 'env' | 'labels'): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const layer of [...layers].reverse()) for (const [k, v] of Object.entries(layer[key] ?? {})) out[k] = String(v);
    return out;
  };

  const settings: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    if ((knownKeys.node as readonly string[]).includes(key)) continue;
    if (kind.settingsKeys?.includes(key)) settings[key] = (fields as Record<string, unknown>)[key];
    else warn([...base, key], `field "${key}" is not used by bgpdns-lab; ignored`);
  }

  let startupConfig: string | undefined;
  const sc = first('startup-config');
  if (sc !== undefined) {
    if (sc.includes('\n')) settings['startup-config-inline'] = sc;
    else startupConfig = path.resolve(lab.dir, sc);
  }

  return {
    name,
    kind: kind.name,
    image,
    group: groupName,
    binds: [...binds.values()],
    env: mergeMap('env'),
    exec: first('exec') ?? [],
    labels: mergeMap('labels'),
    startupConfig,
    settings,
  };
}

/** "host:container[:mode]" with the host path made absolute, or the reason it is malformed. */
function parseBind(bind: string, dir: string): { container: string; text: string } | string {
  const parts = bind.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) {
    return `expected a bind "host-path:container-path[:ro|rw]", got ${JSON.stringify(bind)}`;
  }
  const [host, container, mode] = parts;
  const abs = path.resolve(dir, host);
  return { container, text: mode ? `${abs}:${container}:${mode}` : `${abs}:${container}` };
}

function resolveLink(
  link: RawLink,
  base: (string | number)[],
  nodes: Set<string>,
  seen: Map<string, string>,
  issues: TopologyIssue[],
  at: At,
): LabLink | undefined {
  if (link.type !== undefined && link.type !== 'veth') {
    issues.push(at([...base, 'type'], `link type "${link.type}" is not supported; only veth links between lab nodes`));
    return undefined;
  }
  if (link.endpoints.length !== 2) {
    issues.push(at([...base, 'endpoints'], `expected exactly 2 endpoints like ["r1:eth1", "r2:eth1"], got ${link.endpoints.length}`));
    return undefined;
  }
  const ends: LinkEndpoint[] = [];
  link.endpoints.forEach((ep, j) => {
    const p = [...base, 'endpoints', j];
    let node: string;
    let iface: string;
    if (typeof ep === 'string') {
      const colon = ep.indexOf(':');
      if (colon <= 0) {
        issues.push(at(p, `expected "node:interface" (e.g. "r1:eth1"), got ${JSON.stringify(ep)}`));
        return;
      }
      node = ep.slice(0, colon);
      iface = ep.slice(colon + 1);
    } else {
      node = ep.node;
      iface = ep.interface;
    }
    const shown = `${node}:${iface}`;
    if (!nodes.has(node)) {
      if (OUTSIDE_ENDPOINTS.has(node)) {
        issues.push(at(p, `"${shown}" would connect the lab to the host or outside network; bgpdns-lab links only lab nodes`));
      } else {
        issues.push(at(p, `"${shown}" names node "${node}", which is not in topology.nodes (nodes: ${[...nodes].join(', ')})`));
      }
      return;
    }
    const ifProblem = ifaceNameProblem(iface);
    if (ifProblem) {
      issues.push(at(p, ifProblem));
      return;
    }
    const where = joinPath(p);
    const previous = seen.get(shown);
    if (previous) {
      issues.push(at(p, `endpoint "${shown}" is already used by ${previous}; each interface can be in one link only`));
      return;
    }
    seen.set(shown, where);
    ends.push({ node, iface });
  });
  if (ends.length !== 2) return undefined;
  return link.mtu !== undefined ? { a: ends[0], b: ends[1], mtu: link.mtu } : { a: ends[0], b: ends[1] };
}

function collectUnknownKeys(raw: RawTopologyFile, warn: (p: (string | number)[], msg: string) => void): void {
  const unknown = (obj: object, known: readonly string[], base: (string | number)[]) => {
    for (const key of Object.keys(obj)) if (!known.includes(key)) warn([...base, key], `field "${key}" is not used by bgpdns-lab; ignored`);
  };
  unknown(raw, knownKeys.top, []);
  unknown(raw.topology, knownKeys.topology, ['topology']);
  // Node-level unknown keys are checked per node (a kind may own them); defaults/kinds/groups here.
  if (raw.topology.defaults) unknown(raw.topology.defaults, knownKeys.node, ['topology', 'defaults']);
  for (const section of ['kinds', 'groups'] as const) {
    for (const [name, fields] of Object.entries(raw.topology[section] ?? {})) {
      if (fields) unknown(fields, knownKeys.node, ['topology', section, name]);
    }
  }
  (raw.topology.links ?? []).forEach((link, i) => {
    unknown(link, knownKeys.link, ['topology', 'links', i]);
    link.endpoints.forEach((ep, j) => {
      if (typeof ep === 'object') unknown(ep, knownKeys.endpoint, ['topology', 'links', i, 'endpoints', j]);
    });
  });
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  int: 'an integer',
  null: 'nothing (null)',
  undefined: 'nothing',
};

function typeWord(t: string): string {
  return TYPE_WORDS[t] ?? t;
}

type Issue = z.core.$ZodIssue;

/** Where an issue is; object keys and array indices only (the schema has no symbol keys). */
function issuePath(issue: Issue): (string | number)[] {
  return issue.path as (string | number)[];
}

/** The same issue, its path prefixed (a union branch's issues are relative to the union). */
function under(prefix: readonly PropertyKey[], issue: Issue): Issue {
  return { ...issue, path: [...prefix, ...issue.path] };
}

/** The type a value was found to have, in the words of the messages ("got number"). */
function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/**
 * A union error (e.g. "a node mapping or null") is reported by the branch the value
 * really matched: when some branch failed deeper inside the value (a node's `kind`
 * is a number), those inner issues are the useful ones.
 */
function flattenUnions(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union') return [issue];
    const branches = issue.errors.filter((b) => b.some((i) => i.path.length > 0));
    if (branches.length === 0) return [issue];
    branches.sort((a, b) => a.length - b.length);
    return flattenUnions(branches[0].map((i) => under(issue.path, i)));
  });
}

function zodMessage(issue: Issue, doc: Document): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `is required (expected ${typeWord(issue.expected)})`;
      if (issue.expected === 'int' && typeof issue.input === 'number') return `expected an integer, got ${issue.input}`;
      return `expected ${typeWord(issue.expected)}, got ${typeOf(issue.input)}`;
    case 'invalid_union': {
      const value = doc.getIn(issuePath(issue));
      const types = new Set(issue.errors.flatMap((b) => b.filter((i) => i.code === 'invalid_type' && i.path.length === 0).map((i) => typeWord((i as { expected: string }).expected))));
      if (types.size > 0) return `expected ${[...types].join(' or ')}, got ${isNode(value) ? 'mapping' : typeOf(value)}`;
      const deepest = issue.errors.flat().sort((a, b) => b.path.length - a.path.length)[0];
      return deepest ? `${joinPath(issuePath(deepest)) || 'value'}: ${zodMessage(under(issue.path, deepest), doc)}` : issue.message;
    }
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'too_small':
      return `expected a number > 0, got ${doc.getIn(issuePath(issue))}`;
    default:
      return issue.message;
  }
}

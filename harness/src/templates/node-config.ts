/**
 * Per-node rendering of a templated startup config from the lab file.
 *
 * Lab-file representation (containerlab tolerates every key used here):
 *   topology:
 *     groups:
 *       anycast-site: { config: { vars: { SITE_ASN: 64600, BGP_PASSWORD: … } } }
 *     nodes:
 *       dns-a:
 *         group: anycast-site
 *         startup-config: templates/dns-host.frr.tmpl   # a *.tmpl file is rendered, not copied
 *         config:
 *           vars: { SERVER_HOSTNAME: dns-a, SIGNALLING_ROUTER_IP: 198.18.1.1, … }
 * `config.vars` is containerlab's own place for per-node template variables (its
 * config engine reads it), so the file stays a valid containerlab topology.
 * Values merge defaults < kinds.<kind> < groups.<group> < node, as containerlab does;
 * templates use Go's `{{ .NAME }}` syntax (see go-template.ts).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { LineCounter, parseDocument, isMap, type Node as YamlNode } from 'yaml';
import type { LabNode } from '../topology/model.js';
import { renderTemplate, type TemplateValue, type VarOrigin } from './go-template.js';

export const TEMPLATE_SUFFIX = '.tmpl';

export function isTemplatePath(path: string | undefined): path is string {
  return path !== undefined && path.endsWith(TEMPLATE_SUFFIX);
}

/** A path as messages show it: relative when under the working directory, else absolute. */
function shownPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

interface VarLayer {
  where: string[];
  values: Record<string, TemplateValue>;
  origins: Record<string, VarOrigin>;
}

function pathTo(doc: ReturnType<typeof parseDocument>, keys: string[]): YamlNode | undefined {
  const node = doc.getIn(keys, true) as YamlNode | undefined;
  return node ?? undefined;
}

/**
 * Read the template variables of `nodeName` from the lab file, keeping the line each
 * value was written on. Throws when a value is not a scalar, naming file, line and key.
 */
export function readTemplateVars(
  labFile: string,
  nodeName: string,
  text: string = readFileSync(labFile, 'utf8'),
): { values: Record<string, TemplateValue>; origins: Record<string, VarOrigin> } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const shown = shownPath(labFile);
  const node = doc.getIn(['topology', 'nodes', nodeName]) as { get?(k: string): unknown } | undefined;
  const group = isMap(node) ? (node.get('group') as string | undefined) : undefined;
  const kind =
    (isMap(node) ? (node.get('kind') as string | undefined) : undefined) ??
    (doc.getIn(['topology', 'defaults', 'kind']) as string | undefined);
  const layers: VarLayer[] = [];
  const candidates: string[][] = [['topology', 'defaults', 'config', 'vars']];
  if (kind) candidates.push(['topology', 'kinds', kind, 'config', 'vars']);
  if (group) candidates.push(['topology', 'groups', group, 'config', 'vars']);
  candidates.push(['topology', 'nodes', nodeName, 'config', 'vars']);
  for (const where of candidates) {
    const map = pathTo(doc, where);
    if (!map) continue;
    if (!isMap(map)) {
      const line = map.range ? lines.linePos(map.range[0]).line : undefined;
      throw new Error(`${shown}${line ? `:${line}` : ''}: ${where.join('.')} must be a mapping of NAME: value`);
    }
    const layer: VarLayer = { where, values: {}, origins: {} };
    for (const pair of map.items) {
      const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
      const valueNode = pair.value as YamlNode & { value?: unknown };
      const line = valueNode?.range ? lines.linePos(valueNode.range[0]).line : undefined;
      const value = valueNode?.value;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new Error(`${shown}${line ? `:${line}` : ''}: ${where.join('.')}.${key} must be a string, number or boolean`);
      }
      layer.values[key] = value;
      layer.origins[key] = { file: shown, line };
    }
    layers.push(layer);
  }
  const values: Record<string, TemplateValue> = {};
  const origins: Record<string, VarOrigin> = {};
  for (const layer of layers) {
    Object.assign(values, layer.values);
    Object.assign(origins, layer.origins);
  }
  return { values, origins };
}

/**
 * Render a node's templated startup config. `node.startupConfig` is the absolute
 * template path; values come from the lab file (see the header for where).
 */
export function renderNodeConfig(labFile: string, node: Pick<LabNode, 'name' | 'startupConfig'>): string {
  if (!isTemplatePath(node.startupConfig)) {
    throw new Error(`node ${node.name}: startup-config ${node.startupConfig ?? '(none)'} is not a ${TEMPLATE_SUFFIX} template`);
  }
  const templatePath = node.startupConfig;
  let text: string;
  try {
    text = readFileSync(templatePath, 'utf8');
  } catch (err) {
    throw new Error(`node ${node.name}: cannot read startup-config template ${templatePath}: ${(err as Error).message}`);
  }
  const { values, origins } = readTemplateVars(labFile, node.name);
  const shownTemplate = shownPath(templatePath);
  return renderTemplate(shownTemplate, text, values, { origins });
}

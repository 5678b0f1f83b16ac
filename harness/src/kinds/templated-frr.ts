import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Lab, LabNode } from '../topology/model.js';
import type { TopologyIssue } from '../topology/errors.js';
import type { Kind, KindContext } from './kind.js';
import { frrKind } from './frr.js';
import { isTemplatePath, renderNodeConfig } from '../templates/node-config.js';

/**
 * FRR router whose startup config may be a template: `startup-config: x.frr.tmpl`
 * is rendered from the node's `config.vars` (see harness/src/templates/node-config.ts)
 * and then run exactly like the frr kind runs a plain config. A startup config that
 * is not a *.tmpl passes through unchanged, so this kind is the frr kind plus templates.
 *
 * The rendered text goes to the frr kind as an inline config on a derived node
 * (one per lab node, so the frr kind's per-node plan stays consistent from prepare
 * to ready); it is also written to DIR/frr.conf.rendered for inspection.
 */

const derivedNodes = new WeakMap<LabNode, LabNode>();

/** Binds the frr kind should see (other kinds built on this one consume the rest). */
export type BindFilter = (bind: string) => boolean;

/** The node as the frr kind should see it: template rendered, bind filter applied. Throws TemplateError. */
export function frrView(lab: Lab, node: LabNode, keepBind: BindFilter = () => true): LabNode {
  let derived = derivedNodes.get(node);
  if (derived) return derived;
  if (isTemplatePath(node.startupConfig)) {
    const rendered = renderNodeConfig(lab.file, node);
    derived = {
      ...node,
      startupConfig: undefined,
      binds: node.binds.filter(keepBind),
      settings: { ...node.settings, 'startup-config-inline': rendered },
    };
  } else {
    derived = { ...node, binds: node.binds.filter(keepBind) };
  }
  derivedNodes.set(node, derived);
  return derived;
}

export function frrContext(ctx: KindContext, keepBind?: BindFilter): KindContext {
  return { ...ctx, node: frrView(ctx.lab, ctx.node, keepBind) };
}

/** Template problems as topology issues on the node's startup-config field. */
export function templateIssues(lab: Lab, node: LabNode, keepBind?: BindFilter): TopologyIssue[] | LabNode {
  try {
    return frrView(lab, node, keepBind);
  } catch (err) {
    return [{ path: 'startup-config', message: (err as Error).message }];
  }
}

export async function writeRendered(ctx: KindContext): Promise<void> {
  const inline = frrView(ctx.lab, ctx.node).settings['startup-config-inline'];
  if (isTemplatePath(ctx.node.startupConfig) && typeof inline === 'string') {
    await writeFile(path.join(ctx.dir, 'frr.conf.rendered'), inline, { mode: 0o644 });
  }
}

export const templatedFrrKind: Kind = {
  name: 'templated-frr',
  summary: 'FRR router whose startup-config may be a *.tmpl rendered from config.vars ({{ .SITE_ASN }} …)',
  images: ['bgpdns-lab/frr', 'bgpdns-lab/frr:*'],
  nodeImage: { docker: 'frr' },
  needs: frrKind.needs,
  settingsKeys: ['config'],

  async validate(lab, node) {
    const view = templateIssues(lab, node);
    if (Array.isArray(view)) return view;
    return (await frrKind.validate?.(lab, view)) ?? [];
  },

  async prepare(ctx) {
    await frrKind.prepare?.(frrContext(ctx));
    await writeRendered(ctx);
  },

  start: (ctx) => frrKind.start(frrContext(ctx)),
  ready: (ctx, timeoutMs) => frrKind.ready(frrContext(ctx), timeoutMs),
  vtyDaemons: (ctx) => frrKind.vtyDaemons?.(frrContext(ctx)) ?? [],
};

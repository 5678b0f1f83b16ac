/**
 * The subset of Go's text/template that the telecom design's FRR configs use:
 * field references `{{ .NAME }}` (with Go's `{{-` / `-}}` whitespace trimming)
 * and comments `{{/* … *\/}}`. Anything else (if, range, pipelines, functions) is
 * refused with an error naming the template and line, so a config never renders
 * half-understood. Rendering is strict both ways: a variable the template uses
 * but the lab file does not give is an error, and so is a variable the lab file
 * gives but the template never uses (a typo in a variable name shows up as both).
 * Pure: text and values in, text out.
 */

export type TemplateValue = string | number | boolean;

/** Where a variable's value came from, for error messages (lab file and line). */
export interface VarOrigin {
  file: string;
  line?: number;
}

export interface RenderOptions {
  /** Origins of the variables, keyed by name (used in "unused variable" errors). */
  origins?: Record<string, VarOrigin>;
  /** Variables that may go unused (e.g. shared group values only some templates need). */
  optional?: readonly string[];
}

/** A template problem: names the template, the line (1-based) and the variable. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly template: string,
    readonly line: number | undefined,
    readonly variable: string | undefined,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** One `{{ … }}` action found in a template. */
export interface TemplateAction {
  /** Offset of `{{` and the offset just after `}}`. */
  start: number;
  end: number;
  line: number;
  /** The variable name for a field reference; undefined for a comment. */
  variable?: string;
  trimLeft: boolean;
  trimRight: boolean;
}

const FIELD = /^\.([A-Za-z_][A-Za-z0-9_]*)$/;
const COMMENT = /^\/\*[\s\S]*\*\/$/;

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Find every action of a template, or throw on the first one outside the supported subset. */
export function parseTemplate(name: string, text: string): TemplateAction[] {
  const actions: TemplateAction[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('{{', from);
    if (start < 0) break;
    const close = text.indexOf('}}', start + 2);
    const line = lineAt(text, start);
    if (close < 0) throw new TemplateError(`${name}:${line}: "{{" is never closed by "}}"`, name, line, undefined);
    let inner = text.slice(start + 2, close);
    // Go: "{{- " trims preceding whitespace, " -}}" trims following; the space is required.
    const trimLeft = /^-\s/.test(inner);
    const trimRight = /\s-$/.test(inner);
    if (trimLeft) inner = inner.slice(1);
    if (trimRight) inner = inner.slice(0, -1);
    const body = inner.trim();
    const field = FIELD.exec(body);
    if (field) {
      actions.push({ start, end: close + 2, line, variable: field[1], trimLeft, trimRight });
    } else if (COMMENT.test(body)) {
      actions.push({ start, end: close + 2, line, trimLeft, trimRight });
    } else {
      throw new TemplateError(
        `${name}:${line}: unsupported template action "{{${text.slice(start + 2, close)}}}": only {{ .NAME }} and {{/* comments */}} are supported`,
        name,
        line,
        undefined,
      );
    }
    from = close + 2;
  }
  return actions;
}

/** The variables a template uses, with the first line each appears on. */
export function templateVariables(name: string, text: string): Map<string, number> {
  const vars = new Map<string, number>();
  for (const a of parseTemplate(name, text)) if (a.variable && !vars.has(a.variable)) vars.set(a.variable, a.line);
  return vars;
}

/**
 * Render `text` with `values`. Throws a TemplateError for the first variable the
 * template uses without a value (naming template, line and variable), then for the
 * first value the template never uses (naming the template, the variable and where
 * the value was given).
 */
export function renderTemplate(
  name: string,
  text: string,
  values: Record<string, TemplateValue>,
  opts: RenderOptions = {},
): string {
  const actions = parseTemplate(name, text);
  for (const a of actions) {
    if (a.variable !== undefined && !Object.hasOwn(values, a.variable)) {
      throw new TemplateError(
        `${name}:${a.line}: variable "${a.variable}" has no value (give it in the node's config.vars)`,
        name,
        a.line,
        a.variable,
      );
    }
  }
  const used = new Set(actions.map((a) => a.variable).filter((v): v is string => v !== undefined));
  const optional = new Set(opts.optional ?? []);
  for (const key of Object.keys(values).sort()) {
    if (used.has(key) || optional.has(key)) continue;
    const origin = opts.origins?.[key];
    const where = origin ? `${origin.file}${origin.line ? `:${origin.line}` : ''}: ` : '';
    throw new TemplateError(
      `${where}variable "${key}" is not used by template ${name} (misspelt, or meant for another template?)`,
      name,
      origin?.line,
      key,
    );
  }
  let out = '';
  let pos = 0;
  for (const a of actions) {
    let before = text.slice(pos, a.start);
    if (a.trimLeft) before = before.replace(/\s+$/, '');
    out += before;
    if (a.variable !== undefined) out += String(values[a.variable]);
    pos = a.end;
    if (a.trimRight) {
      while (pos < text.length && /\s/.test(text[pos])) pos++;
    }
  }
  return out + text.slice(pos);
}

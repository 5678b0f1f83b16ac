/**
 * Only the netns runtime runs `ip netns` — a rule dependency-cruiser cannot see, since a
 * command is a string, not an import. This finds the commands in the code itself (the
 * TypeScript syntax tree, so comments and docs never count): a string or template with
 * `ip netns …` in it (shell commands, zx templates), or an argv array ['netns', <ip-netns
 * subcommand>, …] (what is passed to `ip`). Any other spelling would dodge it; these are the two
 * the code base uses, and the check's test pins them.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

export const NETNS_RULE = 'ip-netns-only-in-netns-runtime';
export const NETNS_REASON = 'Namespaces are the netns runtime\'s mechanics; elsewhere a node is entered through the Runtime interface, which works for every runtime.';

/** Files allowed to run `ip netns` (repository-relative path patterns), each with why. */
export const NETNS_ALLOWED: { path: RegExp; why: string }[] = [
  { path: /^harness\/src\/runtime\/netns(-[\w-]+)?\.ts$|^harness\/src\/runtime\/netns\//, why: 'the netns runtime itself' },
];

export interface NetnsCommand {
  file: string;
  line: number;
  text: string;
}

/** `ip netns` subcommands (ip-netns(8)): an array ['netns', one of these, …] is its argv. */
const IP_NETNS_VERBS = new Set(['add', 'attach', 'set', 'delete', 'del', 'identify', 'pids', 'exec', 'monitor', 'list', 'list-id']);
const IP_NETNS = /(^|[\s;&|(`'"])ip\s+(-[\w-]+\s+)*netns\b/;

/** Every place in `text` (a TypeScript file) that builds an `ip netns` command. */
export function netnsCommands(file: string, text: string): NetnsCommand[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: NetnsCommand[] = [];
  const hit = (node: ts.Node, what: string) =>
    found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: what });
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      if (IP_NETNS.test(node.text)) hit(node, node.text);
    } else if (ts.isTemplateExpression(node)) {
      // The literal parts joined, a placeholder where each ${…} goes.
      const joined = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join('${}');
      if (IP_NETNS.test(joined)) hit(node, joined);
    } else if (ts.isArrayLiteralExpression(node)) {
      const [first, second] = node.elements;
      const word = (e: ts.Expression | undefined) => (e && ts.isStringLiteralLike(e) ? e.text : undefined);
      if (word(first) === 'netns' && IP_NETNS_VERBS.has(word(second) ?? '')) hit(node, `[${node.elements.map((e) => e.getText(sf)).join(', ')}]`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** `ip netns` commands in files outside the allowed list (paths relative to `root`). */
export function netnsViolations(root: string, files: string[]): NetnsCommand[] {
  return files
    .filter((f) => !NETNS_ALLOWED.some((a) => a.path.test(f)))
    .flatMap((f) => netnsCommands(f, readFileSync(`${root}/${f}`, 'utf8')));
}

/**
 * Only the netns runtime runs `ip netns` — a rule dependency-cruiser cannot see, since a
 * command is a string, not an import. This finds the commands in the code itself (the
 * TypeScript syntax tree, so comments and docs never count): a string or template with
 * `ip netns …` in it (shell commands, zx templates), or an argv array ['netns', <ip-netns
 * subcommand>, …] (what is passed to `ip`) or ['ip', 'netns', <subcommand>, …]. Any other
 * spelling would dodge it; these are the ones the code base uses, and the check's test
 * pins them.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

export const NETNS_RULE = 'ip-netns-only-in-netns-runtime';
export const NETNS_REASON = 'Namespaces are the netns runtime\'s mechanics; elsewhere a node is entered through the Runtime interface, which works for every runtime.';

/** Files allowed to run `ip netns` (repository-relative path patterns), each with why. */
export const NETNS_ALLOWED: { path: RegExp; why: string }[] = [
  { path: /^harness\/src\/runtime\/netns(-[\w-]+)?\.ts$|^harness\/src\/runtime\/netns\//, why: 'the netns runtime itself (netns-ip.ts: its primitives for the doctor and simulated hosts)' },
  { path: /^bench\/lab-up\.shell-script\.ts$/, why: 'the plain shell-script reference bench lab-up measures deploy() against: it must not use the code it measures' },
  { path: /^bench\/_frr-netns-pair\.ts$/, why: 'the benches\' bgpd -Z pair, outside any lab: DFZ-shaped tables may only go to an FRR without zebra, which no kind runs (the file says more)' },
  { path: /^images\/bgpdns\/src\/health\/agent\.test\.ts$/, why: 'the health agent\'s own test: images/bgpdns may not import the harness, so it makes its namespace itself' },
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
      const word = (i: number) => {
        const e = node.elements[i];
        return e && ts.isStringLiteralLike(e) ? e.text : undefined;
      };
      // ['netns', 'add', …] (the argv after `ip`) or ['ip', 'netns', 'add', …] (a whole command).
      const at = word(0) === 'netns' ? 0 : word(0) === 'ip' && word(1) === 'netns' ? 1 : -1;
      if (at >= 0 && IP_NETNS_VERBS.has(word(at + 1) ?? '')) hit(node, `[${node.elements.map((e) => e.getText(sf)).join(', ')}]`);
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

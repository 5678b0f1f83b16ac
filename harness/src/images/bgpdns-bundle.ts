/**
 * One-file bundle of the bgpdns daemons for images/bgpdns. The source
 * dispatcher (images/bgpdns/src/cli/main.ts) finds its commands by listing a
 * directory at run time, which a bundle cannot follow; so the bundle's entry
 * is generated here with one static import per command, and dispatches the
 * same way: `bgpdns <command> …`, exit code from the command's run().
 */
import { build, type Metafile } from 'esbuild';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { AGENT_INSTRUMENTS } from '../runtime/docker/node-agent.js';

export function bgpdnsCommandsDir(repoRoot: string): string {
  return resolve(repoRoot, 'images/bgpdns/src/cli/commands');
}

/** Command names: every commands/<name>.ts that is not a test. */
export async function bgpdnsCommands(repoRoot: string): Promise<string[]> {
  const names = await readdir(bgpdnsCommandsDir(repoRoot)).catch(() => [] as string[]);
  return names
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** The generated entry module: a static table of commands and the dispatch. */
export function entrySource(commandsDir: string, names: string[]): string {
  const imports = names.map((n, i) => `import { command as c${i} } from ${JSON.stringify(join(commandsDir, `${n}.ts`))};`);
  const table = names.map((n, i) => `  ${JSON.stringify(n)}: c${i},`);
  return `${imports.join('\n')}
const commands = {
${table.join('\n')}
};
const [name, ...rest] = process.argv.slice(2);
const known = Object.keys(commands);
if (!name || name === 'help' || name === '--help' || name === '-h') {
  console.log(['usage: bgpdns <command> [options]', '', 'commands:', ...known.map((n) => '  ' + n.padEnd(10) + ' ' + commands[n].summary)].join('\\n'));
  process.exitCode = name ? 0 : 2;
} else if (!(name in commands)) {
  console.error('bgpdns: unknown command "' + name + '"; known commands: ' + (known.join(', ') || '(none)'));
  process.exitCode = 2;
} else {
  process.exitCode = await commands[name].run(rest);
}
`;
}

/**
 * The harness's instruments the agent beside a node on another host runs (DNS
 * prober, sorter prober, route watch: harness code, not the daemons' own), one
 * file each, named `agent-<file in the image>` in `contextDir`. Returns those names.
 */
export async function bundleAgentInstruments(repoRoot: string, contextDir: string): Promise<{ names: string[] } & BundleInputs> {
  const names: string[] = [];
  const inputs = new Set<string>();
  for (const i of AGENT_INSTRUMENTS) {
    const name = agentContextName(i.file);
    const r = await build({ ...ESM_NODE, entryPoints: [resolve(repoRoot, i.source)], outfile: join(contextDir, name), nodePaths: [resolve(repoRoot, 'node_modules')] });
    names.push(name);
    for (const input of inputsOf(repoRoot, r.metafile)) inputs.add(input);
  }
  return { names, inputs: [...inputs].sort() };
}

/** The build-context name of an agent instrument's image file (images/bgpdns/Dockerfile copies it back). */
export function agentContextName(imageFile: string): string {
  return `agent-${basename(imageFile)}`;
}

/** What went into a bundle: every source file, relative to the repository root (from esbuild's metafile). */
export interface BundleInputs {
  inputs: string[];
}

function inputsOf(repoRoot: string, meta: Metafile): string[] {
  // esbuild names inputs relative to its working directory; the generated entry lies outside the repo.
  return Object.keys(meta.inputs).map((i) => relative(repoRoot, resolve(i))).sort();
}

const ESM_NODE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies (prom-client, dns-packet) call require(); give ESM one.
  banner: { js: "import { createRequire as __bgpdnsCreateRequire } from 'node:module'; const require = __bgpdnsCreateRequire(import.meta.url);" },
  logLevel: 'error',
  legalComments: 'none',
  // The inputs list lets a test prove no test support is ever bundled.
  metafile: true,
} as const;

/** Bundle every command into `outFile` (ESM, Node 20). Returns the command names bundled and the source files in it. */
export async function bundleBgpdns(repoRoot: string, outFile: string): Promise<{ commands: string[] } & BundleInputs> {
  const names = await bgpdnsCommands(repoRoot);
  const work = await mkdtemp(join(tmpdir(), 'bgpdns-bundle-'));
  try {
    const entry = join(work, 'entry.ts');
    await writeFile(entry, entrySource(bgpdnsCommandsDir(repoRoot), names));
    const r = await build({ ...ESM_NODE, entryPoints: [entry], outfile: outFile, nodePaths: [resolve(repoRoot, 'node_modules')] });
    return { commands: names, inputs: inputsOf(repoRoot, r.metafile) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

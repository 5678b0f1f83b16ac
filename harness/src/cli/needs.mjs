#!/usr/bin/env node
// `node harness/src/cli/needs.mjs COMMAND [ARGS…]` prints "root=1 installs=demo" (or "installs=labs,docker"):
// whether the command must run as root and which install set it needs
// (command-needs.json; the sets are described in command.ts). With --help/-h before
// any `--`, or no command, it is help: root=0 installs=none. Plain JavaScript on
// purpose: the launcher asks before node_modules (tsx) may exist, and this answers in
// a tenth of a second. The CLI itself still refuses (exit 77) what needs root.
import { readFileSync } from 'node:fs';

const needs = JSON.parse(readFileSync(new URL('./command-needs.json', import.meta.url), 'utf8'));
const [name = 'help', ...args] = process.argv.slice(2);
const own = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
const asksHelp = name === '-h' || name === '--help' || own.includes('-h') || own.includes('--help');
const entry = asksHelp ? needs.help : Object.hasOwn(needs, name) ? needs[name] : undefined;
if (!entry) {
  process.stderr.write(`bgpdns-lab: unknown command "${name}"; commands: ${Object.keys(needs).join(', ')}\n`);
  process.exit(64);
}
// Deploying on the Docker runtime also needs the engine and the image builder.
const docker = !asksHelp && entry.installs !== 'none' && own.some((a, i) => a === '--runtime=docker' || (a === '--runtime' && own[i + 1] === 'docker'));
process.stdout.write(`root=${entry.root ? 1 : 0} installs=${entry.installs}${docker ? ',docker' : ''}\n`);

/**
 * Keeps docs/cli.md and the README honest: every command is documented with its
 * current synopsis, and both exit-code tables list exactly the codes of exit-codes.ts.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT } from './exit-codes.js';
import type { CliCommand } from './command.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => readFileSync(`${root}${file}`, 'utf8');
const commandsDir = `${root}harness/src/cli/commands`;

test('docs/cli.md has a section per command with its synopsis as --help prints it', async (t) => {
  const doc = read('docs/cli.md');
  for (const file of readdirSync(commandsDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const name = file.slice(0, -3);
    const { command } = (await import(`${commandsDir}/${file}`)) as { command: CliCommand };
    t.true(doc.includes(`\n## ${name}\n`), `docs/cli.md: no section "## ${name}"`);
    const synopsis = command.usage.split('\n\n')[0];
    t.true(doc.includes(synopsis), `docs/cli.md: ${name}: synopsis differs from --help:\n${synopsis}`);
  }
});

test('the exit-code tables of README.md and docs/cli.md list the codes of exit-codes.ts', (t) => {
  for (const file of ['README.md', 'docs/cli.md']) {
    const rows = [...read(file).matchAll(/^\| (\d+) \| /gm)].map((m) => Number(m[1]));
    t.deepEqual(rows, Object.values(EXIT), file);
  }
});

test('the fault kinds docs/cli.md lists for `fault` and `replay` are the registry’s: their whole --help is there', async (t) => {
  const doc = read('docs/cli.md');
  for (const name of ['fault', 'replay']) {
    const { command } = (await import(`${commandsDir}/${name}.ts`)) as { command: CliCommand };
    t.true(doc.includes(`\`\`\`text\n${command.usage}\n\`\`\``), `docs/cli.md: ${name}: the text differs from --help (its fault list comes from the modules of harness/src/faults/catalog/)`);
  }
});

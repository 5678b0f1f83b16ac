import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fieldDescriptions, runRecordJsonSchema } from './json-schema.js';
import { schemaFieldPaths } from './schema.js';

const SCHEMA_FILE = fileURLToPath(new URL('../../../docs/run-record.schema.json', import.meta.url));

test('docs/run-record.schema.json is up to date with schema.ts and docs/run-record.md', (t) => {
  const committed = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
  t.deepEqual(committed, runRecordJsonSchema(), 'regenerate: node --import tsx harness/src/run/json-schema.ts > docs/run-record.schema.json');
});

test('the JSON Schema is draft 2020-12, versioned, open to added fields, and describes every field', (t) => {
  const schema = runRecordJsonSchema() as Record<string, any>;
  t.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  t.is(schema.properties.version.const, 1);
  t.not(schema.additionalProperties, false);
  t.true(schema.required.includes('measurements'));
  const undescribed: string[] = [];
  const walk = (node: Record<string, any>, prefix: string) => {
    for (const [key, child] of Object.entries<Record<string, any>>(node.properties ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (!child.description) undescribed.push(path);
      walk(child, path);
    }
    if (node.items) walk(node.items, `${prefix}[]`);
  };
  walk(schema, '');
  t.deepEqual(undescribed, []);
});

test('table rows with escaped pipes keep their meaning whole', (t) => {
  const md = '| `faults[].action` | `inject` \\| `revert` | Injection or its undoing. |\n| not a row |';
  t.deepEqual([...fieldDescriptions(md)], [['faults[].action', 'Injection or its undoing.']]);
  t.true(schemaFieldPaths().includes('faults[].action'));
});

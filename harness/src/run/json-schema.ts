/**
 * docs/run-record.schema.json: the run record schema as JSON Schema (draft 2020-12),
 * for tools outside TypeScript, with each field's description taken from the table in
 * docs/run-record.md. Cross-field checks (p50 ≤ p95 ≤ max, a met run has no failure,
 * links name known nodes) exist only in validateRunRecord.
 *
 * Regenerate: node --import tsx harness/src/run/json-schema.ts > docs/run-record.schema.json
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod/v4';
import { RUN_RECORD_VERSION } from './record.js';
import { runRecordSchema } from './schema.js';

export const RUN_RECORD_DOC = fileURLToPath(new URL('../../../docs/run-record.md', import.meta.url));

/** `| \`measurements[].slo.op\` | type | meaning |` rows → path → meaning (backticks dropped). */
export function fieldDescriptions(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of markdown.split('\n')) {
    const m = line.match(/^\| `([^`]+)` \|/);
    if (!m) continue;
    // Cells are separated by pipes that are not escaped as \|.
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    out.set(m[1], cells[3].replace(/\\\|/g, '|').replace(/`/g, ''));
  }
  return out;
}

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; description?: string; [k: string]: unknown };

function describe(node: JsonSchema, descriptions: Map<string, string>, prefix: string): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const text = descriptions.get(path);
    if (text) child.description = text;
    describe(child, descriptions, path);
  }
  if (node.items) describe(node.items, descriptions, `${prefix}[]`);
}

export function runRecordJsonSchema(markdown = readFileSync(RUN_RECORD_DOC, 'utf8')): Record<string, unknown> {
  const schema = z.toJSONSchema(runRecordSchema) as JsonSchema;
  describe(schema, fieldDescriptions(markdown), '');
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: `https://bgpdns-lab.invalid/schema/run-record-v${RUN_RECORD_VERSION}.json`,
    title: `bgpdns-lab run record, version ${RUN_RECORD_VERSION}`,
    description: 'reports/<run-id>/run.json; docs/run-record.md explains every field',
    ...rest,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${JSON.stringify(runRecordJsonSchema(), null, 2)}\n`);
}

/**
 * The versioned schema of run.json (docs/run-record.md explains every field).
 * The recorder validates before it writes; reports validate after they read, so a
 * hand-edited or truncated record fails with the JSON path of the problem instead
 * of rendering nonsense. Unknown fields pass through untouched: the record only
 * ever grows by additions (docs/contracts.md), and an older reader must not reject them.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod/v4';
import { RUN_RECORD_VERSION, type RunRecord } from './record.js';

const millis = z.number().finite();
const name = z.string().min(1);
const plane = z.enum(['bgp', 'dns', 'data', 'harness']);

const slo = z.object({ op: z.enum(['<', '<=', '>', '>=']), value: z.number().finite() }).passthrough();

const claim = z.object({ source: name, text: name, value: z.number().finite().optional() }).passthrough();

const measurement = z
  .object({
    name,
    plane,
    unit: z.enum(['ms', 'count', 'ratio']),
    trials: z.array(z.number().finite()).min(1, 'a measurement needs at least one trial'),
    p50: z.number().finite(),
    p95: z.number().finite(),
    max: z.number().finite(),
    slo: slo.optional(),
    sloOn: z.enum(['p50', 'p95', 'max']).optional(),
    met: z.boolean(),
    scenario: name.optional(),
    description: z.string().optional(),
    claim: claim.optional(),
    clockErrorMs: z.number().finite().nonnegative().optional(),
    clockFlag: z.boolean().optional(),
  })
  .passthrough()
  .superRefine((m, ctx) => {
    if (!(m.p50 <= m.p95 && m.p95 <= m.max)) {
      ctx.addIssue({ code: 'custom', path: ['p95'], message: `expected p50 <= p95 <= max, got ${m.p50}, ${m.p95}, ${m.max}` });
    }
    const largest = Math.max(...m.trials);
    if (m.trials.length > 0 && Math.abs(largest - m.max) > 1e-6 * Math.max(1, Math.abs(largest))) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `expected the largest trial (${largest}), got ${m.max}` });
    }
  });

const step = z
  .object({ scenario: name, name, start: millis, end: millis.optional(), ok: z.boolean().optional(), error: z.string().optional() })
  .passthrough()
  .superRefine((s, ctx) => {
    if (s.end !== undefined && s.end < s.start) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `step ends (${s.end}) before it starts (${s.start})` });
    }
  });

const fault = z
  .object({
    at: millis,
    fault: name,
    target: name,
    action: z.enum(['inject', 'revert']),
    args: z.record(z.string(), z.unknown()).optional(),
    scenario: name.optional(),
  })
  .passthrough();

const event = z
  .object({
    at: millis,
    node: name,
    plane,
    type: name,
    source: name,
    detail: z.record(z.string(), z.unknown()).optional(),
    scenario: name.optional(),
  })
  .passthrough();

const assertion = z.object({ scenario: name, name, ok: z.boolean(), message: z.string().optional() }).passthrough();

const machine = z
  .object({
    kernel: name,
    cores: z.number().int().positive(),
    frrVersion: z.string().optional(),
    netem: z.boolean(),
    node: name,
  })
  .passthrough();

const endpoint = z.object({ node: name, iface: name }).passthrough();

const topology = z
  .object({
    nodes: z.array(
      z
        .object({
          name,
          kind: name,
          group: z.string().optional(),
          asn: z.number().int().positive().optional(),
          addresses: z.array(z.string()).optional(),
          host: name.optional(),
        })
        .passthrough(),
    ),
    links: z.array(z.object({ a: endpoint, b: endpoint }).passthrough()),
  })
  .passthrough()
  .superRefine((t, ctx) => {
    const known = new Set(t.nodes.map((n) => n.name));
    t.links.forEach((l, i) => {
      for (const side of ['a', 'b'] as const) {
        if (!known.has(l[side].node)) {
          ctx.addIssue({ code: 'custom', path: ['links', i, side, 'node'], message: `unknown node "${l[side].node}" (not in topology.nodes)` });
        }
      }
    });
  });

const dnsOrderSample = z
  .object({
    at: millis,
    client: name,
    answers: z.array(z.string()),
    scenario: name.optional(),
    qname: z.string().optional(),
    via: z.string().optional(),
    rcode: z.string().optional(),
  })
  .passthrough();

const hostClockSample = z
  .object({
    when: z.enum(['before', 'after']),
    at: millis,
    offsetMs: z.number().finite(),
    errorMs: z.number().finite().nonnegative(),
    rttMs: z.number().finite().nonnegative(),
    exchanges: z.number().int().positive(),
  })
  .passthrough();

const runHost = z.object({ name, endpoint: name, underlay: name, clock: z.array(hostClockSample) }).passthrough();

export const runRecordSchema = z
  .object({
    version: z.literal(RUN_RECORD_VERSION),
    run: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a run id is letters, digits, ".", "_" and "-" (it names a directory)'),
    startedAt: z.string().datetime({ offset: true }),
    finishedAt: z.string().datetime({ offset: true }).optional(),
    lab: name,
    runtime: name,
    machine,
    scenarios: z.array(name),
    steps: z.array(step),
    faults: z.array(fault),
    events: z.array(event),
    measurements: z.array(measurement),
    assertions: z.array(assertion),
    met: z.boolean(),
    t0: millis,
    topology: topology.optional(),
    dnsOrder: z.array(dnsOrderSample).optional(),
    error: z.string().optional(),
    hosts: z.array(runHost).optional(),
  })
  .passthrough()
  .superRefine((r, ctx) => {
    if (!r.met) return;
    r.measurements.forEach((m, i) => {
      if (!m.met) ctx.addIssue({ code: 'custom', path: ['met'], message: `run says met but measurements[${i}] ("${m.name}") did not meet its SLO` });
    });
    r.assertions.forEach((a, i) => {
      if (!a.ok) ctx.addIssue({ code: 'custom', path: ['met'], message: `run says met but assertions[${i}] ("${a.name}") failed` });
    });
    if (r.error) ctx.addIssue({ code: 'custom', path: ['met'], message: 'run says met but carries an error' });
  });

// Whatever the schema accepts must be a RunRecord (record.ts), so the two cannot drift
// apart silently; the other direction is the fixture test (a typed record validates).
type Parsed = z.infer<typeof runRecordSchema>;
const parsedIsRecord = (p: Parsed): RunRecord => p;
void parsedIsRecord;

/** Thrown for an invalid record; `problems` lists "$.json.path: what is wrong" lines. */
export class RunRecordError extends Error {
  constructor(
    readonly problems: string[],
    where = 'run record',
  ) {
    super(`${where} is invalid: ${problems.join('; ')}`);
    this.name = 'RunRecordError';
  }
}

/** `["measurements", 2, "slo", "op"]` → `$.measurements[2].slo.op`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`), '$');
}

const MAX_PROBLEMS_SHOWN = 5;

/** Checks a record against the current schema; returns it typed or throws RunRecordError. */
export function validateRunRecord(record: unknown, where?: string): RunRecord {
  const result = runRecordSchema.safeParse(record);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, MAX_PROBLEMS_SHOWN).map((i) => `${jsonPath(i.path)}: ${i.message}`);
  const more = result.error.issues.length - problems.length;
  if (more > 0) problems.push(`… and ${more} more`);
  throw new RunRecordError(problems, where);
}

/**
 * Upgrades an older record one version at a time. Entry N turns a version-N record
 * into a version-(N+1) one; when RUN_RECORD_VERSION goes to 2, add entry 1 here.
 */
export type Migration = (older: Record<string, unknown>) => Record<string, unknown>;
export const MIGRATIONS: Readonly<Record<number, Migration>> = {};

export function migrateRunRecord(
  raw: unknown,
  where = 'run record',
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
  current: number = RUN_RECORD_VERSION,
): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RunRecordError(['$: expected a JSON object'], where);
  }
  let record = raw as Record<string, unknown>;
  let version = record.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new RunRecordError([`$.version: expected a positive integer schema version, got ${JSON.stringify(version)}`], where);
  }
  if (version > current) {
    throw new RunRecordError(
      [`$.version: ${version} was written by a newer bgpdns-lab (this one reads up to ${current}); update bgpdns-lab to read it`],
      where,
    );
  }
  while (version < current) {
    const step = migrations[version];
    if (!step) throw new RunRecordError([`$.version: no migration from version ${version} to ${version + 1}`], where);
    record = { ...step(record), version: version + 1 };
    version += 1;
  }
  return record;
}

/** Parses run.json text: JSON → migrate to the current version → validate. */
export function parseRunRecord(text: string, where = 'run record'): RunRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new RunRecordError([`$: not JSON (${(err as Error).message})`], where);
  }
  return validateRunRecord(migrateRunRecord(raw, where), where);
}

export function readRunRecordFile(file: string): RunRecord {
  return parseRunRecord(readFileSync(file, 'utf8'), file);
}

/**
 * Every field path the schema knows, e.g. "measurements[].slo.op", so a test can
 * check docs/run-record.md explains each one.
 */
export function schemaFieldPaths(schema: z.ZodType = runRecordSchema, prefix = ''): string[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    const out: string[] = [];
    for (const [key, child] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      const path = prefix ? `${prefix}.${key}` : key;
      out.push(path, ...schemaFieldPaths(child, path));
    }
    return out;
  }
  if (inner instanceof z.ZodArray) return schemaFieldPaths(inner.element as z.ZodType, `${prefix}[]`);
  return [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
  return s;
}

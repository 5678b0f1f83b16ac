/**
 * The one-line verdict `bench` prints before a benchmark's JSON line: which targets
 * were met and which missed (with value and threshold), so a reader need not parse
 * the JSON to know. A target without a value (its measurement failed) is missed.
 */
interface TargetLine {
  name: string;
  value: number | null;
  op: string;
  target: number;
  met: boolean;
  error?: string;
}

/** Null when the line is not a benchmark result (the benchmark failed before its JSON). */
export function benchSummary(line: string): string | null {
  let parsed: { bench?: string; quick?: boolean; targets?: TargetLine[] };
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.targets)) return null;
  const ts = parsed.targets;
  const met = ts.filter((t) => t.met);
  const missed = ts.filter((t) => !t.met).map((t) => (t.value === null || t.value === undefined ? `${t.name} (not measured${t.error ? `: ${t.error.slice(0, 120)}` : ''})` : `${t.name} ${t.value} (wanted ${t.op} ${t.target})`));
  const head = `bench ${parsed.bench ?? '?'}${parsed.quick ? ' --quick' : ''}: ${met.length}/${ts.length} targets met`;
  return missed.length ? `${head}; missed: ${missed.join(', ')}` : head;
}

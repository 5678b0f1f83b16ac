/**
 * JSON subset match, the way FRR topotests check router state: every key and
 * value in `expected` must be present in `actual`; extra keys in `actual` are fine.
 * Arrays match element by element (an expected array may be shorter: only its
 * elements are checked). `null` in expected means "this key must be absent".
 * Returns null when it matches, otherwise one line per difference, each with its path.
 */
export type JsonDiff = string[];

export function jsonSubset(actual: unknown, expected: unknown): JsonDiff | null {
  const diffs: string[] = [];
  compare(actual, expected, '$', diffs);
  return diffs.length === 0 ? null : diffs;
}

function compare(actual: unknown, expected: unknown, path: string, diffs: string[]): void {
  if (expected === undefined) return;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      diffs.push(`${path}: expected an array, got ${show(actual)}`);
      return;
    }
    if (actual.length < expected.length) {
      diffs.push(`${path}: expected at least ${expected.length} elements, got ${actual.length}`);
    }
    expected.forEach((e, i) => {
      if (i < actual.length) compare(actual[i], e, `${path}[${i}]`, diffs);
    });
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      diffs.push(`${path}: expected an object, got ${show(actual)}`);
      return;
    }
    const obj = actual as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) {
      const childPath = `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`;
      if (value === null) {
        if (key in obj) diffs.push(`${childPath}: expected absent, got ${show(obj[key])}`);
      } else if (!(key in obj)) {
        diffs.push(`${childPath}: missing (expected ${show(value)})`);
      } else {
        compare(obj[key], value, childPath, diffs);
      }
    }
    return;
  }
  if (!Object.is(actual, expected)) diffs.push(`${path}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Short JSON rendering for diff lines. */
function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

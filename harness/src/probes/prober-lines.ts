/**
 * Parses a prober's JSON-lines output, sorted by `at`. A malformed line is an error
 * naming the file and line — except the last, which a running prober may still be
 * writing. `check` says what a valid sample needs (undefined when it has it).
 */
export function parseProberLines<T extends { at: number }>(text: string, file: string, what: string, check?: (sample: T) => string | undefined): T[] {
  const out: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let s: T;
    try {
      s = JSON.parse(line) as T;
    } catch (err) {
      if (i === lines.length - 1) break;
      throw new Error(`${file}:${i + 1}: not a ${what}: ${(err as Error).message}`);
    }
    const needs = check?.(s);
    if (needs !== undefined) throw new Error(`${file}:${i + 1}: not a ${what} (needs ${needs}): ${line.slice(0, 120)}`);
    out.push(s);
  }
  return out.sort((a, b) => a.at - b.at);
}

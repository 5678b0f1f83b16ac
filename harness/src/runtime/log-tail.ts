import { readFile } from 'node:fs/promises';

/** The last lines of a daemon's output file, joined with " | " for a one-line error ("(no output)" when empty or absent). */
export async function logTail(file: string, lines = 5): Promise<string> {
  try {
    const text = (await readFile(file, 'utf8')).trimEnd();
    return text ? text.split('\n').slice(-lines).join(' | ') : '(no output)';
  } catch {
    return '(no output)';
  }
}

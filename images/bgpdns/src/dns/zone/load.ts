/** Reads and compiles a tinydns data file; the only I/O around the pure parser. */
import { readFile, stat } from 'node:fs/promises';
import { parseTinydnsData } from '../tinydns-data/parse.js';
import { Zone } from './zone.js';

export interface LoadedZone {
  zone: Zone;
  /** Identity of the file version loaded, to notice changes. */
  stamp: string;
}

export async function fileStamp(path: string): Promise<string> {
  const s = await stat(path);
  return `${s.ino}:${s.size}:${s.mtimeMs}`;
}

export async function loadZoneFile(path: string): Promise<LoadedZone> {
  const before = await fileStamp(path);
  const s = await stat(path);
  const text = (await readFile(path)).toString('latin1');
  // tinydns-data's default SOA serial is the data file's modification time.
  const data = parseTinydnsData(text, { file: path, serial: Math.floor(s.mtimeMs / 1000) });
  return { zone: Zone.fromData(data), stamp: before };
}

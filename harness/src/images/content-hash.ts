/**
 * Content hash of an image's inputs: named parts (file contents, strings)
 * hashed in a fixed order, each prefixed with its name and length so that
 * moving bytes between parts changes the hash.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export type HashPart = { name: string; text: string } | { name: string; file: string };

async function fileDigest(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export async function contentHash(parts: HashPart[]): Promise<string> {
  const h = createHash('sha256');
  const sorted = [...parts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const part of sorted) {
    const value = 'text' in part ? `text:${part.text}` : `file:${await fileDigest(part.file)}`;
    h.update(`${part.name.length}:${part.name}\0${value.length}:${value}\0`);
  }
  return h.digest('hex');
}

/** The short form used as image tag. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

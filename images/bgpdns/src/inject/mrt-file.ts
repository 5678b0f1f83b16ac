/**
 * MRT files on disk: plain, gzip (zlib) or bzip2 (the system `bzip2`, through zx),
 * recognised by their first bytes rather than by name.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { $ } from 'zx';
import { MrtTableReader, writeMrtTable, type MrtReadOptions, type MrtStats, type MrtWriteOptions } from './mrt.js';
import type { Table } from './table.js';

async function magic(path: string): Promise<Uint8Array> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new Error(`MRT file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  try {
    const buf = new Uint8Array(3);
    const { bytesRead } = await fh.read(buf, 0, 3, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export type Compression = 'gzip' | 'bzip2' | 'none';

export function compressionOf(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  return 'none';
}

export async function readMrtFile(path: string, options: Omit<MrtReadOptions, 'source'> = {}): Promise<{ table: Table; stats: MrtStats; compression: Compression }> {
  const compression = compressionOf(await magic(path));
  const reader = new MrtTableReader({ ...options, source: path });
  if (compression === 'bzip2') {
    const p = $({ quiet: true })`bzip2 -dc ${path}`;
    for await (const chunk of p.stdout) reader.push(chunk as Buffer);
    const done = await p.nothrow();
    if (done.exitCode !== 0) throw new Error(`MRT file ${path}: bzip2 -dc failed: ${done.stderr.trim()}`);
  } else {
    const stream = compression === 'gzip' ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
    try {
      for await (const chunk of stream) reader.push(chunk as Buffer);
    } catch (err) {
      throw new Error(`MRT file ${path}: ${(err as Error).message}`);
    }
  }
  return { table: reader.finish(), stats: reader.stats, compression };
}

/** Writes a table as MRT; compression by file name: .gz gzip, .bz2 bzip2, otherwise plain. */
export async function writeMrtFile(path: string, table: Table, options: MrtWriteOptions): Promise<void> {
  const bzip2 = path.endsWith('.bz2');
  const target = bzip2 ? path.slice(0, -4) : path;
  const source = Readable.from(writeMrtTable(table, options));
  if (path.endsWith('.gz')) await pipeline(source, createGzip(), createWriteStream(target));
  else await pipeline(source, createWriteStream(target));
  if (bzip2) {
    await $({ quiet: true })`bzip2 -f ${target}`;
    if (`${target}.bz2` !== path) await rename(`${target}.bz2`, path);
  }
}

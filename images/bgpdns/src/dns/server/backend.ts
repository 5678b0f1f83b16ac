/** What the front asks of a mode (file or proxy): an answer for one valid query. */
import type { Query } from '../wire/query.js';

export type Transport = 'udp' | 'tcp';

export interface Source {
  address: string;
  port: number;
}

export type MaybeAsync<T> = T | Promise<T>;

export interface Backend {
  /** Returns the response bytes, or null to send nothing. */
  answer(packet: Buffer, query: Query, source: Source, transport: Transport): MaybeAsync<Buffer | null>;
  /** Data loaded / upstream configured: what `/ready` reports besides the sorter. */
  readonly ready: boolean;
  close(): Promise<void>;
}

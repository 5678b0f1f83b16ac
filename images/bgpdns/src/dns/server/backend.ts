/** What the front asks of a mode (file or proxy): an answer for one valid query. */
import type { Query } from '../wire/query.js';
import type { ResponseKind } from './rrl.js';

export type Transport = 'udp' | 'tcp';

export interface Source {
  address: string;
  port: number;
}

export type MaybeAsync<T> = T | Promise<T>;

/**
 * Response-rate limiting as the backend meets it: called once the kind of
 * response is known and before any sorter work. undefined = go on and answer;
 * otherwise return what it gives instead (null = drop, or an empty TC slip).
 */
export type RateGate = (kind: ResponseKind, name: string, rcode: number, authoritative: boolean) => Buffer | null | undefined;

/** The gate for TCP and for a front without RRL. */
export const openGate: RateGate = () => undefined;

export interface Backend {
  /** Returns the response bytes, or null to send nothing. */
  answer(packet: Buffer, query: Query, source: Source, transport: Transport, gate: RateGate): MaybeAsync<Buffer | null>;
  /** Data loaded / upstream configured: what `/ready` reports besides the sorter. */
  readonly ready: boolean;
  close(): Promise<void>;
}

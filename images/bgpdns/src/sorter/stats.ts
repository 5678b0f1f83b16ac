/**
 * Counters of the query service, shaped after the 2002 `show dnssort
 * statistics` (seed slide 34): received, answered (sent), dropped, currently
 * queued / limit, hits per neighbour AS — plus why packets were dropped.
 */
import type { RankStatus } from './api.js';
import type { DropReason } from './protocol-types.js';

export class QueryStats {
  received = 0;
  answered = 0;
  /** Changes queries answered (§4.4), not counted in `answered`. */
  changesAnswered = 0;
  readonly dropped: Record<DropReason, number> = {
    malformed: 0,
    version: 0,
    'unknown-key': 0,
    'bad-mac': 0,
    stale: 0,
    replayed: 0,
    overload: 0,
  };
  readonly byStatus: Record<RankStatus, number> = { ranked: 0, 'no-route': 0, 'no-sessions': 0, unmapped: 0 };
  queued = 0;

  constructor(readonly queueLimit: number) {}

  get droppedTotal(): number {
    let n = 0;
    for (const v of Object.values(this.dropped)) n += v;
    return n;
  }

  drop(reason: DropReason): void {
    this.dropped[reason]++;
  }
}

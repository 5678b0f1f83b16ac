/**
 * TEST DOUBLE for the ordering logic only — not the sorter. A real Ranker
 * implementation driven by a small table: the longest table prefix holding the
 * client (or its whole ECS subnet) decides, and that entry's listed addresses
 * are preferred in list order. It can be slowed down or made to fail, and it
 * counts calls, so tests see exactly when the DNS front consults it.
 */
import ipaddr from 'ipaddr.js';
import type { RankAnswer, Ranker, RankRequest } from '../../src/sorter/api.js';

export interface TableEntry {
  prefix: string;
  prefer: string[];
}

export class PrefixTableRanker implements Ranker {
  calls = 0;
  requests: RankRequest[] = [];
  delayMs = 0;
  failing = false;
  /** Never answers (a silent sorter). */
  silent = false;

  constructor(
    public table: TableEntry[],
    public generation = 1,
  ) {}

  async rank(req: RankRequest): Promise<RankAnswer> {
    this.calls++;
    this.requests.push(req);
    if (this.silent) return new Promise<RankAnswer>(() => undefined);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failing) throw new Error('ranker failing (test double)');
    const client = ipaddr.parse(req.client);
    const clientLen = req.clientPrefixLen ?? (client.kind() === 'ipv4' ? 32 : 128);
    let best: { entry: TableEntry; len: number } | null = null;
    for (const entry of this.table) {
      const [net, len] = ipaddr.parseCIDR(entry.prefix);
      if (net.kind() !== client.kind() || len > clientLen) continue;
      if (!client.match(net, len)) continue;
      if (!best || len > best.len) best = { entry, len };
    }
    if (!best) return { status: 'no-route', preferences: req.candidates.map(() => 0), generation: this.generation };
    const prefer = best.entry.prefer;
    return {
      status: 'ranked',
      preferences: req.candidates.map((c) => (prefer.includes(c) ? 100 - prefer.indexOf(c) : 0)),
      matchedPrefix: best.entry.prefix,
      neighborAs: 64500,
      generation: this.generation,
    };
  }
}

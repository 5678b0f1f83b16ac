/**
 * One packet in, at most one packet out, for both transports and both modes:
 * decode and validate, refuse what an authoritative-only server must refuse,
 * hand the rest to the backend with a rate gate (UDP response-rate limiting,
 * asked before any sorter work), count everything. Nothing a
 * client sends can throw out of `handle`.
 */
import { parseQuery, type Query } from '../wire/query.js';
import { shortResponse } from '../wire/opt.js';
import { HeaderFlag, Rcode, RrType, rcodeNames } from '../wire/types.js';
import { openGate, type Backend, type MaybeAsync, type RateGate, type Source, type Transport } from './backend.js';
import { FrontStats } from './stats.js';
import { ResponseRateLimiter, type ResponseKind, type RrlVerdict } from './rrl.js';

export interface QueryLogEntry {
  source: Source;
  transport: Transport;
  qkey: string;
  qtype: number;
  rcode: string;
  ms: number;
}

export interface FrontOptions {
  /** Shared with the backend, which counts its own events (reloads, upstream failures). */
  stats?: FrontStats;
  rrl?: ResponseRateLimiter;
  queryLog?: (entry: QueryLogEntry) => void;
}

function rcodeOf(response: Buffer): string {
  const rc = response.length >= 4 ? response[3] & 0xf : 0;
  return rcodeNames[rc] ?? String(rc);
}

export class DnsFront {
  readonly stats: FrontStats;
  readonly rrl: ResponseRateLimiter;

  constructor(
    readonly backend: Backend,
    private readonly opts: FrontOptions = {},
  ) {
    this.stats = opts.stats ?? new FrontStats();
    this.rrl = opts.rrl ?? new ResponseRateLimiter();
  }

  handle(packet: Buffer, source: Source, transport: Transport): MaybeAsync<Buffer | null> {
    this.stats.packets++;
    try {
      const started = this.opts.queryLog ? performance.now() : 0;
      const result = this.dispatch(packet, source, transport);
      if (result instanceof Promise) {
        return result.then(
          (r) => this.finish(r, source, transport, packet, started),
          () => {
            this.stats.internalErrors++;
            return null;
          },
        );
      }
      return this.finish(result, source, transport, packet, started);
    } catch {
      this.stats.internalErrors++;
      return null;
    }
  }

  private finish(response: Buffer | null, source: Source, transport: Transport, packet: Buffer, started: number): Buffer | null {
    if (!response) return null;
    const rcode = rcodeOf(response);
    this.stats.countResponse(rcode);
    if (response[2] & (HeaderFlag.TC >> 8)) this.stats.truncated++;
    if (this.opts.queryLog) {
      const parsed = parseQuery(packet);
      if (parsed.kind === 'query')
        this.opts.queryLog({ source, transport, qkey: parsed.query.qkey, qtype: parsed.query.qtype, rcode, ms: performance.now() - started });
    }
    return response;
  }

  /**
   * The rate gate for one query (UDP only; TCP is exempt, see rrl.ts). A slip is
   * the same header and question with TC and no records.
   */
  private gateFor(packet: Buffer, q: Query, source: Source, transport: Transport): RateGate {
    if (transport !== 'udp' || !this.rrl.enabled) return openGate;
    return (kind, name, rcode, authoritative) => {
      const verdict = this.limit(source, kind, name);
      if (verdict === 'send') return undefined;
      if (verdict === 'drop') return null;
      return shortResponse(packet, q.questionEnd, q.flags, rcode, q.edns, (authoritative ? HeaderFlag.AA : 0) | HeaderFlag.TC);
    };
  }

  private limit(source: Source, kind: ResponseKind, name: string): RrlVerdict {
    const verdict = this.rrl.check(source.address, kind, name);
    if (verdict === 'drop') this.stats.rrlDropped++;
    else if (verdict === 'slip') this.stats.rrlSlipped++;
    return verdict;
  }

  private dispatch(packet: Buffer, source: Source, transport: Transport): MaybeAsync<Buffer | null> {
    const parsed = parseQuery(packet);
    if (parsed.kind === 'drop') {
      this.stats.countGarbage(parsed.reason);
      return null;
    }
    if (parsed.kind === 'error') {
      this.stats.countGarbage(parsed.reason);
      // A malformed query has no question to key by: the client network's error bucket.
      const verdict = transport === 'udp' && this.rrl.enabled ? this.limit(source, 'error', '') : 'send';
      if (verdict === 'drop') return null;
      return shortResponse(packet, parsed.questionEnd, parsed.flags, parsed.rcode, parsed.edns, verdict === 'slip' ? HeaderFlag.TC : 0);
    }
    const q: Query = parsed.query;
    this.stats.queries[transport]++;
    const gate = this.gateFor(packet, q, source, transport);
    if (q.edns && q.edns.version > 0) return gate('error', '', Rcode.BadVers, false) ?? shortResponse(packet, q.questionEnd, q.flags, Rcode.BadVers, q.edns);
    // Zone transfers are not offered (tinydns answers AXFR with NOTIMP; both are refusals).
    if (q.qtype === RrType.AXFR || q.qtype === RrType.IXFR) return gate('error', '', Rcode.Refused, false) ?? shortResponse(packet, q.questionEnd, q.flags, Rcode.Refused, q.edns);
    return this.backend.answer(packet, q, source, transport, gate);
  }
}

/**
 * Prober samples (one per query, every 10–20 ms) → the run record's dnsOrder: the
 * first answer and every change of answer order or of outcome. A sample holds until
 * the next, so nothing the sort-order matrix shows is lost, and a minute of probing
 * at 50 queries/s becomes a handful of entries instead of thousands.
 */
import type { DnsProbeSample } from './dns-samples.js';
import type { DnsOrderSample } from '../run/record.js';

export interface DnsOrderOptions {
  qname?: string;
  /** Which server was asked (the DNS front, a resolver). */
  via?: string;
  scenario?: string;
}

/** What a client saw in one query: the addresses in order, or nothing (with why). */
function seen(s: DnsProbeSample): { answers: string[]; rcode?: string } {
  if (s.outcome === 'answer' && s.rcode === 'NOERROR') return { answers: s.answers };
  return { answers: [], rcode: s.rcode ?? s.outcome };
}

export function dnsOrderChanges(client: string, samples: readonly DnsProbeSample[], opts: DnsOrderOptions = {}): DnsOrderSample[] {
  const out: DnsOrderSample[] = [];
  let last: string | undefined;
  for (const s of [...samples].sort((a, b) => a.at - b.at)) {
    const view = seen(s);
    const key = `${view.rcode ?? ''}|${view.answers.join(',')}`;
    if (key === last) continue;
    last = key;
    out.push({
      at: s.at,
      client,
      answers: view.answers,
      ...(view.rcode ? { rcode: view.rcode } : {}),
      ...(opts.qname ? { qname: opts.qname } : {}),
      ...(opts.via ? { via: opts.via } : {}),
      ...(opts.scenario ? { scenario: opts.scenario } : {}),
    });
  }
  return out;
}

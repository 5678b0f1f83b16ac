/** Counters of the DNS front: plain numbers on the hot path, exported by metrics.ts at scrape time. */
export class FrontStats {
  packets = 0;
  queries: Record<'udp' | 'tcp', number> = { udp: 0, tcp: 0 };
  /** Answers sent, by rcode name. */
  responses = new Map<string, number>();
  /** Packets we could not take as a query (dropped or answered FORMERR/NOTIMP), by reason. */
  garbage = new Map<string, number>();
  /** Exceptions caught around a packet: should stay 0; a packet never takes the server down. */
  internalErrors = 0;
  rrlDropped = 0;
  rrlSlipped = 0;
  truncated = 0;
  /** TCP connections open now, and those closed at accept or later by the connection limits. */
  tcpOpen = 0;
  tcpRefusedPerClient = 0;
  tcpRefusedFull = 0;
  tcpEvicted = 0;
  tcpIdleClosed = 0;
  upstreamTimeouts = 0;
  upstreamErrors = 0;
  /** Proxy responses whose address RRs could not be reordered safely and went out as received. */
  proxyUnsortable = 0;
  templateHits = 0;
  templateMisses = 0;
  reloadsOk = 0;
  reloadsFailed = 0;

  countGarbage(reason: string): void {
    this.garbage.set(reason, (this.garbage.get(reason) ?? 0) + 1);
  }

  countResponse(rcode: string): void {
    this.responses.set(rcode, (this.responses.get(rcode) ?? 0) + 1);
  }

  get garbageTotal(): number {
    let n = 0;
    for (const v of this.garbage.values()) n += v;
    return n;
  }
}

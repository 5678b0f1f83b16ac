/**
 * One DNS query over UDP with a deadline: the single primitive both the health
 * agent (is my local DNS service answering?) and the harness's DNS prober (which
 * site answered this client, and how fast?) are built on.
 * A fresh connected socket per query: a fresh source port like a real stub
 * resolver, and the kernel's ICMP port-unreachable comes back as ECONNREFUSED
 * ("nothing listens") instead of looking like a timeout ("something is hung").
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';

export interface DnsQuery {
  server: string;
  port?: number;
  name: string;
  type?: dnsPacket.RecordType;
  timeoutMs: number;
  /** Set RD (recursion desired), as a stub resolver asking a recursive resolver does. Default off (authoritative servers). */
  recursionDesired?: boolean;
}

export type DnsOutcome = 'answer' | 'timeout' | 'refused' | 'error';

export interface DnsResult {
  outcome: DnsOutcome;
  /** DNS rcode name (NOERROR, SERVFAIL, NXDOMAIN …) when an answer came back. */
  rcode?: string;
  /** Answer RRs of the asked type, as text (A/AAAA address, TXT strings joined). */
  answers: string[];
  /** Time from send to answer (or to the failure), ms. */
  latencyMs: number;
  /** Why it failed, for outcome ≠ answer. */
  error?: string;
}

function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Text of one answer record, for comparing which instance answered. */
export function answerText(rr: dnsPacket.Answer): string {
  const data = (rr as { data?: unknown }).data;
  if (Array.isArray(data)) return data.map((d) => (Buffer.isBuffer(d) ? d.toString('utf8') : String(d))).join('');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return typeof data === 'object' && data !== null ? JSON.stringify(data) : String(data);
}

let nextId = Math.floor(Math.random() * 0xffff);

export function queryDns(q: DnsQuery): Promise<DnsResult> {
  const type = q.type ?? 'A';
  const id = (nextId = (nextId + 1) & 0xffff);
  const packet = dnsPacket.encode({
    type: 'query',
    id,
    flags: q.recursionDesired ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ type, name: q.name, class: 'IN' }],
  });
  return new Promise<DnsResult>((resolve) => {
    const socket = createSocket(isIPv6(q.server) ? 'udp6' : 'udp4');
    const sentAt = monoMs();
    let done = false;
    const finish = (r: Omit<DnsResult, 'latencyMs'>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve({ ...r, latencyMs: monoMs() - sentAt });
    };
    const timer = setTimeout(() => finish({ outcome: 'timeout', answers: [], error: `no answer within ${q.timeoutMs} ms` }), q.timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      finish({ outcome: err.code === 'ECONNREFUSED' ? 'refused' : 'error', answers: [], error: err.code ?? err.message });
    });
    socket.on('message', (msg) => {
      let decoded: dnsPacket.Packet;
      try {
        decoded = dnsPacket.decode(msg);
      } catch (err) {
        finish({ outcome: 'error', answers: [], error: `undecodable answer: ${(err as Error).message}` });
        return;
      }
      if (decoded.id !== id) return; // a late answer to an older query on a reused port
      const rcode = (decoded as { rcode?: string }).rcode ?? 'NOERROR';
      const answers = (decoded.answers ?? []).filter((rr) => rr.type === type).map(answerText);
      finish({ outcome: 'answer', rcode, answers });
    });
    socket.connect(q.port ?? 53, q.server, () => {
      socket.send(packet, (err) => {
        if (err) finish({ outcome: 'error', answers: [], error: (err as NodeJS.ErrnoException).code ?? err.message });
      });
    });
  });
}

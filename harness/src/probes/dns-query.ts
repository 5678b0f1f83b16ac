/**
 * The harness's own DNS query over UDP, built and parsed with dns-packet: the
 * instrument that watches the DNS front must not share the front's wire code
 * (images/bgpdns/src/dns, health/dns-query.ts), or a wire-format bug in the
 * front would hide itself. Optionally carries an EDNS client subnet (RFC 7871)
 * and reports the answer's TTL and the ECS scope the server echoed.
 * A fresh connected socket per query: a fresh source port like a stub resolver,
 * and ICMP port-unreachable comes back as ECONNREFUSED ("nothing listens").
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';

export interface ProbeQuery {
  server: string;
  port?: number;
  name: string;
  type?: dnsPacket.RecordType;
  timeoutMs: number;
  /** Set RD, as a stub asking a recursive resolver does. */
  recursionDesired?: boolean;
  /** EDNS client subnet to send, "ADDR/LEN" (host bits beyond LEN are cleared). */
  clientSubnet?: string;
}

export type DnsOutcome = 'answer' | 'timeout' | 'refused' | 'error';

export interface ProbeResult {
  outcome: DnsOutcome;
  rcode?: string;
  /** Answer RRs of the asked type, as text, in message order. */
  answers: string[];
  /** TTL of the first answer RR of the asked type. */
  ttl?: number;
  /** SCOPE PREFIX-LENGTH of the ECS option in the answer, when there is one. */
  scope?: number;
  latencyMs: number;
  error?: string;
}

const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Text of one answer record (A/AAAA address, TXT strings joined). */
function answerText(rr: dnsPacket.Answer): string {
  const data = (rr as { data?: unknown }).data;
  if (Array.isArray(data)) return data.map((d) => (Buffer.isBuffer(d) ? d.toString('utf8') : String(d))).join('');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return typeof data === 'object' && data !== null ? JSON.stringify(data) : String(data);
}

/** "198.19.1.128/25" → the ECS option as dns-packet writes it; a clear error for anything else. */
export function clientSubnetOption(spec: string): { code: 'CLIENT_SUBNET'; family: 1 | 2; sourcePrefixLength: number; scopePrefixLength: 0; ip: string } {
  const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(spec);
  const family = m ? (isIPv6(m[1]) ? 2 : /^\d+\.\d+\.\d+\.\d+$/.test(m[1]) ? 1 : 0) : 0;
  const len = m ? Number(m[2]) : NaN;
  if (!m || family === 0 || len > (family === 1 ? 32 : 128)) throw new Error(`client subnet must be ADDR/LEN (IPv4 /0–32 or IPv6 /0–128), got "${spec}"`);
  return { code: 'CLIENT_SUBNET', family: family as 1 | 2, sourcePrefixLength: len, scopePrefixLength: 0, ip: m[1] };
}

let nextId = Math.floor(Math.random() * 0xffff);

export function probeQuery(q: ProbeQuery): Promise<ProbeResult> {
  const type = q.type ?? 'A';
  const id = (nextId = (nextId + 1) & 0xffff);
  const packet = dnsPacket.encode({
    type: 'query',
    id,
    flags: q.recursionDesired ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ type, name: q.name, class: 'IN' }],
    ...(q.clientSubnet ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0, options: [clientSubnetOption(q.clientSubnet)] } as unknown as dnsPacket.Answer] } : {}),
  });
  return new Promise<ProbeResult>((resolve) => {
    const socket = createSocket(isIPv6(q.server) ? 'udp6' : 'udp4');
    const sentAt = monoMs();
    let done = false;
    const finish = (r: Omit<ProbeResult, 'latencyMs'>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve({ ...r, latencyMs: monoMs() - sentAt });
    };
    const timer = setTimeout(() => finish({ outcome: 'timeout', answers: [], error: `no answer within ${q.timeoutMs} ms` }), q.timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ outcome: err.code === 'ECONNREFUSED' ? 'refused' : 'error', answers: [], error: err.code ?? err.message }));
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
      const records = (decoded.answers ?? []).filter((rr) => rr.type === type);
      const opt = (decoded.additionals ?? []).find((rr) => rr.type === 'OPT') as dnsPacket.OptAnswer | undefined;
      const ecs = opt?.options?.find((o) => o.code === 8) as { scopePrefixLength?: number } | undefined;
      const r: Omit<ProbeResult, 'latencyMs'> = { outcome: 'answer', rcode, answers: records.map(answerText) };
      if (records.length > 0) r.ttl = (records[0] as { ttl?: number }).ttl;
      if (ecs?.scopePrefixLength !== undefined) r.scope = ecs.scopePrefixLength;
      finish(r);
    });
    socket.connect(q.port ?? 53, q.server, () => {
      socket.send(packet, (err) => {
        if (err) finish({ outcome: 'error', answers: [], error: (err as NodeJS.ErrnoException).code ?? err.message });
      });
    });
  });
}

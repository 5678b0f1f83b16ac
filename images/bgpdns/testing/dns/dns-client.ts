/** Test/bench helpers: build queries with dns-packet, send them over UDP from a chosen source, decode answers. */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

export interface QuerySpec {
  name: string;
  type: string | number;
  id?: number;
  rd?: boolean;
  qclass?: number;
  /** Adds an OPT record (RFC 6891) with this UDP size. */
  edns?: { udpSize?: number; dnssecOk?: boolean; ecs?: { family: number; sourcePrefix: number; address: string } };
}

export function buildQuery(q: QuerySpec): Buffer {
  const packet: dnsPacket.Packet = {
    type: 'query',
    id: q.id ?? Math.floor(Math.random() * 65536),
    flags: q.rd ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ name: q.name, type: (typeof q.type === 'number' ? `TYPE${q.type}` : q.type) as dnsPacket.RecordType, class: (q.qclass === 3 ? 'CH' : 'IN') as dnsPacket.RecordClass }],
  };
  if (q.edns) {
    const options: dnsPacket.PacketOpt[] = [];
    if (q.edns.ecs) options.push({ code: 8, family: q.edns.ecs.family, sourcePrefixLength: q.edns.ecs.sourcePrefix, scopePrefixLength: 0, ip: q.edns.ecs.address } as unknown as dnsPacket.PacketOpt);
    packet.additionals = [{ type: 'OPT', name: '.', udpPayloadSize: q.edns.udpSize ?? 1232, flags: q.edns.dnssecOk ? dnsPacket.DNSSEC_OK : 0, options } as dnsPacket.OptAnswer];
  }
  return dnsPacket.encode(packet);
}

/** Sends one UDP query from `from` (any 127.x address works on Linux loopback) and waits for the reply. */
export function queryUdp(server: { host: string; port: number }, packet: Buffer, opts: { from?: string; timeoutMs?: number } = {}): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    const done = (v: Buffer | null) => {
      clearTimeout(timer);
      sock.close();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), opts.timeoutMs ?? 1000);
    sock.on('error', (e) => {
      clearTimeout(timer);
      sock.close();
      reject(e);
    });
    sock.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === packet.readUInt16BE(0)) done(msg);
    });
    sock.bind(0, opts.from, () => sock.send(packet, server.port, server.host));
  });
}

export function queryTcp(server: { host: string; port: number }, packet: Buffer, timeoutMs = 2000, from?: string): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const sock = net.connect({ port: server.port, host: server.host, localAddress: from });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => finish(null), timeoutMs);
    const finish = (v: Buffer | null) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(packet.length);
      sock.write(Buffer.concat([len, packet]));
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) finish(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    sock.on('error', () => finish(null));
  });
}

export interface NormalRr {
  text: string;
  ttl: number;
}

export interface NormalResponse {
  rcode: string;
  flags: { aa: boolean; tc: boolean; rd: boolean; ra: boolean; qr: boolean };
  question: string;
  answer: NormalRr[];
  authority: NormalRr[];
  additional: NormalRr[];
}

function rrText(r: dnsPacket.Answer): NormalRr {
  const data = (r as { data?: unknown }).data;
  const rendered = JSON.stringify(data, (_k, v) => {
    if (v && typeof v === 'object' && v.type === 'Buffer' && Array.isArray(v.data)) return Buffer.from(v.data).toString('hex');
    if (typeof v === 'string') return v.toLowerCase();
    return v;
  });
  return { text: `${r.name.toLowerCase()} ${r.type} ${rendered}`, ttl: (r as { ttl?: number }).ttl ?? 0 };
}

/** A response as sets: names lowercased, records sorted, OPT left out (compare it separately). */
export function normalize(msg: Buffer): NormalResponse {
  let p: dnsPacket.Packet;
  try {
    p = dnsPacket.decode(msg);
  } catch (e) {
    // Keep what the header says so a comparison still shows rcode, flags and counts.
    const f = msg.readUInt16BE(2);
    const counts = [6, 8, 10].map((o) => msg.readUInt16BE(o)).join('/');
    return {
      rcode: `rcode ${f & 0xf} (undecodable: ${(e as Error).message})`,
      flags: { qr: !!(f & 0x8000), aa: !!(f & 0x400), tc: !!(f & 0x200), rd: !!(f & 0x100), ra: !!(f & 0x80) },
      question: '',
      answer: [{ text: `counts ${counts}, ${msg.length} bytes`, ttl: 0 }],
      authority: [],
      additional: [],
    };
  }
  const f = p.flags ?? 0;
  const sorted = (rrs: dnsPacket.Answer[] | undefined) =>
    (rrs ?? [])
      .filter((r) => r.type !== 'OPT')
      .map(rrText)
      .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  return {
    rcode: (p as { rcode?: string }).rcode ?? 'NOERROR',
    flags: { qr: p.type === 'response', aa: !!(f & 0x400), tc: !!(f & 0x200), rd: !!(f & 0x100), ra: !!(f & 0x80) },
    question: (p.questions ?? []).map((q) => `${q.name.toLowerCase()} ${q.type}`).join(','),
    answer: sorted(p.answers),
    authority: sorted(p.authorities),
    additional: sorted(p.additionals),
  };
}

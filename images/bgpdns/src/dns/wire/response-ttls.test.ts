/** The packet cache's walk of an upstream answer: TTL places, smallest TTL, RFC 2308 negative TTL, and every way it refuses. */
import test from 'ava';
import dnsPacket from 'dns-packet';
import { ageTtls, walkResponseTtls } from './response-ttls.js';

const soa = (ttl: number, minimum: number): dnsPacket.Answer => ({
  name: 'lab.example',
  type: 'SOA',
  ttl,
  data: { mname: 'ns.lab.example', rname: 'hostmaster.lab.example', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum },
});
const opt = (options: unknown[] = []) => ({ name: '.', type: 'OPT', udpPayloadSize: 1232, flags: dnsPacket.DNSSEC_OK, options }) as unknown as dnsPacket.Answer;

function message(p: Partial<dnsPacket.Packet>): Buffer {
  return dnsPacket.encode({ type: 'response', id: 1, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{ name: 'www.lab.example', type: 'A' }], ...p });
}

test('TTL places of every record but OPT, the smallest TTL, and aging lowers each, not below 0', (t) => {
  const m = message({
    answers: [
      { name: 'www.lab.example', type: 'A', ttl: 300, data: '198.18.1.1' },
      { name: 'www.lab.example', type: 'A', ttl: 300, data: '198.18.1.2' },
    ],
    authorities: [{ name: 'lab.example', type: 'NS', ttl: 40, data: 'ns.lab.example' }],
    additionals: [{ name: 'ns.lab.example', type: 'A', ttl: 3600, data: '198.18.0.53' }, opt()],
  });
  const w = walkResponseTtls(m)!;
  t.is(w.ttlOffsets.length, 4);
  t.is(w.minTtl, 40);
  t.is(w.negativeTtl, null);
  t.false(w.clientSubnet);
  const optFlagsBefore = m.readUInt32BE(m.length - 6);
  ageTtls(m, w.ttlOffsets, 100);
  const d = dnsPacket.decode(m);
  t.deepEqual([...d.answers!, ...d.authorities!, d.additionals![0]].map((r) => (r as { ttl: number }).ttl), [200, 200, 0, 3500]);
  t.is(m.readUInt32BE(m.length - 6), optFlagsBefore, 'the OPT "TTL" (EDNS flags, DO) is untouched');
});

test('negative TTL is min(SOA TTL, MINIMUM) of the authority SOA; a client subnet option in the OPT is seen', (t) => {
  t.is(walkResponseTtls(message({ authorities: [soa(300, 60)] }))!.negativeTtl, 60);
  t.is(walkResponseTtls(message({ authorities: [soa(30, 600)] }))!.negativeTtl, 30);
  // A TTL with the top bit set counts as 0 (RFC 2181 §8).
  t.is(walkResponseTtls(message({ authorities: [soa(0x80000000, 600)] }))!.negativeTtl, 0);
  const ecs = walkResponseTtls(message({ additionals: [opt([{ code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 24, ip: '198.18.64.0' }])] }))!;
  t.true(ecs.clientSubnet);
});

test('refused, so never cached: trailing bytes, a cut record, a forward or looping pointer, two OPTs, OPT outside additional, a broken OPT option, a short SOA; TSIG is flagged', (t) => {
  const good = message({ answers: [{ name: 'www.lab.example', type: 'A', ttl: 300, data: '198.18.1.1' }] });
  t.truthy(walkResponseTtls(good));
  t.is(walkResponseTtls(Buffer.concat([good, Buffer.from([0])])), null, 'trailing byte');
  t.is(walkResponseTtls(good.subarray(0, good.length - 1)), null, 'cut rdata');
  const forward = Buffer.from(good);
  // The answer's owner (right after the 33-byte header + question) points at itself: no progress, refused.
  forward.writeUInt16BE(0xc000 | 33, 33);
  t.is(walkResponseTtls(forward), null, 'pointer not pointing backwards');
  t.is(walkResponseTtls(message({ additionals: [opt(), opt()] })), null, 'two OPTs');
  t.is(walkResponseTtls(message({ answers: [opt()] })), null, 'OPT in the answer section');
  const badOption = message({ additionals: [opt([{ code: 10, data: Buffer.from('0123456789abcdef', 'hex') }])] });
  // Claim a longer option than the OPT rdata holds.
  badOption.writeUInt16BE(20, badOption.length - 8 - 2);
  t.is(walkResponseTtls(badOption), null, 'option past the OPT rdata');
  const shortSoa = message({ authorities: [soa(300, 300)] });
  const rdlenAt = 33 + 13 + 8;
  shortSoa.writeUInt16BE(20, rdlenAt);
  t.is(walkResponseTtls(shortSoa.subarray(0, rdlenAt + 2 + 20)), null, 'SOA rdata too short for its fields');
  const tsig = message({ additionals: [{ name: 'key.lab.example', type: 'TXT', ttl: 0, data: 'x' }] });
  // Its TYPE: before CLASS, TTL, RDLENGTH and the 2-byte rdata.
  tsig.writeUInt16BE(250, tsig.length - 2 - 2 - 4 - 2 - 2);
  t.true(walkResponseTtls(tsig)!.signed);
});

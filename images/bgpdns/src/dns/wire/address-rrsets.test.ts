import test from 'ava';
import dnsPacket from 'dns-packet';
import { applyOrder, scanAddressRrsets } from './address-rrsets.js';

function response(answers: dnsPacket.Answer[]): Buffer {
  return dnsPacket.encode({ type: 'response', id: 9, flags: 0, questions: [{ name: 'www.lab.example', type: 'A', class: 'IN' }], answers });
}

test('finds the A and AAAA RRsets of the answer, per owner, after a CNAME', (t) => {
  const msg = response([
    { name: 'www.lab.example', type: 'CNAME', ttl: 60, data: 'srv.lab.example' },
    { name: 'srv.lab.example', type: 'A', ttl: 30, data: '198.18.1.1' },
    { name: 'srv.lab.example', type: 'A', ttl: 30, data: '198.18.2.1' },
    { name: 'srv.lab.example', type: 'AAAA', ttl: 30, data: '2001:db8::1' },
    { name: 'srv.lab.example', type: 'AAAA', ttl: 30, data: '2001:db8::2' },
    { name: 'other.lab.example', type: 'A', ttl: 30, data: '198.18.3.1' },
  ]);
  const scan = scanAddressRrsets(msg)!;
  t.deepEqual(scan.rrsets.map((r) => r.candidates), [['198.18.1.1', '198.18.2.1'], ['2001:db8::1', '2001:db8::2']]);
  t.is(scan.unsortable, 0);
});

test('applyOrder permutes only rdata; every other byte stays', (t) => {
  const msg = response([
    { name: 'www.lab.example', type: 'A', ttl: 30, data: '198.18.1.1' },
    { name: 'www.lab.example', type: 'A', ttl: 30, data: '198.18.2.1' },
    { name: 'www.lab.example', type: 'A', ttl: 30, data: '198.18.3.1' },
  ]);
  const before = Buffer.from(msg);
  const [rrset] = scanAddressRrsets(msg)!.rrsets;
  applyOrder(msg, rrset, [2, 0, 1]);
  t.deepEqual((dnsPacket.decode(msg).answers as { data: string }[]).map((a) => a.data), ['198.18.3.1', '198.18.1.1', '198.18.2.1']);
  const changed = [...msg].map((b, i) => (b !== before[i] ? i : -1)).filter((i) => i >= 0);
  t.true(changed.every((i) => rrset.rdataOffsets.some((o) => i >= o && i < o + 4)));
});

test('an RRset whose TTLs differ is left alone and counted', (t) => {
  const msg = response([
    { name: 'www.lab.example', type: 'A', ttl: 30, data: '198.18.1.1' },
    { name: 'www.lab.example', type: 'A', ttl: 31, data: '198.18.2.1' },
  ]);
  const scan = scanAddressRrsets(msg)!;
  t.is(scan.rrsets.length, 0);
  t.is(scan.unsortable, 1);
});

test('a message that cannot be walked gives null (passed on untouched)', (t) => {
  const msg = response([{ name: 'www.lab.example', type: 'A', ttl: 30, data: '198.18.1.1' }]);
  t.is(scanAddressRrsets(msg.subarray(0, msg.length - 2)), null);
  // The answer's owner name (offset 33) points at itself.
  const loop = Buffer.from(msg);
  loop.writeUInt16BE(0xc000 | 33, 33);
  t.is(scanAddressRrsets(loop), null);
  t.is(scanAddressRrsets(Buffer.alloc(5)), null);
});

/**
 * UPDATE decode throughput of the bgp/ codec, and of a full Session (framer,
 * FSM, batching) on the same bytes. Table: synthetic, lab ranges only
 * (IPv4 is at most 262,143 prefixes inside 198.18.0.0/15; the rest is IPv6).
 *
 *   node --import tsx bench/bgp-decode.ts [--ipv4 N] [--ipv6 N] [--rounds N]
 *
 * Last stdout line: one JSON object with prefixes/s figures.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { syntheticTable, UpdatePacker } from '@bgpdns-lab/bgpdns/sorter';
import { Framer, decodeUpdate, Session, encodeOpen, encodeKeepalive, CapabilityCode, Afi, Safi } from '@bgpdns-lab/bgpdns/bgp';
import { RecordingTransport } from '@bgpdns-lab/bgpdns/testing';
import { median } from '@bgpdns-lab/harness';

const { values } = parseArgs({ options: { ipv4: { type: 'string', default: '262143' }, ipv6: { type: 'string', default: '737857' }, rounds: { type: 'string', default: '3' } } });
const ipv4 = Number(values.ipv4);
const ipv6 = Number(values.ipv6);
const rounds = Number(values.rounds);

const table = syntheticTable({ ipv4, ipv6, seed: 1 });
const packer = new UpdatePacker(table, {
  localAs: 64496, ebgp: true, ctx: { fourOctetAs: true }, maxMessageLength: 4096, nextHop4: '198.18.0.1', nextHop6: '2001:db8::1',
});
const batches: Uint8Array[] = [];
for (let b = packer.next(); b; b = packer.next()) batches.push(b);
const total = packer.sentPrefixes;

function codecRound(): number {
  const started = performance.now();
  const framer = new Framer();
  let seen = 0;
  let lengthSum = 0;
  const visit = (_afi: number, _buf: Uint8Array, _off: number, len: number): void => {
    seen++;
    lengthSum += len;
  };
  for (const b of batches) {
    framer.push(b);
    for (let m = framer.next(); m; m = framer.next()) decodeUpdate(m, { fourOctetAs: true }).forEachAnnounced(visit);
  }
  if (seen !== total || lengthSum === 0) throw new Error(`decoded ${seen} of ${total}`);
  return performance.now() - started;
}

async function sessionRound(): Promise<number> {
  const session = new Session({ localAs: 64500, peerAs: 64496, routerId: '198.18.0.2', mode: 'passive', holdTime: 90 });
  session.start();
  const conn = session.attach(new RecordingTransport(), true);
  conn.onBytes(encodeOpen({ version: 4, myAs: 64496, holdTime: 90, bgpId: '198.18.0.1', capabilities: [
    { code: CapabilityCode.Multiprotocol, afi: Afi.IPv4, safi: Safi.Unicast },
    { code: CapabilityCode.Multiprotocol, afi: Afi.IPv6, safi: Safi.Unicast },
    { code: CapabilityCode.FourOctetAs, asn: 64496 },
  ] }));
  conn.onBytes(encodeKeepalive());
  let seen = 0;
  const visit = (): void => {
    seen++;
  };
  session.on('update', (u) => u.forEachAnnounced(visit));
  const started = performance.now();
  await new Promise<void>((resolve) => {
    session.on('update', () => {
      if (seen === total) resolve();
    });
    for (const b of batches) conn.onBytes(b);
  });
  const ms = performance.now() - started;
  session.stop();
  return ms;
}

const codecMs: number[] = [];
const sessionMs: number[] = [];
for (let r = 0; r < rounds; r++) {
  codecMs.push(codecRound());
  sessionMs.push(await sessionRound());
}
const figures = {
  prefixes: total,
  ipv4,
  ipv6,
  updates: packer.messages,
  bytes: batches.reduce((n, b) => n + b.length, 0),
  codec_ms: Math.round(median(codecMs)),
  codec_prefixes_per_s: Math.round(total / (median(codecMs) / 1000)),
  session_ms: Math.round(median(sessionMs)),
  session_prefixes_per_s: Math.round(total / (median(sessionMs) / 1000)),
};
console.log(JSON.stringify({ bench: 'bgp-decode', figures }));

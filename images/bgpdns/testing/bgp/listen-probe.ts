/**
 * A listen-only speaker for interop tests: accepts the configured peers and
 * prints one JSON line per event (established, routes, endOfRib, down) on stdout.
 *
 *   node --import tsx listen-probe.ts '{"routerId":"198.18.10.1","localAs":64500,"peers":[{"address":"198.18.10.2","peerAs":4200000001}]}'
 */
import { BgpSpeaker } from '../../src/bgp/tcp.js';
import { Afi } from '../../src/bgp/types.js';
import { copyPrefix, prefixToString } from '../../src/bgp/nlri.js';

interface ProbeConfig {
  routerId: string;
  localAs: number;
  port?: number;
  holdTime?: number;
  peers: { address: string; peerAs: number }[];
}

const config = JSON.parse(process.argv[2] ?? '{}') as ProbeConfig;
const out = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};
const speaker = new BgpSpeaker({ onRejected: (remote) => out({ event: 'rejected', remote }) });
for (const p of config.peers) {
  const session = speaker.addPeer({
    address: p.address, peerAs: p.peerAs, localAs: config.localAs, routerId: config.routerId, mode: 'passive', holdTime: config.holdTime ?? 9,
  });
  session.on('established', (n) => out({
    event: 'established', peer: p.address, holdTime: n.holdTime, fourOctetAs: n.fourOctetAs, peerAs: n.peer.asn,
    families: n.families.map((a) => (a === Afi.IPv4 ? 'ipv4' : 'ipv6')), extendedMessage: n.extendedMessage,
  }));
  session.on('update', (u) => {
    const prefixes: string[] = [];
    u.forEachAnnounced((afi, buf, off, len) => prefixes.push(prefixToString(copyPrefix(afi, buf, off, len))));
    const withdrawn: string[] = [];
    u.forEachWithdrawn((afi, buf, off, len) => withdrawn.push(prefixToString(copyPrefix(afi, buf, off, len))));
    out({
      event: 'update', peer: p.address, prefixes, withdrawn, asPath: u.attrs.asPath.flatMap((s) => s.asns),
      nextHop: u.attrs.nextHop, nextHopLinkLocal: u.attrs.nextHopLinkLocal, issues: u.issues.map((i) => i.reason),
    });
  });
  session.on('endOfRib', (afi) => out({ event: 'endOfRib', peer: p.address, afi: afi === Afi.IPv4 ? 'ipv4' : 'ipv6' }));
  session.on('down', (d) => out({ event: 'down', peer: p.address, reason: d.reason }));
}
const info = await speaker.listen(config.port ?? 179, '::');
out({ event: 'listening', port: info.port });
const stop = (): void => {
  void speaker.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

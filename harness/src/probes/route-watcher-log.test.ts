import test from 'ava';
import { FrrLogParser, logStampToEpoch } from './route-watcher-log.js';

const identity = (x: number) => x;
const at = (s: string) => logStampToEpoch(...(s.match(/(\d+)\/(\d+)\/(\d+) (\d+):(\d+):(\d+)\.(\d+)/)!.slice(1) as [string, string, string, string, string, string, string]));

const log = `2026/11/22 00:04:21.661 BGP: [YCKEM-GB33T] 198.18.254.1(r1) rcvd 198.18.100.0/24 IPv4 unicast
2026/11/22 00:04:21.711 BGP: [V15FP-4CPVK] Tx route add VRF 0 198.18.100.0/24 metric 0 tag 0 count 2 nhg 0
2026/11/22 00:04:21.711 BGP: [JQXM8-V0CKB]   nhop [1]: 198.18.254.1 if 0 VRF 0 wt 0   
2026/11/22 00:04:21.711 BGP: [JQXM8-V0CKB]   nhop [2]: 198.18.254.9 if 0 VRF 0 wt 0   
2026/11/22 00:04:21.712 BGP: [JMVGR-VQ1M1] bgp_zebra_announce: 198.18.100.0/24: announcing to zebra (recursion NOT set)
2026/11/22 00:04:24.650 BGP: [PXVXG-TFNNT] %ADJCHANGE: neighbor 198.18.254.1(r1) in vrf default Down Interface down
2026/11/22 00:04:24.710 BGP: [G7K80-KF0HM] Tx route delete VRF 0 198.18.100.0/24
2026/11/22 00:04:25.670 BGP: [N9HHH-F8H1M] %ADJCHANGE: neighbor 2001:db8:1::1 in vrf default Up
2026/11/22 00:04:26.000 BGP: [V15FP-4CPVK] Tx route add VRF 0 2001:db8:100::/48 metric 0 tag 0 count 1 nhg 0
2026/11/22 00:04:26.000 BGP: [JQXM8-V0CKB]   nhop [1]: 2001:db8:1::1 if 3 VRF 0 wt 0`;

test('parses installs with their next hops, deletes and session changes', (t) => {
  const p = new FrrLogParser(identity);
  const events = [...log.split('\n').flatMap((l) => p.push(l)), ...p.flush()];
  t.deepEqual(events, [
    { kind: 'route-install', at: at('2026/11/22 00:04:21.711'), prefix: '198.18.100.0/24', nexthops: ['198.18.254.1', '198.18.254.9'] },
    { kind: 'session', at: at('2026/11/22 00:04:24.650'), peer: '198.18.254.1', state: 'down', reason: 'Interface down' },
    { kind: 'route-delete', at: at('2026/11/22 00:04:24.710'), prefix: '198.18.100.0/24' },
    { kind: 'session', at: at('2026/11/22 00:04:25.670'), peer: '2001:db8:1::1', state: 'up' },
    { kind: 'route-install', at: at('2026/11/22 00:04:26.000'), prefix: '2001:db8:100::/48', nexthops: ['2001:db8:1::1'] },
  ]);
});

test('millisecond stamps map to epoch ms in local time', (t) => {
  t.is(logStampToEpoch('2026', '11', '22', '00', '04', '21', '711') - logStampToEpoch('2026', '11', '22', '00', '04', '21', '000'), 711);
  t.is(logStampToEpoch('2026', '11', '22', '00', '04', '21', '5'), logStampToEpoch('2026', '11', '22', '00', '04', '21', '500'));
  t.is(logStampToEpoch('2026', '11', '22', '00', '04', '21', '711250') - logStampToEpoch('2026', '11', '22', '00', '04', '21'), 711.25);
  t.is(logStampToEpoch('2026', '01', '02', '03', '04', '05'), new Date(2026, 0, 2, 3, 4, 5).getTime());
});

test('lines it does not know, and non-log text, yield nothing', (t) => {
  const p = new FrrLogParser(identity);
  t.deepEqual(p.push('garbage'), []);
  t.deepEqual(p.push('2026/11/22 00:04:20.623 BGP: [HTQD2-0R1WR][EC 33554451] bgp_process_packet: BGP OPEN receipt failed'), []);
  t.deepEqual(p.push('  nhop [1]: 198.18.254.1 if 0 VRF 0 wt 0'), []);
});

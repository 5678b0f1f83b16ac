import test from 'ava';
import { daemonConfig, parseDaemonsFile, splitFrrConfig } from './frr-config.js';

test('an integrated config splits into zebra, bgpd, staticd and bfdd files', (t) => {
  const s = splitFrrConfig(`frr version 8.4.4
frr defaults traditional
hostname isp1
log syslog informational
log file /var/log/frr/frr.log
service integrated-vtysh-config
!
interface eth1
 ip address 198.18.0.1/31
 ip ospf cost 10
exit
!
ip route 198.18.16.0/20 blackhole
!
ip prefix-list ANY seq 5 permit any
!
route-map OUT permit 10
 set local-preference 200
exit
!
router bgp 64500
 no bgp ebgp-requires-policy
 neighbor 198.18.0.0 remote-as 64501
 neighbor 198.18.0.0 bfd
 address-family ipv4 unicast
  network 198.18.16.0/20
 exit-address-family
exit
!
bfd
 peer 198.18.0.0
 exit
exit
!
debug bgp neighbor-events
end
`);
  t.deepEqual(s.errors, []);
  t.is(s.hostname, 'isp1');
  t.deepEqual([...s.needed].sort(), ['bfdd', 'bgpd', 'ospfd', 'staticd', 'zebra']);
  t.deepEqual(s.common, ['frr version 8.4.4', 'frr defaults traditional', 'log syslog informational']);
  t.deepEqual(s.perDaemon.get('zebra'), ['interface eth1', ' ip address 198.18.0.1/31', 'exit']);
  t.deepEqual(s.perDaemon.get('ospfd'), ['interface eth1', ' ip ospf cost 10', 'exit']);
  t.deepEqual(s.perDaemon.get('staticd'), ['ip route 198.18.16.0/20 blackhole']);
  t.deepEqual(s.perDaemon.get('bfdd'), ['bfd', ' peer 198.18.0.0', ' exit', 'exit']);
  const bgpd = s.perDaemon.get('bgpd')!;
  t.true(bgpd.includes('ip prefix-list ANY seq 5 permit any'));
  t.true(bgpd.includes(' set local-preference 200'));
  t.true(bgpd.includes('  network 198.18.16.0/20'));
  t.true(bgpd.includes('debug bgp neighbor-events'));
  t.deepEqual(s.bfdNeighborLines, [24]);
  t.deepEqual(s.warnings.map((w) => w.line), [5]);
});

test('unindented block bodies stay in their block until a top-level command', (t) => {
  const s = splitFrrConfig(`router bgp 65001
no bgp ebgp-requires-policy
neighbor 198.18.0.1 remote-as 65002
!
address-family ipv4 unicast
network 198.19.0.1/32
exit-address-family
!
ip route 198.19.0.0/16 blackhole
`);
  t.deepEqual(s.perDaemon.get('bgpd'), [
    'router bgp 65001',
    ' no bgp ebgp-requires-policy',
    ' neighbor 198.18.0.1 remote-as 65002',
    ' address-family ipv4 unicast',
    ' network 198.19.0.1/32',
    ' exit-address-family',
    'exit',
  ]);
  t.deepEqual(s.perDaemon.get('staticd'), ['ip route 198.19.0.0/16 blackhole']);
});

test('an unindented exit leaves a nested address-family first, then the block', (t) => {
  const s = splitFrrConfig(`router bgp 65001
address-family ipv4 unicast
network 198.19.0.1/32
exit
neighbor 198.18.0.1 remote-as 65002
exit
ip route 198.19.0.0/16 blackhole
`);
  t.deepEqual(s.perDaemon.get('bgpd'), ['router bgp 65001', ' address-family ipv4 unicast', ' network 198.19.0.1/32', ' exit', ' neighbor 198.18.0.1 remote-as 65002', 'exit']);
  t.deepEqual(s.perDaemon.get('staticd'), ['ip route 198.19.0.0/16 blackhole']);
  t.deepEqual(s.warnings, []);
});

test('a router for a daemon we do not run is an error with its line', (t) => {
  const s = splitFrrConfig('hostname r1\n!\nrouter rip\n network eth1\n');
  t.deepEqual(s.errors, [{ line: 3, message: '"router rip" needs ripd, which the frr kind does not run (it runs zebra, bgpd, staticd, bfdd, ospfd, ospf6d)' }]);
});

test('an unknown top-level command goes to zebra with a warning naming the line', (t) => {
  const s = splitFrrConfig('hostname r1\nfrobnicate on\n');
  t.deepEqual(s.perDaemon.get('zebra'), ['frobnicate on']);
  t.is(s.warnings[0].line, 2);
});

test('each daemon file has a hostname, the node log file and millisecond timestamps', (t) => {
  const s = splitFrrConfig('router bgp 65001\n');
  const text = daemonConfig(s, 'bgpd', { hostname: 'r1', logFile: '/run/bgpdns-lab/h1x/r1/frr.log' });
  t.regex(text, /^hostname r1$/m);
  t.regex(text, /^log file \/run\/bgpdns-lab\/h1x\/r1\/frr\.log$/m);
  t.regex(text, /^log timestamp precision 3$/m);
  t.regex(text, /^router bgp 65001$/m);
});

test('daemons file: yes/no lines, quotes, comments; zebra always on', (t) => {
  const { enabled } = parseDaemonsFile('# comment\nbgpd=yes\nospfd=no\nbfdd="yes"\nvtysh_enable=yes\nzebra_options="  -A 127.0.0.1 -s 90000000"\n');
  t.deepEqual([...enabled].sort(), ['bfdd', 'bgpd', 'zebra']);
});

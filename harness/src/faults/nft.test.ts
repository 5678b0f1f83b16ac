import test from 'ava';
import { faultTableName, ifaceRuleset } from './nft.js';

test('table names carry the lab, sanitised for nft', (t) => {
  t.regex(faultTableName('mh-failover'), /^bgpdnslab_mh_failover_\d+_\d+$/);
  t.not(faultTableName('x'), faultTableName('x'));
});

test('a whole-interface drop has one rule per chain', (t) => {
  t.is(
    ifaceRuleset('tb', 'eth1', 'drop', 'in'),
    'table inet tb {\n  chain ingress {\n    type filter hook prerouting priority -300; policy accept;\n    iifname "eth1" drop\n  }\n}\n',
  );
  const both = ifaceRuleset('tb', 'eth1', 'drop', 'both');
  t.regex(both, /chain ingress[^}]*iifname "eth1" drop/);
  t.regex(both, /chain egress_local \{\n    type filter hook output[^}]*oifname "eth1" drop/);
  t.regex(both, /chain egress_fwd \{\n    type filter hook forward[^}]*oifname "eth1" drop/);
});

test('peers become saddr matches inbound and daddr matches outbound, per family', (t) => {
  const r = ifaceRuleset('tb', 'eth2', 'numgen random mod 100 < 5 drop', 'both', ['198.18.1.1', '198.18.1.5', '2001:db8::1']);
  t.regex(r, /iifname "eth2" ip saddr \{ 198\.18\.1\.1, 198\.18\.1\.5 \} numgen random mod 100 < 5 drop\n/);
  t.regex(r, /iifname "eth2" ip6 saddr \{ 2001:db8::1 \} numgen/);
  t.regex(r, /oifname "eth2" ip daddr \{ 198\.18\.1\.1, 198\.18\.1\.5 \} numgen/);
  t.regex(r, /oifname "eth2" ip6 daddr \{ 2001:db8::1 \} numgen/);
});

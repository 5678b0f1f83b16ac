import test from 'ava';
import { parseLinkLine } from './link-watch.js';

test('link monitor lines: carrier loss, admin down, deletion and recovery', (t) => {
  t.deepEqual(
    parseLinkLine('5: eth1@if4: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default \\    link/ether 3a:1b:2c:3d:4e:5f brd ff:ff:ff:ff:ff:ff link-netns h4-up1'),
    { ifname: 'eth1', up: false },
  );
  t.deepEqual(parseLinkLine('5: eth1@if4: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default'), { ifname: 'eth1', up: false });
  t.deepEqual(parseLinkLine('Deleted 5: eth1@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP'), { ifname: 'eth1', up: false });
  t.deepEqual(parseLinkLine('5: eth1@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT'), { ifname: 'eth1', up: true });
  t.is(parseLinkLine('garbage'), undefined);
});

import test from 'ava';
import path from 'node:path';
import { addVtyRoute, vtyClient, vtySocketsConnected } from '../../frr/frr-control.js';
import { LAB_ROOT } from '../lab-state.js';
import { ExecVty, remoteVtyRoute } from './remote-vty.js';

const nodes: Record<string, { id: string; endpoint?: string; host?: string }> = {
  'mh17-rv/c1': { id: 'c1id', endpoint: 'unix:///run/bgpdns-lab-hosts/x/host2/docker.sock', host: 'host2' },
  'mh17-rv/local': { id: 'localid' },
};
const route = remoteVtyRoute((lab, node) => nodes[`${lab}/${node}`]);
const sock = (node: string, daemon = 'bgpd') => path.join(LAB_ROOT, 'mh17-rv', node, `${daemon}.vty`);

test('a vty socket of a node on another host is reached through its host, not connected', (t) => {
  t.true(route(sock('c1')) instanceof ExecVty);
  t.true(route(sock('c1', 'bfdd')) instanceof ExecVty);
  t.is(route(sock('local')), undefined, 'a node on the harness\'s own engine keeps its socket');
  t.is(route(sock('nope')), undefined, 'an unknown node is left alone');
  t.is(route('/tmp/elsewhere/bgpd.vty'), undefined, 'outside the lab directories');
  t.is(route(path.join(LAB_ROOT, 'mh17-rv', 'c1', 'frr.log')), undefined, 'not a vty socket');
});

test('vtyClient takes the route, and the socket is not among those this process connected to', (t) => {
  addVtyRoute(route);
  t.true(vtyClient(sock('c1')) instanceof ExecVty);
  t.false(vtySocketsConnected().includes(sock('c1')));
  t.false(vtyClient(sock('local')) instanceof ExecVty);
  t.true(vtySocketsConnected().includes(sock('local')), 'a local socket is recorded when its client is made');
});

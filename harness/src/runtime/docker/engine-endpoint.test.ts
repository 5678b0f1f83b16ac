import test from 'ava';
import { endpointOptions } from './engine.js';

test('a Docker endpoint is written as DOCKER_HOST is: unix, tcp or ssh', (t) => {
  t.deepEqual(endpointOptions('unix:///run/bgpdns-lab-hosts/mh2/host1/docker.sock'), { socketPath: '/run/bgpdns-lab-hosts/mh2/host1/docker.sock' });
  t.deepEqual(endpointOptions('tcp://edge:2376'), { host: 'edge', port: 2376, protocol: 'http' });
  t.deepEqual(endpointOptions('tcp://edge'), { host: 'edge', port: 2375, protocol: 'http' });
  t.deepEqual(endpointOptions('ssh://lab@edge'), { host: 'edge', port: 22, protocol: 'ssh', username: 'lab' });
});

test('an endpoint dockerode cannot speak is an error naming it', (t) => {
  t.throws(() => endpointOptions('http://edge'), { message: 'Docker endpoint "http://edge": scheme http is not one dockerode speaks (unix, tcp, ssh)' });
  t.throws(() => endpointOptions('edge:2375'), { message: /Docker endpoint "edge:2375"/ });
  t.throws(() => endpointOptions('not a url'), { message: /is not a URL; write unix:\/\/\/path\/docker.sock, tcp:\/\/host:port or ssh:\/\/user@host/ });
});

/**
 * The upstream-failover story (link cut, silent drop, BFD) on the Docker
 * runtime: the same lab file, the same scenario code, every node a container
 * from the offline images, links as veths in the containers' namespaces.
 * One trial per part: the netns run (upstream-failover.test.ts) carries the
 * statistics; this one shows the two runtimes behave alike.
 */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './upstream-failover.js';

avaScenario(test, { ...scenario, lab: { ...scenario.lab, name: 'h7-mh-failover' } }, { runtime: 'docker', trials: 1 });

/**
 * The BGPDNS link-cut story (see bgpdns-link-cut.ts) on the Docker runtime: the
 * c1–isp1 link is cut inside the containers' namespaces and both planes — the
 * sorter's best path and the answers h1 gets — must move within the same SLOs
 * as under netns. One trial; the netns run carries the statistics.
 */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './bgpdns-link-cut.js';

avaScenario(test, { ...scenario, lab: { ...scenario.lab, name: 'h7-mh-cut' } }, { runtime: 'docker', trials: 1 });

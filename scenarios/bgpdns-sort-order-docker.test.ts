/**
 * The BGPDNS sort-order story (see bgpdns-sort-order.ts) on the Docker runtime:
 * the same lab file and scenario, every node a container from the offline
 * images (the sorter and DNS front from the bgpdns image's bundle, unbound from
 * the client image). One trial per part; the netns run carries the statistics.
 */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './bgpdns-sort-order.js';

avaScenario(test, { ...scenario, lab: { ...scenario.lab, name: 'h7-mh-sort' } }, { runtime: 'docker', trials: 1 });

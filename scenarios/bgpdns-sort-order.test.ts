/**
 * The bgpdns-sort-order story under ava (see bgpdns-sort-order.ts): lab "mh-sort",
 * one test per part, the run record written at the end. Trials: BGPDNS_TRIALS (default 3).
 */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './bgpdns-sort-order.js';

avaScenario(test, scenario);

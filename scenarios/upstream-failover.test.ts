/**
 * The upstream-failover story under ava (see upstream-failover.ts): one test per
 * part, the lab "mh-failover" destroyed and the run record written at the end.
 * Trials: BGPDNS_TRIALS (default 3).
 */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './upstream-failover.js';

avaScenario(test, scenario);

/**
 * The anycast-failover story under ava (see anycast-failover.ts): one test per part,
 * the lab "anycast-fo" destroyed and the run record written at the end.
 * Trials: BGPDNS_TRIALS (default 3).
 */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './anycast-failover.js';

avaScenario(test, scenario);

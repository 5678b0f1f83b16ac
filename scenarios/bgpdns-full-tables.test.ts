/**
 * The bgpdns-full-tables story under ava (see bgpdns-full-tables.ts): lab "mh-full",
 * 100,000 prefixes per upstream (BGPDNS_FULL_TABLE for the documented 1,000,000 run).
 * Trials: BGPDNS_TRIALS (default 3).
 */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './bgpdns-full-tables.js';

avaScenario(test, scenario);

/** The bgpdns-more-specific story under ava (see bgpdns-more-specific.ts): lab "m13-ms". Trials: BGPDNS_TRIALS (default 3). */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './bgpdns-more-specific.js';

avaScenario(test, scenario);

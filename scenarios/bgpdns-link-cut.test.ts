/** The bgpdns-link-cut story under ava (see bgpdns-link-cut.ts): lab "mh-cut". Trials: BGPDNS_TRIALS (default 3). */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './bgpdns-link-cut.js';

avaScenario(test, scenario);

/** The bgpdns-silent story under ava (see bgpdns-silent.ts): lab "mh-silent". Trials: BGPDNS_TRIALS (default 3). */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './bgpdns-silent.js';

avaScenario(test, scenario);

/** The bgpdns-more-specific story under ava (see bgpdns-more-specific.ts): lab "m13-ms". Trials: BGPDNS_TRIALS (default 3). */
import test from 'ava';
import { avaScenario } from '../harness/src/scenario/ava.js';
import scenario from './bgpdns-more-specific.js';

avaScenario(test, scenario);

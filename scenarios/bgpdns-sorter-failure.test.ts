/** The bgpdns-sorter-failure story under ava (see bgpdns-sorter-failure.ts): lab "mh-sorterfail". Trials: BGPDNS_TRIALS (default 3). */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './bgpdns-sorter-failure.js';

avaScenario(test, scenario);

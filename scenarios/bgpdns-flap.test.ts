/** The bgpdns-flap story under ava (see bgpdns-flap.ts): lab "mh-flap". Trials (trains): BGPDNS_TRIALS (default 3); BGPDNS_FLAPS, BGPDNS_FLAP_PERIOD_MS. */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './bgpdns-flap.js';

avaScenario(test, scenario);

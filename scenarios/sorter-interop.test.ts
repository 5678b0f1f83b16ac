/**
 * The sorter-interop story under ava (see sorter-interop.ts): one test per part,
 * the lab "h4-interop" destroyed and the run record written at the end.
 * Trials: BGPDNS_TRIALS (default 3).
 */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './sorter-interop.js';

avaScenario(test, scenario);

/**
 * The anycast-flap story under ava (see anycast-flap.ts): one test per part, the lab
 * "anycast-flap" destroyed and the run record written at the end.
 */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './anycast-flap.js';

avaScenario(test, scenario);

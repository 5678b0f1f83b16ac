/**
 * The anycast-health-agent story under ava (see anycast-health-agent.ts): one test per
 * part, the lab "ha14-anycast-health" destroyed and the run record written at the end.
 */
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './anycast-health-agent.js';

avaScenario(test, scenario);

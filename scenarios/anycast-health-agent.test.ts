/**
 * The anycast-health-agent story under ava (see anycast-health-agent.ts): one test per
 * part, the lab "ha14-anycast-health" destroyed and the run record written at the end.
 */
import test from 'ava';
import { avaScenario } from '../harness/src/scenario/ava.js';
import scenario from './anycast-health-agent.js';

avaScenario(test, scenario);

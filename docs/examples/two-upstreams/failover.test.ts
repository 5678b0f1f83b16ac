// The same scenario under ava: one test per part, lab destroyed and run record written at the end.
import test from 'ava';
import { avaScenario } from '@bgpdns-lab/harness';
import scenario from './failover.scenario.js';

avaScenario(test, scenario);

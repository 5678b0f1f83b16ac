/**
 * junit.xml for CI test-report publishers. One <testsuite> per scenario; one
 * <testcase> per measurement (time = the statistic its SLO is judged on, in seconds;
 * every trial in <system-out> and in the suite's properties) and per assertion.
 * Failures carry the SLO and the observed value. A step that threw adds a testcase
 * with an <error>, and so does a run that could not build or tear down its lab. The layout follows the common
 * Ant/Jenkins JUnit structure; harness/src/report/junit.xsd checks it in the tests.
 */
import type { Assertion, Measurement, RunRecord, Step } from '../run/record.js';
import { escapeMarkup as esc, formatSlo, formatValue, judgedStatistic } from './format.js';

/** Seconds with millisecond precision (JUnit times are seconds). */
function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** Ant's timestamp form: ISO 8601 without zone or fraction (the value is UTC). */
function antTimestamp(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19);
}

interface Case {
  xml: string;
  failed: boolean;
  errored: boolean;
  timeMs: number;
}

function trialLines(m: Measurement): string {
  return m.trials.map((t, i) => `trial ${i + 1}: ${t} ${m.unit}`).join('\n');
}

function measurementCase(record: RunRecord, m: Measurement): Case {
  const judged = judgedStatistic(m);
  const observed = `${judged.stat} ${formatValue(judged.value, m.unit)} (${judged.value} ${m.unit})`;
  const slo = m.slo ? `SLO ${formatSlo(m.slo, m.unit)} on ${judged.stat}` : 'no SLO';
  const out = [
    `measurement: ${m.name}`,
    `plane: ${m.plane}`,
    `unit: ${m.unit}`,
    `${slo}${m.slo ? ` (${m.slo.op} ${m.slo.value} ${m.unit})` : ''}`,
    `p50: ${m.p50} ${m.unit}`,
    `p95: ${m.p95} ${m.unit}`,
    `max: ${m.max} ${m.unit}`,
    `testcase time = ${judged.stat}, in seconds`,
    trialLines(m),
  ].join('\n');
  const failure = m.met
    ? ''
    : `<failure type="SLO" message="${esc(`${m.name}: observed ${observed}; ${slo} not met`)}">${esc(`observed ${observed} over ${m.trials.length} trials\n${slo}\n${trialLines(m)}`)}</failure>`;
  const time = m.unit === 'ms' ? judged.value : 0;
  const xml = `<testcase name="${esc(`${m.slo ? 'SLO' : 'measurement'} ${m.name}`)}" classname="${esc(classname(record, m.scenario))}" time="${seconds(time)}">${failure}<system-out>${esc(out)}</system-out></testcase>`;
  return { xml, failed: !m.met, errored: false, timeMs: time };
}

function assertionCase(record: RunRecord, a: Assertion): Case {
  const failure = a.ok ? '' : `<failure type="assertion" message="${esc(a.message ?? a.name)}">${esc(a.message ?? 'assertion failed')}</failure>`;
  const xml = `<testcase name="${esc(`assert ${a.name}`)}" classname="${esc(classname(record, a.scenario))}" time="0.000">${failure}</testcase>`;
  return { xml, failed: !a.ok, errored: false, timeMs: 0 };
}

/** A step that threw is an error even when no assertion recorded it (the story stopped there). */
function stepErrorCase(record: RunRecord, step: Step): Case {
  const message = `step "${step.name}" failed${step.error ? `: ${step.error}` : ''}`;
  const xml = `<testcase name="${esc(`step ${step.name}`)}" classname="${esc(classname(record, step.scenario))}" time="${seconds((step.end ?? step.start) - step.start)}"><error type="step" message="${esc(message)}">${esc(message)}</error></testcase>`;
  return { xml, failed: false, errored: true, timeMs: 0 };
}

function classname(record: RunRecord, scenario: string | undefined): string {
  return `bgpdns-lab.${record.lab}.${scenario ?? 'run'}`;
}

function properties(pairs: [string, string][]): string {
  return `<properties>${pairs.map(([k, v]) => `<property name="${esc(k)}" value="${esc(v)}"/>`).join('')}</properties>`;
}

function suite(record: RunRecord, id: number, name: string, cases: Case[], extra: [string, string][]): string {
  const m = record.machine;
  const props: [string, string][] = [
    ['run', record.run],
    ['lab', record.lab],
    ['runtime', record.runtime],
    ['kernel', m.kernel],
    ['cores', String(m.cores)],
    ['frr', m.frrVersion ?? 'none'],
    ['netem', String(m.netem)],
    ['node', m.node],
    ...extra,
  ];
  const failures = cases.filter((c) => c.failed).length;
  const errors = cases.filter((c) => c.errored).length;
  const time = cases.reduce((s, c) => s + c.timeMs, 0);
  return `<testsuite name="${esc(name)}" id="${id}" package="${esc(`bgpdns-lab.${record.lab}`)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(time)}" timestamp="${antTimestamp(record.startedAt)}" hostname="localhost">
${properties(props)}
${cases.map((c) => c.xml).join('\n')}
<system-out/><system-err/>
</testsuite>`;
}

export function renderJunit(record: RunRecord): string {
  const names = [...record.scenarios];
  const failedSteps = record.steps.filter((s) => s.ok === false);
  for (const x of [...record.measurements, ...record.assertions, ...failedSteps]) {
    if (x.scenario !== undefined && !names.includes(x.scenario)) names.push(x.scenario);
  }
  const suites: { xml: string; cases: Case[] }[] = [];
  const addSuite = (name: string, ms: Measurement[], as: Assertion[], extraCases: Case[] = []) => {
    const cases = [...extraCases, ...ms.map((m) => measurementCase(record, m)), ...as.map((a) => assertionCase(record, a))];
    if (cases.length === 0) return;
    const trialProps = ms.map((m): [string, string] => [`trials ${m.name}`, m.trials.join(' ')]);
    suites.push({ xml: suite(record, suites.length, name, cases, trialProps), cases });
  };
  for (const name of names) {
    addSuite(
      name,
      record.measurements.filter((m) => m.scenario === name),
      record.assertions.filter((a) => a.scenario === name),
      failedSteps.filter((s) => s.scenario === name).map((s) => stepErrorCase(record, s)),
    );
  }
  const labCases: Case[] = record.error
    ? [
        {
          xml: `<testcase name="lab build and teardown" classname="${esc(classname(record, undefined))}" time="0.000"><error type="lab" message="${esc(record.error)}">${esc(record.error)}</error></testcase>`,
          failed: false,
          errored: true,
          timeMs: 0,
        },
      ]
    : [];
  addSuite(
    'run',
    record.measurements.filter((m) => m.scenario === undefined),
    [],
    labCases,
  );
  const all = suites.flatMap((s) => s.cases);
  const total = all.reduce((s, c) => s + c.timeMs, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="${esc(`bgpdns-lab run ${record.run}`)}" tests="${all.length}" failures="${all.filter((c) => c.failed).length}" errors="${all.filter((c) => c.errored).length}" time="${seconds(total)}">
${suites.map((s) => s.xml).join('\n')}
</testsuites>
`;
}

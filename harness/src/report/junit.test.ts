import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import { syntheticRunRecord } from '../../testing/report-fixture.js';
import { renderJunit } from './junit.js';

const XSD = fileURLToPath(new URL('./junit.xsd', import.meta.url));

/** xmllint (Debian libxml2-utils) against our JUnit XSD; returns its complaint or ''. */
async function xsdProblems(xml: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'h6-junit-'));
  try {
    const file = join(dir, 'junit.xml');
    writeFileSync(file, xml);
    const r = await $({ nothrow: true, quiet: true })`xmllint --noout --schema ${XSD} ${file}`;
    return r.exitCode === 0 ? '' : r.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cases(xml: string): { attrs: string; body: string }[] {
  return [...xml.matchAll(/<testcase ([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => ({ attrs: m[1], body: m[2] ?? '' }));
}

const attr = (attrs: string, name: string) => attrs.match(new RegExp(`${name}="([^"]*)"`))?.[1];

test('junit.xml validates against the JUnit XSD (failing run)', async (t) => {
  t.is(await xsdProblems(renderJunit(syntheticRunRecord())), '');
});

test('junit.xml validates for a passing run and for a run whose lab failed', async (t) => {
  t.is(await xsdProblems(renderJunit(syntheticRunRecord({ withFailures: false }))), '');
  const broken = { ...syntheticRunRecord(), error: 'deploy: node isp1: bgpd did not answer on its vty socket within 10 s', met: false };
  const xml = renderJunit(broken);
  t.is(await xsdProblems(xml), '');
  t.regex(xml, /<testcase name="lab build and teardown"[^>]*><error type="lab" message="deploy: node isp1/);
});

test('the XSD check really rejects a broken file', async (t) => {
  const xml = renderJunit(syntheticRunRecord()).replace(/ time="[0-9.]+"/, ' time="fast"');
  t.regex(await xsdProblems(xml), /time/);
});

test('one testcase per measurement and per assertion, counts add up', (t) => {
  const record = syntheticRunRecord();
  const xml = renderJunit(record);
  const all = cases(xml);
  t.is(all.length, record.measurements.length + record.assertions.length);
  const failing = record.measurements.filter((m) => !m.met).length + record.assertions.filter((a) => !a.ok).length;
  t.regex(xml, new RegExp(`<testsuites [^>]*tests="${all.length}" failures="${failing}" errors="0"`));
  t.is([...xml.matchAll(/<testsuite /g)].length, record.scenarios.length);
});

test('measurement testcase: time is the judged statistic (max) in seconds; every trial in system-out and properties', (t) => {
  const record = syntheticRunRecord();
  const xml = renderJunit(record);
  for (const m of record.measurements) {
    const c = cases(xml).find((x) => attr(x.attrs, 'name') === `SLO ${m.name}`);
    t.truthy(c, m.name);
    t.is(attr(c!.attrs, 'time'), (m.max / 1000).toFixed(3));
    t.is(attr(c!.attrs, 'classname'), `bgpdns-lab.multihomed.${m.scenario}`);
    m.trials.forEach((v, i) => t.true(c!.body.includes(`trial ${i + 1}: ${v} ms`), `${m.name} trial ${i + 1}`));
    t.true(xml.includes(`<property name="trials ${m.name}" value="${m.trials.join(' ')}"/>`));
  }
});

test('failures carry the SLO and the observed value', (t) => {
  const record = syntheticRunRecord();
  const missed = record.measurements.find((m) => !m.met)!;
  const c = cases(renderJunit(record)).find((x) => attr(x.attrs, 'name') === `SLO ${missed.name}`)!;
  const failure = c.body.match(/<failure type="SLO" message="([^"]*)">/)![1];
  t.true(failure.includes(`observed max ${(missed.max / 1000).toFixed(3)} s (${missed.max} ms)`), failure);
  t.true(failure.includes('SLO &lt; 2 s on max not met'), failure);
  const failedAssertion = record.assertions.find((a) => !a.ok)!;
  const a = cases(renderJunit(record)).find((x) => attr(x.attrs, 'name') === `assert ${failedAssertion.name}`)!;
  t.regex(a.body, /<failure type="assertion" message="site: BFD peer 198.18.0.1 \(isp1\) still down/);
});

test('a step that threw becomes an error testcase in its scenario', async (t) => {
  const record = syntheticRunRecord({ withFailures: false });
  const step = record.steps.find((s) => s.scenario === 'sorter-frozen')!;
  step.ok = false;
  step.error = 'FRR vty dns-a/bfdd.vty: no reply to "enable" within 10000 ms';
  const xml = renderJunit(record);
  t.is(await xsdProblems(xml), '');
  const c = cases(xml).find((x) => attr(x.attrs, 'name') === `step ${step.name}`)!;
  t.is(attr(c.attrs, 'classname'), 'bgpdns-lab.multihomed.sorter-frozen');
  t.regex(c.body, /<error type="step" message="step &quot;trial 1: freeze the sorter \(SIGSTOP\)&quot; failed: FRR vty dns-a\/bfdd.vty: no reply/);
  t.regex(xml, /<testsuite name="sorter-frozen"[^>]* errors="1"/);
  t.regex(xml, /<testsuites [^>]* errors="1"/);
});

test('a measurement without an SLO is a plain measurement testcase', (t) => {
  const record = syntheticRunRecord({ withFailures: false });
  const { slo: _slo, ...bare } = record.measurements[0];
  const xml = renderJunit({ ...record, measurements: [bare, ...record.measurements.slice(1)] });
  const c = cases(xml).find((x) => attr(x.attrs, 'name') === `measurement ${bare.name}`)!;
  t.truthy(c);
  t.regex(c.body, /no SLO/);
});

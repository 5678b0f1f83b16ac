import test from 'ava';
import { syntheticRunRecord } from '../../testing/report-fixture.js';
import { formatValue } from './format.js';
import { renderIndexHtml } from './index-html.js';
import { renderReportHtml } from './report-html.js';

const record = syntheticRunRecord();
const htmlPromise = renderReportHtml(record);

/** Everything a page could fetch: script/link/img/iframe sources, CSS imports and url()s. */
function externalReferences(html: string): string[] {
  const refs: string[] = [];
  for (const m of html.matchAll(/\b(?:src|href|xlink:href|action|poster|data)\s*=\s*"([^"]*)"/gi)) {
    if (!/^(#|run\.json$|junit\.xml$|[A-Za-z0-9._-]+\/(report\.html|junit\.xml|run\.json)$)/.test(m[1])) refs.push(m[0]);
  }
  for (const m of html.matchAll(/url\(([^)]*)\)/g)) if (!m[1].startsWith('#')) refs.push(m[0]);
  for (const m of html.matchAll(/@import|@font-face|<script|<link\b|<iframe|<img\b/gi)) refs.push(m[0]);
  // Namespace declarations are names, not fetches.
  for (const m of html.matchAll(/https?:\/\/[^\s"'<>)]+/g)) {
    if (!/^http:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink)$/.test(m[0])) refs.push(m[0]);
  }
  return refs;
}

test('report.html is one self-contained file: no scripts, fonts, stylesheets or URLs to fetch', async (t) => {
  const html = await htmlPromise;
  t.deepEqual(externalReferences(html), []);
  t.regex(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
});

test('ids are unique across all inline SVGs (clip paths must not collide)', async (t) => {
  const ids = [...(await htmlPromise).matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  t.is(new Set(ids).size, ids.length);
});

test('every plot is there: topology, one distribution per measurement, timelines and sort-order matrices', async (t) => {
  const html = await htmlPromise;
  const count = (kind: string) => [...html.matchAll(new RegExp(`data-plot="${kind}"`, 'g'))].length;
  t.is(count('topology'), 1);
  t.is(count('distribution'), record.measurements.length);
  t.is(count('timeline'), 4);
  t.is(count('sort-order'), 4);
  t.is([...html.matchAll(/<svg /g)].length, 1 + record.measurements.length + 4 + 4);
});

test('summary table rows carry the fixture values', async (t) => {
  const html = await htmlPromise;
  for (const m of record.measurements) {
    const row = html.match(new RegExp(`<tr data-measurement="${m.name.replace(/[+()]/g, '\\$&')}"[\\s\\S]*?</tr>`))?.[0];
    t.truthy(row, m.name);
    for (const stat of ['p50', 'p95', 'max'] as const) {
      t.true(row!.includes(`data-stat="${stat}" data-value="${m[stat]}">${formatValue(m[stat])}<`), `${m.name} ${stat}`);
    }
    t.true(row!.includes(m.met ? '>met<' : '>missed<'));
  }
});

test('what failed is listed first, with observed value and SLO', async (t) => {
  const html = await htmlPromise;
  const problems = html.match(/<div class="problems" data-section="problems">[\s\S]*?<\/div>/)![0];
  t.regex(problems, /silent failure \+ BFD: sorter withdrawal<\/b>: max \d\.\d{3} s over 3 trials — SLO &lt; 2 s not met/);
  t.regex(problems, /BFD session back up within 5 s of restore — site: BFD peer/);
});

test('a passing run has no failure box and says PASS', async (t) => {
  const html = await renderReportHtml(syntheticRunRecord({ withFailures: false }));
  t.false(html.includes('data-section="problems"'));
  t.regex(html, /<span class="verdict pass">PASS<\/span>/);
});

test('a record without topology, DNS samples or measurements still renders', async (t) => {
  const bare = { ...syntheticRunRecord({ withFailures: false }), topology: undefined, dnsOrder: undefined, measurements: [] };
  const html = await renderReportHtml(bare);
  t.false(html.includes('data-plot="topology"'));
  t.false(html.includes('data-plot="sort-order"'));
  t.regex(html, /No measurements in this run/);
});

test('index.html lists runs newest first, flags unreadable ones, and plots one trend per measurement', async (t) => {
  const a = syntheticRunRecord({ run: 'run-a', seed: 1, startedAt: '2026-11-01T00:00:00.000Z', withFailures: false });
  const b = syntheticRunRecord({ run: 'run-b', seed: 2, startedAt: '2026-11-02T00:00:00.000Z' });
  const html = await renderIndexHtml([a, b], [{ run: 'run-c', problem: 'run.json is invalid: $.met: Required' }]);
  t.true(html.indexOf('data-run="run-b"') < html.indexOf('data-run="run-a"'));
  t.regex(html, /<code>run-c<\/code>: run.json is invalid: \$.met: Required/);
  t.is([...html.matchAll(/data-plot="trend"/g)].length, a.measurements.length);
  t.deepEqual(externalReferences(html), []);
});

test('assertions of a scenario without steps still appear', async (t) => {
  const r = syntheticRunRecord({ withFailures: false });
  const html = await renderReportHtml({ ...r, assertions: [...r.assertions, { scenario: 'preflight', name: 'FRR 8.4 found', ok: true }] });
  t.regex(html, /Assertions of scenarios without steps<\/h2>\s*<table data-table="assertions">.*FRR 8.4 found/s);
});

test('lone informational figures (no SLO, one trial) are not plotted, and the page says so', async (t) => {
  const r = syntheticRunRecord({ withFailures: false });
  const count = { name: 'order changes during the flaps', plane: 'dns' as const, unit: 'count' as const, trials: [14], p50: 14, p95: 14, max: 14, met: true };
  const html = await renderReportHtml({ ...r, measurements: [...r.measurements, count] });
  t.is([...html.matchAll(/data-plot="distribution"/g)].length, r.measurements.length);
  t.regex(html, /1 measurement without an SLO and with a single trial is in the summary table only/);
  t.regex(html, /<tr data-measurement="order changes during the flaps">[\s\S]*?<td data-stat="verdict"><span class="muted">recorded<\/span><\/td>/);
});

test('index.html plots trends only for measurements taken in two runs or more', async (t) => {
  const a = syntheticRunRecord({ run: 'run-a', seed: 1, withFailures: false });
  const extra = { name: 'only once', plane: 'bgp' as const, unit: 'ms' as const, trials: [5], p50: 5, p95: 5, max: 5, met: true };
  const b = { ...syntheticRunRecord({ run: 'run-b', seed: 2 }), measurements: [...a.measurements, extra] };
  const html = await renderIndexHtml([a, b]);
  t.is([...html.matchAll(/data-plot="trend"/g)].length, a.measurements.length);
  t.regex(html, /1 more measurement appears in one run only/);
  t.regex(await renderIndexHtml([a]), /Trends appear once a measurement has been taken in two runs/);
});

test('a run whose lab failed says LAB ERROR and exit code 2', async (t) => {
  const r = { ...syntheticRunRecord(), met: false, error: 'scenario x: lab could not be built: bgpd did not start' };
  const html = await renderReportHtml(r);
  t.regex(html, /<title>bgpdns-lab 20261121-221403-fixture — LAB ERROR<\/title>/);
  t.regex(html, /<span class="verdict fail">LAB ERROR<\/span>/);
  t.regex(html, /<div data-fact="exit code"><span>exit code<\/span>2<\/div>/);
  t.regex(html, /<li>lab error: scenario x: lab could not be built: bgpd did not start<\/li>/);
});

test('claims from source documents stand next to the measured figures', async (t) => {
  const html = await htmlPromise;
  const withClaim = record.measurements.filter((m) => m.claim);
  t.is(withClaim.length, 1);
  const m = withClaim[0];
  const row = html.match(/<tr data-claim="[^"]*">[\s\S]*?<\/tr>/)![0];
  t.true(row.includes('sub-15 s failover from timers 3 12'));
  t.true(row.includes(`>${formatValue(m.max)}<`));
  t.true(row.includes('>15 s<'));
  t.true(row.includes(`>${(m.max / 15000).toFixed(2)}×<`));
});

test('failed steps show in the header even when the verdict is PASS', async (t) => {
  const r = syntheticRunRecord({ withFailures: false });
  r.steps[3].ok = false;
  r.steps[3].error = 'sorter /routes/ipv4: curl exit 126';
  const html = await renderReportHtml(r);
  t.regex(html, /<span class="verdict pass">PASS<\/span> <span class="verdict warn">1 step failed<\/span>/);
  t.regex(html, /failed: sorter \/routes\/ipv4: curl exit 126/);
});

/**
 * Opens generated reports in headless Chromium (Debian `chromium`, installed by
 * `./bgpdns-lab test`, harness/src/install/harness-needs.ts) and checks what an engineer would see:
 * the tables carry the run's numbers, every plot rendered as SVG with its axes and
 * labels, and the page fetched nothing. Screenshots land in reports/ (git-ignored).
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { RunRecord } from '../run/record.js';
import { syntheticRunRecord } from '../../testing/report-fixture.js';
import { formatSlo, formatValue } from './format.js';
import { regenerateReports, writeRunRecord } from './write-reports.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = fileURLToPath(new URL('../../../reports/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'h6-browser-'));
const reportsDir = join(work, 'reports');
const profile = join(work, 'chromium-profile');

const older = syntheticRunRecord({ run: 'fixture-older', seed: 3, startedAt: '2026-11-20T22:00:00.000Z', withFailures: false });
const record: RunRecord = syntheticRunRecord({ run: 'fixture-latest' });

let context: BrowserContext;

test.before(async () => {
  writeRunRecord(reportsDir, older);
  writeRunRecord(reportsDir, record);
  await regenerateReports(reportsDir);
  mkdirSync(SCREENSHOTS, { recursive: true });
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install the Debian package chromium (./bgpdns-lab test installs it)`);
  }
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    offline: true,
    viewport: { width: 1100, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

test.after.always(async () => {
  await context?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Opens a file and returns the page plus every URL it requested (blocked unless it is that file). */
async function open(file: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const url = pathToFileURL(file).href;
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, requests, errors };
}

test.serial('report.html: tables carry the run numbers, every plot rendered, no network', async (t) => {
  const file = join(reportsDir, record.run, 'report.html');
  const { page, requests, errors } = await open(file);

  t.is(await page.title(), `bgpdns-lab ${record.run} — FAIL`);
  t.is(await page.locator('h1 .verdict').textContent(), 'FAIL');
  t.is(await page.locator('[data-fact="kernel"]').textContent(), 'kernel6.18.44');
  t.is(await page.locator('[data-fact="netem"]').textContent(), 'netemnot available');

  // Summary: one row per measurement with the record's figures.
  const rows = page.locator('table[data-table="summary"] tr[data-measurement]');
  t.is(await rows.count(), record.measurements.length);
  for (const [i, m] of record.measurements.entries()) {
    const row = rows.nth(i);
    t.is(await row.getAttribute('data-measurement'), m.name);
    t.is(await row.locator('[data-stat="trials"]').textContent(), String(m.trials.length));
    for (const stat of ['p50', 'p95', 'max'] as const) {
      const cell = row.locator(`[data-stat="${stat}"]`);
      t.is(Number(await cell.getAttribute('data-value')), m[stat], `${m.name} ${stat}`);
      t.is(await cell.textContent(), formatValue(m[stat]), `${m.name} ${stat}`);
    }
    t.true((await row.locator('[data-stat="slo"]').textContent())!.startsWith(formatSlo(m.slo)));
    t.is(await row.locator('[data-stat="verdict"]').textContent(), m.met ? 'met' : 'missed');
  }
  // The failing BFD measurement, checked without the page's own formatter: seconds with ms.
  const bfd = record.measurements.find((m) => m.name === 'silent failure + BFD: sorter withdrawal')!;
  t.false(bfd.met);
  const bfdRow = page.locator(`tr[data-measurement="${bfd.name}"]`);
  t.is(await bfdRow.locator('[data-stat="max"]').textContent(), `${(bfd.max / 1000).toFixed(3)} s`);
  t.is(await bfdRow.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el.querySelector("td")!).backgroundColor), 'rgb(255, 235, 233)');
  t.regex((await page.locator('[data-section="problems"]').textContent())!, /silent failure \+ BFD: sorter withdrawal: max 2\.\d{3} s over 3 trials — SLO < 2 s not met/);

  // Every plot is a visible SVG.
  const plots = await page.locator('[data-plot]').evaluateAll((els) =>
    els.map((el) => {
      const svg = el.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      return { kind: el.getAttribute('data-plot'), width: box?.width ?? 0, height: box?.height ?? 0 };
    }),
  );
  const kinds = plots.map((p) => p.kind);
  t.is(kinds.filter((k) => k === 'topology').length, 1);
  t.is(kinds.filter((k) => k === 'distribution').length, record.measurements.length);
  t.is(kinds.filter((k) => k === 'timeline').length, 4);
  t.is(kinds.filter((k) => k === 'sort-order').length, 4);
  for (const p of plots) t.true(p.width > 100 && p.height > 40, `${p.kind} plot is ${p.width}×${p.height}`);

  // Distributions: one dot per trial and the SLO line's label.
  for (const m of record.measurements) {
    const fig = page.locator(`figure[data-measurement="${m.name}"]`);
    t.is(await fig.locator('svg .mark-symbol.role-mark path').count(), m.trials.length, `${m.name}: a dot per trial`);
    t.true((await fig.locator('svg text').allTextContents()).includes(`SLO ${formatSlo(m.slo)}`), `${m.name}: SLO label`);
  }

  // Timeline of the link-cut scenario: axis, one lane per fault target, router and client.
  const cut = page.locator('section[data-scenario="upstream-link-cut"]');
  const timelineText = await cut.locator('[data-plot="timeline"] svg text').allTextContents();
  for (const label of ['seconds since scenario start', 'link-down cas1:eth1', 'bgp cas1', 'bgp isp1', 'bgp sorter', 'dns client1', 'session-down', 'answer-order-changed']) {
    t.true(timelineText.includes(label), `timeline shows "${label}"`);
  }
  const events = record.events.filter((e) => e.scenario === 'upstream-link-cut').length;
  t.is(await cut.locator('[data-plot="timeline"] svg .mark-symbol.role-mark path').count(), events, 'a point per observed event');

  // Sort-order matrix of the sorter-freeze scenario: every client and rank, every address.
  const matrixText = await page.locator('section[data-scenario="sorter-frozen"] [data-plot="sort-order"] svg text').allTextContents();
  for (const label of ['seconds since scenario start', 'address at rank', 'client1 #1', 'client3 #3', '198.18.1.10', '198.18.2.10', '198.18.3.10']) {
    t.true(matrixText.includes(label), `matrix shows "${label}"`);
  }

  // In every scenario the timeline and the sort-order matrix share one time axis on screen.
  for (const scenario of ['upstream-link-cut', 'silent-upstream-failure', 'sorter-frozen']) {
    const frame = (kind: string) =>
      page
        .locator(`section[data-scenario="${scenario}"] [data-plot="${kind}"] svg .role-frame.root > g > path.background`)
        .evaluate((el) => {
          const r = el.getBoundingClientRect();
          return { left: Math.round(r.left), width: Math.round(r.width) };
        });
    t.deepEqual(await frame('timeline'), await frame('sort-order'), `${scenario}: time axes line up`);
  }

  // Topology: every node labelled.
  const topoText = await page.locator('[data-plot="topology"] svg text').allTextContents();
  for (const n of record.topology!.nodes) t.true(topoText.includes(n.name), `topology shows ${n.name}`);

  t.deepEqual(requests, [pathToFileURL(file).href], 'the page loaded nothing but itself');
  t.deepEqual(errors, []);
  await page.screenshot({ path: join(SCREENSHOTS, 'report-browser-test.png'), fullPage: true });
  await page.close();
});

test.serial('index.html: both runs listed, one p50 trend plot per measurement, no network', async (t) => {
  const file = join(reportsDir, 'index.html');
  const { page, requests, errors } = await open(file);
  t.deepEqual(await page.locator('tr[data-run]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run'))), [record.run, older.run]);
  const trends = page.locator('tr[data-trend]');
  t.is(await trends.count(), record.measurements.length);
  for (const m of record.measurements) {
    const row = page.locator(`tr[data-trend="${m.name}"]`);
    t.is(Number(await row.locator('[data-value]').getAttribute('data-value')), m.p50, `${m.name}: latest p50`);
    t.is(await row.locator('svg .mark-symbol.role-mark path').count(), 2, `${m.name}: a point per run`);
  }
  t.deepEqual(requests, [pathToFileURL(file).href]);
  t.deepEqual(errors, []);
  await page.screenshot({ path: join(SCREENSHOTS, 'index-browser-test.png'), fullPage: true });
  await page.close();
});

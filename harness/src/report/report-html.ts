/**
 * report.html for one run: verdict and machine facts, what failed, the summary table,
 * the topology, convergence-time distributions against their SLOs, then one section
 * per scenario with its timeline, sort-order matrix, steps and assertions.
 */
import type { Measurement, RunRecord } from '../run/record.js';
import { distributionSpec } from './distribution.js';
import { escapeMarkup as esc, formatDuration, formatSlo, formatValue, judgedStatistic } from './format.js';
import { page, plot } from './page.js';
import { scenarioSlice, scenarioWindows, type ScenarioSlice } from './scenario-window.js';
import { sortOrderGroups, sortOrderSpec } from './sort-order.js';
import { timelineData, timelineSpec } from './timeline.js';
import { layoutTopology, topologySpec } from './topology-diagram.js';
import { renderVegaLite } from './vega-svg.js';

/** The exit code `bgpdns-lab run` gave for this record (docs/reports.md). */
export function exitCodeOf(record: RunRecord): 0 | 1 | 2 {
  return record.error ? 2 : record.met ? 0 : 1;
}

function verdictBadge(record: RunRecord): string {
  switch (exitCodeOf(record)) {
    case 0:
      return '<span class="verdict pass">PASS</span>';
    case 1:
      return '<span class="verdict fail">FAIL</span>';
    case 2:
      return '<span class="verdict fail">LAB ERROR</span>';
  }
}

function runDuration(record: RunRecord): string {
  if (!record.finishedAt) return 'unfinished';
  return formatDuration(Date.parse(record.finishedAt) - Date.parse(record.startedAt));
}

function header(record: RunRecord): string {
  const m = record.machine;
  const facts: [string, string][] = [
    ['lab', record.lab],
    ['runtime', record.runtime],
    ['started', record.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')],
    ['duration', runDuration(record)],
    ['kernel', m.kernel],
    ['cores', String(m.cores)],
    ['FRR', m.frrVersion ?? 'not found'],
    ['netem', m.netem ? 'available' : 'not available'],
    ['node', m.node],
    ['exit code', String(exitCodeOf(record))],
    ['schema', `run record v${record.version}`],
  ];
  // A step can throw without any assertion or SLO recording it; the verdict (and the
  // exit code) would not show it, so the header does.
  const failedSteps = record.steps.filter((s) => s.ok === false).length;
  const stepBadge = failedSteps > 0 ? ` <span class="verdict warn">${failedSteps} step${failedSteps === 1 ? '' : 's'} failed</span>` : '';
  return `<h1>Convergence report <code>${esc(record.run)}</code> ${verdictBadge(record)}${stepBadge}</h1>
<p class="meta">Scenarios: ${record.scenarios.map((s) => `<b>${esc(s)}</b>`).join(', ') || 'none'}</p>
<div class="facts" data-section="machine">${facts.map(([k, v]) => `<div data-fact="${esc(k)}"><span>${esc(k)}</span>${esc(v)}</div>`).join('')}</div>`;
}

function problems(record: RunRecord): string {
  const missed = record.measurements.filter((m) => !m.met);
  const failed = record.assertions.filter((a) => !a.ok);
  const failedSteps = record.steps.filter((s) => s.ok === false);
  if (!record.error && missed.length === 0 && failed.length === 0 && failedSteps.length === 0) return '';
  const items = [
    ...(record.error ? [`<li>lab error: ${esc(record.error)}</li>`] : []),
    ...missed.map(
      (m) =>
        `<li><b>${esc(m.name)}</b>: ${judgedStatistic(m).stat} ${esc(formatValue(judgedStatistic(m).value, m.unit))} over ${m.trials.length} trial${m.trials.length === 1 ? '' : 's'} — SLO ${esc(formatSlo(m.slo, m.unit))} not met</li>`,
    ),
    ...failed.map((a) => `<li><b>${esc(a.scenario)}</b>: ${esc(a.name)}${a.message ? ` — ${esc(a.message)}` : ''}</li>`),
    ...failedSteps.map((s) => `<li>step <b>${esc(s.scenario)} / ${esc(s.name)}</b> failed${s.error ? `: ${esc(s.error)}` : ''}</li>`),
  ];
  return `<div class="problems" data-section="problems"><b>What failed</b><ul>${items.join('')}</ul></div>`;
}

function numCell(value: number, m: Measurement, stat: string): string {
  return `<td class="num" data-stat="${stat}" data-value="${value}">${esc(formatValue(value, m.unit))}</td>`;
}

function measurementRow(m: Measurement, claims: boolean): string {
  // Without an SLO there is nothing to meet: the figure is only recorded.
  const verdict = !m.met ? '<span class="bad">missed</span>' : m.slo ? '<span class="ok">met</span>' : '<span class="muted">recorded</span>';
  const judged = judgedStatistic(m).stat;
  const claim = claims ? `<td>${m.claim ? `${esc(m.claim.text)} <span class="muted">(${esc(m.claim.source)})</span>` : ''}</td>` : '';
  return `<tr data-measurement="${esc(m.name)}"${m.met ? '' : ' class="missed"'}>
<td>${esc(m.name)}${m.description ? `<br><span class="muted">${esc(m.description)}</span>` : ''}</td>
<td>${esc(m.plane)}</td><td class="num" data-stat="trials">${m.trials.length}</td>
${numCell(m.p50, m, 'p50')}${numCell(m.p95, m, 'p95')}${numCell(m.max, m, 'max')}
<td class="num" data-stat="slo">${esc(formatSlo(m.slo, m.unit))}${m.slo ? ` <span class="muted">on ${judged}</span>` : ''}</td><td data-stat="verdict">${verdict}${clockNote(m)}</td>${claim}</tr>`;
}

/** A split lab's clock error beside the verdict; flagged when it exceeds 10 % of the SLO. */
function clockNote(m: Measurement): string {
  if (m.clockErrorMs === undefined) return '';
  const text = `clock ±${formatValue(m.clockErrorMs, 'ms')}`;
  return m.clockFlag ? ` <span class="bad" data-clock-flag title="host clock error bound above 10 % of the SLO">⚑ ${esc(text)}</span>` : ` <span class="muted">${esc(text)}</span>`;
}

function summaryTable(record: RunRecord): string {
  if (record.measurements.length === 0) return '<p class="muted">No measurements in this run.</p>';
  const claims = record.measurements.some((m) => m.claim);
  const columns = claims ? 9 : 8;
  const groups = new Map<string, Measurement[]>();
  for (const m of record.measurements) {
    const key = m.scenario ?? '';
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const rows = [...groups].flatMap(([scenario, list]) => [
    ...(scenario ? [`<tr class="group"><th colspan="${columns}">${esc(scenario)}</th></tr>`] : []),
    ...list.map((m) => measurementRow(m, claims)),
  ]);
  return `<table data-table="summary">
<thead><tr><th>measurement</th><th>plane</th><th class="num">trials</th><th class="num">p50</th><th class="num">p95</th><th class="num">max</th><th class="num">SLO</th><th>verdict</th>${claims ? '<th>claimed</th>' : ''}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<p class="muted">Each SLO is checked against the statistic shown after it (max: every trial must meet it). Every trial is in junit.xml and run.json.</p>`;
}

/** The figures a source document claims, next to what this run measured (issue: "seed claims vs lab"). */
function claimsTable(record: RunRecord): string {
  const claimed = record.measurements.filter((m) => m.claim);
  if (claimed.length === 0) return '';
  const rows = claimed.map((m) => {
    const c = m.claim!;
    const ratio = c.value !== undefined && c.value > 0 ? `${(m.max / c.value).toFixed(2)}×` : '';
    return `<tr data-claim="${esc(m.name)}"><td>${esc(c.text)}<br><span class="muted">${esc(c.source)}</span></td><td>${esc(m.name)}</td>
<td class="num">${esc(formatValue(m.p50, m.unit))}</td><td class="num">${esc(formatValue(m.max, m.unit))}</td>
<td class="num">${c.value !== undefined ? esc(formatValue(c.value, m.unit, true)) : ''}</td><td class="num${c.value !== undefined && m.max > c.value ? ' bad' : ''}" data-stat="ratio">${ratio}</td></tr>`;
  });
  return `<h3>Claims against this run</h3>
<table data-table="claims"><thead><tr><th>claim</th><th>measured as</th><th class="num">p50</th><th class="num">max</th><th class="num">claimed</th><th class="num">max ÷ claimed</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<p class="muted">Red: the slowest trial took longer than the claim.</p>`;
}

function assertionTable(record: RunRecord, inScenario: (name: string) => boolean): string {
  const list = record.assertions.filter((a) => inScenario(a.scenario));
  if (list.length === 0) return '';
  const rows = list.map(
    (a) =>
      `<tr data-assertion="${esc(a.name)}"${a.ok ? '' : ' class="missed"'}><td>${esc(a.name)}</td><td>${a.ok ? '<span class="ok">passed</span>' : '<span class="bad">failed</span>'}</td><td>${esc(a.message ?? '')}</td></tr>`,
  );
  return `<table data-table="assertions"><thead><tr><th>assertion</th><th>result</th><th>message</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * A plot earns its place when there is an SLO to compare with, or several timed trials
 * to see spread; a lone informational figure (a count without SLO) stays in the table.
 */
export function worthPlotting(m: Measurement): boolean {
  return m.slo !== undefined || (m.unit === 'ms' && m.trials.length > 1);
}

async function distributions(record: RunRecord): Promise<string> {
  const figures: string[] = [];
  const plotted = record.measurements.filter(worthPlotting);
  for (const m of plotted) {
    const svg = await renderVegaLite(distributionSpec(m));
    figures.push(`<figure data-measurement="${esc(m.name)}"><figcaption><span>${esc(m.name)}</span><span class="${m.met ? 'ok' : 'bad'}">${m.met ? 'met' : 'missed'}</span></figcaption>
${plot('distribution', svg, `${m.name}: ${m.trials.length} trials against SLO ${formatSlo(m.slo, m.unit)}`)}</figure>`);
  }
  const rest = record.measurements.length - plotted.length;
  const note = rest > 0 ? `<p class="muted">${rest} measurement${rest === 1 ? '' : 's'} without an SLO and with a single trial ${rest === 1 ? 'is' : 'are'} in the summary table only.</p>` : '';
  return figures.length > 0 ? `<div class="dist">${figures.join('\n')}</div>${note}` : note;
}

function stepsTable(record: RunRecord, slice: ScenarioSlice): string {
  const steps = slice.steps;
  const offset = (t: number) => `+${((t - slice.window.start) / 1000).toFixed(3)} s`;
  const rows = steps.map(
    (s, i) =>
      `<tr${s.ok === false ? ' class="missed"' : ''}><td class="num">${i + 1}</td><td class="num">${offset(s.start)}</td><td class="num">${s.end !== undefined ? esc(formatValue(s.end - s.start)) : ''}</td><td>${esc(s.name)}</td><td>${s.ok === false ? `<span class="bad">failed</span> ${esc(s.error ?? '')}` : ''}</td></tr>`,
  );
  const faults = slice.faults.map(
    (f) => `<tr><td class="num">${offset(f.at)}</td><td>${esc(f.action)}</td><td>${esc(f.fault)}</td><td><code>${esc(f.target)}</code>${f.args ? ` <span class="muted">${esc(JSON.stringify(f.args))}</span>` : ''}</td></tr>`,
  );
  return `<details><summary>${steps.length} steps (numbered as in the timeline), ${slice.faults.length} fault actions, ${slice.events.length} events</summary>
<table data-table="steps"><thead><tr><th class="num">#</th><th class="num">start</th><th class="num">took</th><th>step</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>
${faults.length > 0 ? `<table data-table="faults"><thead><tr><th class="num">at</th><th>action</th><th>fault</th><th>target</th></tr></thead><tbody>${faults.join('')}</tbody></table>` : ''}
</details>`;
}

async function scenarioSection(record: RunRecord, slice: ScenarioSlice): Promise<string> {
  const name = slice.window.scenario;
  const parts = [`<section data-scenario="${esc(name)}"><h2>Scenario <code>${esc(name)}</code></h2>`];
  const timeline = timelineData(slice);
  if (timeline.lanes.length > 0) {
    const eventTypes = [...new Set(record.events.map((e) => e.type))].sort();
    parts.push('<h3>Timeline</h3>', plot('timeline', await renderVegaLite(timelineSpec(timeline, eventTypes)), `${name}: faults and events over time`));
  } else {
    parts.push('<p class="muted">No faults or events recorded in this scenario.</p>');
  }
  const groups = sortOrderGroups(slice);
  if (groups.length > 0) {
    parts.push('<h3>Answer order per client <span class="muted">(rows: client #rank; colour: the address at that rank)</span></h3>');
    for (const g of groups) {
      if (g.via !== undefined) parts.push(`<p class="via">answers from <b>${esc(g.via)}</b></p>`);
      const label = `${name}: address at each answer rank per client over time${g.via !== undefined ? `, answers from ${g.via}` : ''}`;
      parts.push(plot('sort-order', await renderVegaLite(sortOrderSpec(g.data)), label));
    }
  }
  parts.push(assertionTable(record, (s) => s === name), stepsTable(record, slice), '</section>');
  return parts.join('\n');
}

export async function renderReportHtml(record: RunRecord): Promise<string> {
  const sections = [header(record), problems(record), '<h2>Summary</h2>', summaryTable(record), claimsTable(record)];
  if (record.assertions.length > 0) {
    const passed = record.assertions.filter((a) => a.ok).length;
    sections.push(
      `<p data-section="assertion-count">${passed} of ${record.assertions.length} assertions passed${passed < record.assertions.length ? ' (failures listed above)' : ''}; each scenario below lists its own.</p>`,
    );
  }
  if (record.topology && record.topology.nodes.length > 0) {
    const layout = layoutTopology(record.topology);
    sections.push('<h2>Lab topology</h2>', plot('topology', await renderVegaLite(topologySpec(layout)), `lab ${record.lab}: nodes and links`));
  }
  if (record.measurements.length > 0) {
    sections.push('<h2>Convergence times against SLOs</h2>', await distributions(record));
  }
  const windows = scenarioWindows(record);
  for (const window of windows) {
    sections.push(await scenarioSection(record, scenarioSlice(record, window)));
  }
  const withSection = new Set(windows.map((w) => w.scenario));
  const elsewhere = assertionTable(record, (s) => !withSection.has(s));
  if (elsewhere) sections.push('<h2>Assertions of scenarios without steps</h2>', elsewhere);
  sections.push(
    `<footer>Generated by <code>bgpdns-lab report ${esc(record.run)}</code> from <a href="run.json">run.json</a> (run record v${record.version}); JUnit: <a href="junit.xml">junit.xml</a>. Times are on one monotonic clock shared by every plane.</footer>`,
  );
  return page(`bgpdns-lab ${record.run} — ${['PASS', 'FAIL', 'LAB ERROR'][exitCodeOf(record)]}`, sections.join('\n'));
}

/**
 * One measurement's trials against its SLO: every trial as a dot (red when that trial
 * alone breaks the SLO), ticks at p50 and p95, and the SLO as a red dashed line.
 * When the trials sit far below the SLO (a 15 ms failover under a 15 s SLO) the axis
 * goes logarithmic so both stay readable.
 */
import type { Measurement } from '../run/record.js';
import { meetsSlo } from '../run/stats.js';
import { formatSlo } from './format.js';
import { COLORS, type VegaLiteSpec } from './vega-svg.js';

/** Up to this many trials sit on one line; more are spread out vertically. */
const FEW_TRIALS = 5;

/** Trials this far below the SLO line would collapse onto the axis origin on a linear scale. */
const LOG_SCALE_RATIO = 20;

export function distributionAxis(m: Measurement): { type: 'linear' | 'log'; domain: [number, number] } {
  const top = Math.max(m.max, m.slo?.value ?? 0);
  const bottom = Math.min(...m.trials);
  if (m.unit === 'ms' && bottom > 0 && top / m.max >= LOG_SCALE_RATIO) {
    return { type: 'log', domain: [bottom / 2, top * 1.6] };
  }
  return { type: 'linear', domain: [0, top * 1.1 || 1] };
}

/** 1-3-10 steps inside the domain, so a log axis has a few labelled ticks and no clutter. */
export function logTicks([lo, hi]: [number, number]): number[] {
  const ticks: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(lo)); decade <= hi; decade *= 10) {
    for (const f of [1, 3]) if (decade * f >= lo && decade * f <= hi) ticks.push(decade * f);
  }
  return ticks;
}

/** Axis labels in the unit an engineer reads: "250 ms", "2 s". */
const MS_LABEL = "datum.value >= 1000 ? format(datum.value / 1000, '~g') + ' s' : format(datum.value, '~g') + ' ms'";

export function distributionSpec(m: Measurement, width = 380): VegaLiteSpec {
  // Many trials would pile up on one line: spread them vertically (golden-ratio steps,
  // so the same record always draws the same picture).
  const spread = m.trials.length > FEW_TRIALS;
  const trials = m.trials.map((value, i) => ({
    trial: i + 1,
    value,
    row: spread ? 0.5 + (((i * 0.618034) % 1) - 0.5) * 0.7 : 0.5,
    verdict: m.slo === undefined || meetsSlo(value, m.slo) ? 'within SLO' : 'breaks SLO',
  }));
  const axis = distributionAxis(m);
  const x = {
    type: 'quantitative' as const,
    scale: { type: axis.type, domain: axis.domain, nice: false, ...(axis.type === 'linear' ? { zero: true } : {}) },
    axis: {
      title: m.unit === 'ms' ? (axis.type === 'log' ? 'log scale' : null) : m.unit,
      ...(axis.type === 'log' ? { values: logTicks(axis.domain) } : { tickCount: 6 }),
      ...(m.unit === 'ms' ? { labelExpr: MS_LABEL } : {}),
    },
  };
  const stats = [
    { stat: 'p50', value: m.p50, dy: -17 },
    { stat: 'p95', value: m.p95, dy: 18 },
  ];
  const layers: object[] = [
    {
      data: { values: stats },
      mark: { type: 'tick', thickness: 2, size: 24 },
      encoding: {
        x: { field: 'value', ...x },
        color: { field: 'stat', type: 'nominal', scale: { domain: ['p50', 'p95'], range: ['#24292f', '#8c959f'] }, legend: null },
      },
    },
    ...stats.map((s) => ({
      data: { values: [s] },
      mark: { type: 'text', dy: s.dy, fontSize: 10, color: '#24292f' },
      encoding: { x: { field: 'value', ...x }, text: { field: 'stat' } },
    })),
    {
      data: { values: trials },
      mark: { type: 'point', filled: true, size: 55, opacity: 0.8, stroke: 'white', strokeWidth: 0.5 },
      encoding: {
        x: { field: 'value', ...x },
        y: { field: 'row', type: 'quantitative', scale: { domain: [0, 1] }, axis: null },
        color: { field: 'verdict', type: 'nominal', scale: { domain: ['within SLO', 'breaks SLO'], range: [COLORS.bgp, COLORS.missed] }, legend: null },
      },
    },
  ];
  if (m.slo) {
    const slo = [{ value: m.slo.value, label: `SLO ${formatSlo(m.slo, m.unit)}` }];
    // The label sits left of the line, unless the line is near the left edge.
    const [lo, hi] = axis.type === 'log' ? axis.domain.map(Math.log) : axis.domain;
    const position = ((axis.type === 'log' ? Math.log(m.slo.value) : m.slo.value) - lo) / (hi - lo);
    const leftOfLine = position > 0.3;
    layers.push(
      {
        data: { values: slo },
        mark: { type: 'rule', color: COLORS.slo, strokeDash: [5, 3], strokeWidth: 2 },
        encoding: { x: { field: 'value', ...x } },
      },
      {
        data: { values: slo },
        mark: { type: 'text', align: leftOfLine ? 'right' : 'left', dx: leftOfLine ? -4 : 4, dy: -17, fontSize: 10, fontWeight: 600, color: COLORS.slo },
        encoding: { x: { field: 'value', ...x }, text: { field: 'label' } },
      },
    );
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width,
    height: 50,
    layer: layers,
    resolve: { scale: { color: 'independent' } },
  } as VegaLiteSpec;
}

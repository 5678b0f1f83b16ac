/**
 * p50 of each measurement across runs, for reports/index.html: is last night's
 * withdrawal time where it was last week?
 */
import type { Measurement, RunRecord, Slo } from '../run/record.js';
import { COLORS, type VegaLiteSpec } from './vega-svg.js';

export interface TrendPoint {
  run: string;
  startedAt: string;
  p50: number;
  met: boolean;
}

export interface Trend {
  measurement: string;
  unit: Measurement['unit'];
  slo?: Slo;
  points: TrendPoint[];
}

/** One trend per measurement name, points in run start order; the SLO is the latest run's. */
export function trends(records: RunRecord[]): Trend[] {
  const byName = new Map<string, Trend>();
  const ordered = [...records].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  for (const record of ordered) {
    for (const m of record.measurements) {
      const trend = byName.get(m.name) ?? { measurement: m.name, unit: m.unit, points: [] };
      trend.slo = m.slo ?? trend.slo;
      trend.unit = m.unit;
      trend.points.push({ run: record.run, startedAt: record.startedAt, p50: m.p50, met: m.met });
      byName.set(m.name, trend);
    }
  }
  return [...byName.values()].sort((a, b) => a.measurement.localeCompare(b.measurement));
}

/** Draw the SLO line only when it is within this factor of the highest p50. */
export const SLO_NEAR_FACTOR = 3;

const MS_LABEL = "datum.value >= 1000 ? format(datum.value / 1000, '~g') + ' s' : format(datum.value, '~g') + ' ms'";

export function trendSpec(trend: Trend, width = 300): VegaLiteSpec {
  const values = trend.points.map((p, i) => ({ ...p, index: i + 1, verdict: p.met ? 'met' : 'missed' }));
  // Scale to the p50s so drift is visible; the SLO line joins only when it is near them.
  const highest = Math.max(...trend.points.map((p) => p.p50));
  const showSlo = trend.slo !== undefined && trend.slo.value <= highest * SLO_NEAR_FACTOR;
  const top = Math.max(highest * 1.3, showSlo ? trend.slo!.value * 1.1 : 0) || 1;
  const y = {
    type: 'quantitative' as const,
    scale: { domain: [0, top], nice: false },
    axis: { title: null, tickCount: 3, ...(trend.unit === 'ms' ? { labelExpr: MS_LABEL } : {}) },
  };
  const x = {
    field: 'index',
    type: 'quantitative' as const,
    scale: { domain: [0.5, Math.max(1, values.length) + 0.5], nice: false },
    axis: { title: null, tickMinStep: 1, format: 'd' },
  };
  const layers: object[] = [
    { data: { values }, mark: { type: 'line', color: COLORS.muted, strokeWidth: 1.5 }, encoding: { x, y: { field: 'p50', ...y } } },
    {
      data: { values },
      mark: { type: 'point', filled: true, size: 40 },
      encoding: {
        x,
        y: { field: 'p50', ...y },
        color: { field: 'verdict', type: 'nominal', scale: { domain: ['met', 'missed'], range: [COLORS.met, COLORS.missed] }, legend: null },
      },
    },
  ];
  if (showSlo) {
    layers.push({
      data: { values: [{ slo: trend.slo!.value }] },
      mark: { type: 'rule', color: COLORS.slo, strokeDash: [5, 3], strokeWidth: 1.5 },
      encoding: { y: { field: 'slo', ...y } },
    });
  }
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width, height: 56, layer: layers } as VegaLiteSpec;
}

/**
 * One scenario on one time axis: its numbered steps, injected faults (spans from inject
 * to revert, and a dashed line across every lane at each injection), BGP events per
 * router and DNS answer changes per client, one lane each.
 */
import type { Plane } from '../run/record.js';
import type { ScenarioSlice } from './scenario-window.js';
import { COLORS, type VegaLiteSpec } from './vega-svg.js';

export interface TimelineSpan {
  lane: string;
  fault: string;
  from: number;
  to: number;
  reverted: boolean;
}

export interface TimelinePoint {
  lane: string;
  plane: Plane;
  type: string;
  t: number;
}

/** A step of the story as a bar in the top lane, numbered as in the steps table. */
export interface TimelineStep {
  n: number;
  /** Steps inside steps (a scenario part and its own steps) get lanes of their own. */
  lane: string;
  from: number;
  to: number;
  failed: boolean;
}

export interface TimelineData {
  /** Seconds from the scenario's start to its end. */
  duration: number;
  lanes: string[];
  steps: TimelineStep[];
  spans: TimelineSpan[];
  points: TimelinePoint[];
  injections: number[];
}

const PLANE_ORDER: Plane[] = ['bgp', 'dns', 'data', 'harness'];

export function timelineData(slice: ScenarioSlice): TimelineData {
  const start = slice.window.start;
  const seconds = (at: number) => (at - start) / 1000;
  const duration = seconds(slice.window.end);

  const spans: TimelineSpan[] = [];
  const open = new Map<string, number>();
  for (const f of [...slice.faults].sort((a, b) => a.at - b.at)) {
    // Fault lanes stand out by their spans; the label is just what and where.
    const lane = `${f.fault} ${f.target}`;
    if (f.action === 'inject') {
      open.set(lane, f.at);
    } else {
      const from = open.get(lane);
      if (from !== undefined) spans.push({ lane, fault: f.fault, from: seconds(from), to: seconds(f.at), reverted: true });
      open.delete(lane);
    }
  }
  for (const [lane, from] of open) {
    spans.push({ lane, fault: lane.split(' ')[0], from: seconds(from), to: duration, reverted: false });
  }

  const points = slice.events.map((e) => ({ lane: `${e.plane} ${e.node}`, plane: e.plane, type: e.type, t: seconds(e.at) }));
  const faultLanes = [...new Set(spans.map((s) => s.lane))].sort();
  const eventLanes = [...new Set(points.map((p) => p.lane))].sort((a, b) => {
    const pa = PLANE_ORDER.indexOf(a.split(' ')[0] as Plane);
    const pb = PLANE_ORDER.indexOf(b.split(' ')[0] as Plane);
    return pa - pb || a.localeCompare(b);
  });
  const injections = slice.faults.filter((f) => f.action === 'inject').map((f) => seconds(f.at));
  const depths = nestingDepths(slice.steps.map((s) => [s.start, s.end ?? s.start]));
  const steps = slice.steps.map((s, i) => ({
    n: i + 1,
    lane: stepLane(depths[i]),
    from: seconds(s.start),
    to: seconds(s.end ?? s.start),
    failed: s.ok === false,
  }));
  const stepLanes = [...new Set(depths)].sort((a, b) => a - b).map(stepLane);
  return { duration, lanes: [...stepLanes, ...faultLanes, ...eventLanes], steps, spans, points, injections };
}

function stepLane(depth: number): string {
  return depth === 0 ? STEPS_LANE : `${STEPS_LANE} level ${depth + 1}`;
}

/** For each interval, how many of the others hold it (an earlier one wins a tie of equal intervals). */
export function nestingDepths(intervals: [number, number][]): number[] {
  return intervals.map(([start, end], i) =>
    intervals.filter(([s, e], j) => j !== i && s <= start && end <= e && (e - s > end - start || j < i)).length,
  );
}

const LANE_HEIGHT = 22;
export const STEPS_LANE = 'steps';
/** A step bar gets its number only when the number fits: pixels per digit, plus padding. */
const DIGIT_PX = 6;
const STEP_LABEL_PADDING_PX = 6;
/** Pixels for lane labels left of the plot; shared with the sort-order matrix. */
export const LABEL_GUTTER = 200;
/** Plot width of time-axis charts: gutter + plot fit the page without scaling, legends go below. */
export const TIME_AXIS_WIDTH = 730;
/** Tableau 10 with its orange last, so the first event types never share the fault spans' colour. */
const EVENT_PALETTE = ['#4e79a7', '#e15759', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac', '#f28e2b'];

/** Event colours: pass the run's whole list of event types so a type keeps its colour in every scenario. */
export function timelineSpec(data: TimelineData, eventTypes: string[] = [...new Set(data.points.map((p) => p.type))].sort(), width = TIME_AXIS_WIDTH): VegaLiteSpec {
  const present = new Set(data.points.map((p) => p.type));
  const colorOf = new Map(eventTypes.map((type, i) => [type, EVENT_PALETTE[i % EVENT_PALETTE.length]]));
  const shown = eventTypes.filter((type) => present.has(type));
  const pxPerSecond = width / Math.max(data.duration, 0.001);
  const stepBars = data.steps.map((s) => ({
    ...s,
    mid: (s.from + s.to) / 2,
    shade: s.failed ? 'failed' : s.n % 2 ? 'odd' : 'even',
    label: (s.to - s.from) * pxPerSecond >= String(s.n).length * DIGIT_PX + STEP_LABEL_PADDING_PX ? String(s.n) : '',
  }));
  const x = {
    type: 'quantitative' as const,
    scale: { domain: [0, Math.max(data.duration, 0.001)], nice: false, zero: true },
    axis: { title: 'seconds since scenario start', grid: true },
  };
  const y = {
    field: 'lane',
    type: 'nominal' as const,
    sort: data.lanes,
    scale: { domain: data.lanes },
    // Same label gutter as the sort-order matrix, so both share one time axis on the page.
    axis: { title: null, labelLimit: LABEL_GUTTER, minExtent: LABEL_GUTTER, maxExtent: LABEL_GUTTER },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width,
    height: Math.max(1, data.lanes.length) * LANE_HEIGHT,
    layer: [
      {
        data: { values: stepBars },
        mark: { type: 'bar', height: 14, stroke: 'white', strokeWidth: 1 },
        encoding: {
          x: { field: 'from', ...x },
          x2: { field: 'to' },
          y,
          color: { field: 'shade', type: 'nominal', scale: { domain: ['odd', 'even', 'failed'], range: ['#d0d7de', '#afb8c1', COLORS.missed] }, legend: null },
        },
      },
      {
        data: { values: stepBars.filter((b) => b.label !== '') },
        mark: { type: 'text', fontSize: 9, color: '#24292f' },
        encoding: { x: { field: 'mid', ...x }, y, text: { field: 'label' } },
      },
      {
        data: { values: data.spans },
        mark: { type: 'bar', color: COLORS.fault, opacity: 0.35, height: 12 },
        encoding: { x: { field: 'from', ...x }, x2: { field: 'to' }, y },
      },
      {
        data: { values: data.injections.map((t) => ({ t })) },
        mark: { type: 'rule', color: COLORS.fault, strokeDash: [4, 3], opacity: 0.6 },
        encoding: { x: { field: 't', ...x } },
      },
      {
        data: { values: data.points },
        mark: { type: 'point', filled: true, size: 70, opacity: 0.9 },
        encoding: {
          x: { field: 't', ...x },
          y,
          color: {
            field: 'type',
            type: 'nominal',
            title: 'event',
            scale: { domain: shown, range: shown.map((type) => colorOf.get(type) ?? COLORS.muted) },
            // Legends sit under the plot and must fit its width, or the SVG would be scaled
            // and its time axis would no longer line up with the sort-order matrix.
            legend: data.points.length > 0 ? { labelLimit: 200, orient: 'bottom', direction: 'horizontal', columns: 3 } : null,
          },
          shape: {
            field: 'plane',
            type: 'nominal',
            title: 'plane',
            // The lane labels already name the plane; the shape repeats it without a legend.
            legend: null,
            scale: { domain: ['bgp', 'dns', 'data', 'harness'], range: ['circle', 'diamond', 'square', 'triangle-up'] },
          },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  } as VegaLiteSpec;
}

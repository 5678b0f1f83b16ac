/**
 * Vega-Lite spec → SVG markup, in Node, without a canvas: a headless vega View with
 * renderer 'none' can still serialise its scenegraph with toSVG(). Every plot in the
 * reports goes through here so they share fonts and colours.
 */
import type { TopLevelSpec } from 'vega-lite';

/**
 * vega and vega-lite load with the first plot: they add ~28 MB to a process's memory,
 * which a process that deploys labs or runs scenarios without rendering a report (any
 * importer of the harness API) should not carry.
 */
let libs: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;

/** System fonts only: the report must render offline, so no web font is referenced. */
export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

const config = {
  font: FONT,
  background: 'white',
  view: { stroke: '#d0d7de' },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 600, labelColor: '#24292f', titleColor: '#24292f', gridColor: '#eaeef2' },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 600 },
  title: { fontSize: 13, fontWeight: 600, anchor: 'start' as const },
};

export type VegaLiteSpec = TopLevelSpec;

export async function renderVegaLite(spec: VegaLiteSpec): Promise<string> {
  const [vega, { compile }] = await (libs ??= Promise.all([import('vega'), import('vega-lite')]));
  const { spec: vegaSpec } = compile({ ...spec, config: { ...config, ...(spec.config ?? {}) } } as TopLevelSpec);
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Colours by meaning, used by plots and by the page's CSS alike. */
export const COLORS = {
  met: '#1a7f37',
  missed: '#cf222e',
  slo: '#cf222e',
  fault: '#bc4c00',
  bgp: '#0969da',
  dns: '#8250df',
  data: '#1b7c83',
  harness: '#57606a',
  muted: '#6e7781',
} as const;

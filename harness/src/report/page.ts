/**
 * The HTML shell shared by report.html and index.html: one file, inline CSS, no
 * scripts, no fonts or images from anywhere — it must open from a ticket attachment
 * on a machine without network access.
 */
import { escapeMarkup } from './format.js';
import { COLORS, FONT } from './vega-svg.js';

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: ${FONT}; color: #24292f; margin: 0; background: #f6f8fa; font-size: 14px; line-height: 1.45; }
main { max-width: 1000px; margin: 0 auto; padding: 20px 24px 40px; background: white; min-height: 100vh; }
h1 { font-size: 22px; margin: 0 0 4px; display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: #57606a; margin: 0 0 12px; }
.meta b { color: #24292f; font-weight: 600; }
.verdict { display: inline-block; font-size: 13px; font-weight: 700; letter-spacing: .02em; padding: 3px 10px; border-radius: 12px; color: white; }
.verdict.pass { background: ${COLORS.met}; }
.verdict.fail { background: ${COLORS.missed}; }
.verdict.warn { background: #9a6700; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
td { overflow-wrap: anywhere; }
table[data-table="assertions"] td:first-child { width: 38%; }
table[data-table="assertions"] td:nth-child(3) { font-size: 12px; }
th { background: #f6f8fa; font-weight: 600; border-bottom: 1px solid #d0d7de; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.missed td { background: #ffebe9; }
tr.group th { background: white; color: #57606a; font-size: 12px; padding-top: 12px; border-bottom: 1px solid #d0d7de; }
.ok { color: ${COLORS.met}; font-weight: 700; white-space: nowrap; }
.bad { color: ${COLORS.missed}; font-weight: 700; white-space: nowrap; }
.muted { color: #6e7781; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 6px 16px; margin: 8px 0 4px; padding: 10px 12px; background: #f6f8fa; border-radius: 6px; font-size: 13px; }
.facts div span { display: block; color: #57606a; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }
.problems { border-left: 4px solid ${COLORS.missed}; background: #fff8f7; padding: 8px 14px; margin: 12px 0; }
.problems ul { margin: 4px 0; padding-left: 20px; }
.plot { overflow-x: auto; margin: 4px 0 8px; }
p.via { margin: 10px 0 0; font-size: 13px; color: #57606a; }
.plot svg { max-width: 100%; height: auto; }
.dist { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 8px 18px; }
.dist figure { margin: 0; padding: 8px 10px; border: 1px solid #eaeef2; border-radius: 6px; }
.dist figcaption { font-size: 13px; font-weight: 600; display: flex; justify-content: space-between; gap: 8px; }
details { margin: 6px 0; }
summary { cursor: pointer; color: #0969da; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
footer { margin-top: 32px; color: #6e7781; font-size: 12px; }
@media print { body { background: white; } main { padding: 0; } details { display: block; } }
`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeMarkup(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Wraps an SVG from vega in a labelled container the browser test can find. */
export function plot(kind: string, svg: string, label: string): string {
  return `<div class="plot" data-plot="${escapeMarkup(kind)}" role="img" aria-label="${escapeMarkup(label)}">${svg}</div>`;
}

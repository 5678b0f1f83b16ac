/**
 * The sort-order matrix: for each client and each answer rank, which address the
 * client got at that rank over time. A sample holds until the client's next one, and
 * runs of identical answers are merged so a prober that samples every 10–20 ms does
 * not turn into tens of thousands of rectangles.
 */
import type { ScenarioSlice } from './scenario-window.js';
import { LABEL_GUTTER, TIME_AXIS_WIDTH } from './timeline.js';
import type { VegaLiteSpec } from './vega-svg.js';

export const NO_ANSWER = '(no answer)';

export interface SortOrderCell {
  row: string;
  client: string;
  rank: number;
  address: string;
  from: number;
  to: number;
}

export interface SortOrderData {
  duration: number;
  rows: string[];
  addresses: string[];
  cells: SortOrderCell[];
}

export function sortOrderData(slice: ScenarioSlice): SortOrderData {
  const start = slice.window.start;
  const seconds = (at: number) => (at - start) / 1000;
  const duration = seconds(slice.window.end);
  const byClient = new Map<string, { at: number; answers: string[] }[]>();
  for (const s of slice.dnsOrder) {
    const list = byClient.get(s.client) ?? [];
    list.push({ at: s.at, answers: s.answers });
    byClient.set(s.client, list);
  }
  const clients = [...byClient.keys()].sort();
  const maxRank = Math.max(0, ...slice.dnsOrder.map((s) => Math.max(1, s.answers.length)));
  const rows = clients.flatMap((c) => Array.from({ length: maxRank }, (_, i) => rowName(c, i + 1)));
  const cells: SortOrderCell[] = [];
  for (const client of clients) {
    const samples = byClient.get(client)!.sort((a, b) => a.at - b.at);
    const merged = samples.filter((s, i) => i === 0 || s.answers.join() !== samples[i - 1].answers.join());
    merged.forEach((s, i) => {
      const to = i + 1 < merged.length ? seconds(merged[i + 1].at) : duration;
      const answers = s.answers.length > 0 ? s.answers : [NO_ANSWER];
      answers.forEach((address, r) => {
        cells.push({ row: rowName(client, r + 1), client, rank: r + 1, address, from: seconds(s.at), to });
      });
    });
  }
  const addresses = sortAddresses([...new Set(cells.map((c) => c.address))]);
  return { duration, rows, addresses, cells };
}

export interface SortOrderGroup {
  /** The server the answers came from (the DNS front, a resolver), when the record says. */
  via?: string;
  data: SortOrderData;
}

/**
 * One matrix per server asked: a client probing the DNS front and a resolver at the
 * same time would otherwise interleave two answer streams in one row. All groups of a
 * scenario share one address→colour mapping.
 */
export function sortOrderGroups(slice: ScenarioSlice): SortOrderGroup[] {
  const vias = [...new Set(slice.dnsOrder.map((s) => s.via))];
  const groups = vias.map((via) => ({ via, data: sortOrderData({ ...slice, dnsOrder: slice.dnsOrder.filter((s) => s.via === via) }) }));
  const addresses = sortAddresses([...new Set(groups.flatMap((g) => g.data.addresses))]);
  return groups.filter((g) => g.data.cells.length > 0).map((g) => ({ ...(g.via !== undefined ? { via: g.via } : {}), data: { ...g.data, addresses } }));
}

function sortAddresses(addresses: string[]): string[] {
  return [...addresses].sort((a, b) => (a === NO_ANSWER ? 1 : b === NO_ANSWER ? -1 : a.localeCompare(b, 'en', { numeric: true })));
}

function rowName(client: string, rank: number): string {
  return `${client} #${rank}`;
}

const ROW_HEIGHT = 14;
const PALETTE = ['#0969da', '#bc4c00', '#1a7f37', '#8250df', '#bf3989', '#1b7c83', '#9a6700', '#57606a'];

export function sortOrderSpec(data: SortOrderData, width = TIME_AXIS_WIDTH): VegaLiteSpec {
  const range = data.addresses.map((a, i) => (a === NO_ANSWER ? '#d0d7de' : PALETTE[i % PALETTE.length]));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width,
    height: Math.max(1, data.rows.length) * ROW_HEIGHT,
    data: { values: data.cells },
    mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      x: {
        field: 'from',
        type: 'quantitative',
        scale: { domain: [0, Math.max(data.duration, 0.001)], nice: false, zero: true },
        axis: { title: 'seconds since scenario start' },
      },
      x2: { field: 'to' },
      y: { field: 'row', type: 'ordinal', sort: data.rows, scale: { domain: data.rows }, axis: { title: null, labelLimit: LABEL_GUTTER, minExtent: LABEL_GUTTER, maxExtent: LABEL_GUTTER } },
      color: {
        field: 'address',
        type: 'nominal',
        title: 'address at rank',
        scale: { domain: data.addresses, range },
        legend: { orient: 'bottom', direction: 'horizontal' },
      },
    },
  } as VegaLiteSpec;
}

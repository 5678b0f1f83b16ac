/**
 * The lab as a layered diagram. Layers are hop counts from the client hosts (clients
 * at the bottom, the server side on top), the order inside a layer follows the
 * neighbours' positions (barycentre, two sweeps) to keep crossings few. Positions are
 * computed here; vega draws them.
 */
import type { RunTopology } from '../run/record.js';
import type { VegaLiteSpec } from './vega-svg.js';

export interface PlacedNode {
  name: string;
  kind: string;
  label: string;
  layer: number;
  x: number;
  y: number;
}

/** A link as a three-point path; links inside one layer bow upwards so they do not run through nodes. */
export interface PlacedLink {
  a: string;
  b: string;
  label: string;
  points: { x: number; y: number }[];
}

export interface TopologyLayout {
  nodes: PlacedNode[];
  links: PlacedLink[];
  layers: number;
}

function neighbours(topology: RunTopology): Map<string, Set<string>> {
  const adj = new Map<string, Set<string>>(topology.nodes.map((n) => [n.name, new Set<string>()]));
  for (const l of topology.links) {
    adj.get(l.a.node)?.add(l.b.node);
    adj.get(l.b.node)?.add(l.a.node);
  }
  return adj;
}

/** Hop distance from the nearest client (or from the first node when there is none). */
function layerOf(topology: RunTopology, adj: Map<string, Set<string>>): Map<string, number> {
  const sources = topology.nodes.filter((n) => n.kind === 'client').map((n) => n.name);
  if (sources.length === 0 && topology.nodes.length > 0) sources.push(topology.nodes[0].name);
  const layer = new Map<string, number>(sources.map((s) => [s, 0]));
  const queue = [...sources];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const next of adj.get(current) ?? []) {
      if (!layer.has(next)) {
        layer.set(next, layer.get(current)! + 1);
        queue.push(next);
      }
    }
  }
  // Nodes not connected to any source get a layer of their own on top.
  const top = Math.max(0, ...layer.values()) + 1;
  for (const n of topology.nodes) if (!layer.has(n.name)) layer.set(n.name, top);
  return layer;
}

const SWEEP_ROUNDS = 6;
const TRANSPOSE_PASSES = 10;

/**
 * What a drawing costs a reader: crossings between links of adjacent layers, plus how
 * far apart (in slots) linked nodes of one layer sit, since those links bow over others.
 */
function layoutCost(topology: RunTopology, layer: Map<string, number>, position: Map<string, number>): number {
  const between: { lo: number; hi: number; l: number }[] = [];
  let spread = 0;
  for (const link of topology.links) {
    const la = layer.get(link.a.node);
    const lb = layer.get(link.b.node);
    if (la === undefined || lb === undefined) continue;
    const pa = position.get(link.a.node)!;
    const pb = position.get(link.b.node)!;
    if (la === lb) spread += Math.abs(pa - pb);
    else if (Math.abs(la - lb) === 1) between.push(la < lb ? { lo: pa, hi: pb, l: la } : { lo: pb, hi: pa, l: lb });
  }
  let crossings = 0;
  for (let i = 0; i < between.length; i++) {
    for (let j = i + 1; j < between.length; j++) {
      const e = between[i];
      const f = between[j];
      if (e.l === f.l && (e.lo - f.lo) * (e.hi - f.hi) < 0) crossings++;
    }
  }
  return crossings + spread * 4;
}

export function layoutTopology(topology: RunTopology, width = 860, layerGap = 80): TopologyLayout {
  const adj = neighbours(topology);
  const layer = layerOf(topology, adj);
  const layerCount = Math.max(0, ...layer.values()) + 1;
  const rows: string[][] = Array.from({ length: layerCount }, () => []);
  for (const n of [...topology.nodes].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))) {
    rows[layer.get(n.name)!].push(n.name);
  }
  const position = new Map<string, number>();
  const place = (row: string[]) => row.forEach((name, i) => position.set(name, (i + 1) / (row.length + 1)));
  rows.forEach(place);
  const barycentre = (name: string, fromLayer: number): number => {
    const ps = [...(adj.get(name) ?? [])].filter((n) => layer.get(n) === fromLayer).map((n) => position.get(n)!);
    return ps.length > 0 ? ps.reduce((s, p) => s + p, 0) / ps.length : position.get(name)!;
  };
  const sweep = (order: number[], direction: 1 | -1) => {
    for (const l of order) {
      const row = rows[l];
      const keyed = row.map((name) => ({ name, key: barycentre(name, l - direction) }));
      keyed.sort((a, b) => a.key - b.key || a.name.localeCompare(b.name, 'en', { numeric: true }));
      rows[l] = keyed.map((k) => k.name);
      place(rows[l]);
    }
  };
  // Sugiyama-style: barycentre sweeps down and up, then swap neighbours while that
  // lowers the cost; keep the best order seen.
  const cost = () => layoutCost(topology, layer, position);
  const snapshot = () => rows.map((r) => [...r]);
  let best = { rows: snapshot(), cost: cost() };
  const up = rows.map((_, i) => i).slice(1);
  for (let round = 0; round < SWEEP_ROUNDS; round++) {
    sweep(up, 1);
    sweep([...up].reverse().map((l) => l - 1), -1);
    const c = cost();
    if (c < best.cost) best = { rows: snapshot(), cost: c };
  }
  best.rows.forEach((r, l) => {
    rows[l] = r;
    place(r);
  });
  let current = best.cost;
  for (let improved = true, passes = 0; improved && passes < TRANSPOSE_PASSES; passes++) {
    improved = false;
    for (const row of rows) {
      for (let i = 0; i + 1 < row.length; i++) {
        [row[i], row[i + 1]] = [row[i + 1], row[i]];
        place(row);
        const c = cost();
        if (c < current) {
          current = c;
          improved = true;
        } else {
          [row[i], row[i + 1]] = [row[i + 1], row[i]];
          place(row);
        }
      }
    }
  }

  const byName = new Map(topology.nodes.map((n) => [n.name, n]));
  const nodes: PlacedNode[] = topology.nodes.map((n) => {
    const l = layer.get(n.name)!;
    return {
      name: n.name,
      kind: n.kind,
      label: n.asn !== undefined ? `AS${n.asn}` : n.kind,
      layer: l,
      x: position.get(n.name)! * width,
      // Clients at the bottom: y grows upward in the diagram.
      y: l * layerGap,
    };
  });
  const at = new Map(nodes.map((n) => [n.name, n]));
  const links: PlacedLink[] = topology.links
    .filter((l) => byName.has(l.a.node) && byName.has(l.b.node))
    .map((l) => {
      const from = at.get(l.a.node)!;
      const to = at.get(l.b.node)!;
      const bow = from.layer === to.layer ? layerGap * 0.6 : 0;
      return {
        a: l.a.node,
        b: l.b.node,
        label: `${l.a.node}:${l.a.iface} — ${l.b.node}:${l.b.iface}`,
        points: [
          { x: from.x, y: from.y },
          { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 + bow },
          { x: to.x, y: to.y },
        ],
      };
    });
  return { nodes, links, layers: layerCount };
}

export function topologySpec(layout: TopologyLayout, width = 860, layerGap = 80): VegaLiteSpec {
  const height = Math.max(1, layout.layers - 1) * layerGap;
  const x = { type: 'quantitative' as const, scale: { domain: [0, width], nice: false, zero: false }, axis: null };
  const y = { type: 'quantitative' as const, scale: { domain: [-layerGap * 0.45, height + layerGap * 0.3], nice: false, zero: false }, axis: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width,
    height: height + layerGap * 0.75,
    view: { stroke: null },
    layer: [
      {
        data: { values: layout.links.flatMap((l) => l.points.map((p, i) => ({ link: l.label, i, ...p }))) },
        mark: { type: 'line', color: '#8c959f', strokeWidth: 1.5, interpolate: 'basis' },
        encoding: { x: { field: 'x', ...x }, y: { field: 'y', ...y }, detail: { field: 'link' }, order: { field: 'i' } },
      },
      {
        data: { values: layout.nodes },
        mark: { type: 'point', filled: true, size: 420, stroke: 'white', strokeWidth: 2, opacity: 1 },
        encoding: {
          x: { field: 'x', ...x },
          y: { field: 'y', ...y },
          color: { field: 'kind', type: 'nominal', title: 'kind', scale: { scheme: 'tableau10' } },
          shape: { field: 'kind', type: 'nominal', title: 'kind' },
        },
      },
      {
        data: { values: layout.nodes },
        mark: { type: 'text', dy: 19, fontSize: 11, fontWeight: 600, baseline: 'top' },
        encoding: { x: { field: 'x', ...x }, y: { field: 'y', ...y }, text: { field: 'name' } },
      },
      {
        data: { values: layout.nodes },
        mark: { type: 'text', dy: 32, fontSize: 10, color: '#57606a', baseline: 'top' },
        encoding: { x: { field: 'x', ...x }, y: { field: 'y', ...y }, text: { field: 'label' } },
      },
    ],
  } as VegaLiteSpec;
}

/**
 * Prometheus text exposition (what GET /metrics of our daemons serves), parsed into
 * samples by `name{labels}` and the metric families the text declares (# TYPE lines).
 * A family can be declared with no sample at all: our counters leave out labels that
 * are still zero, so a missing sample of a declared family reads as 0.
 */
export interface PrometheusText {
  samples: Map<string, number>;
  families: Set<string>;
}

export function parsePrometheusText(text: string): PrometheusText {
  const out: PrometheusText = { samples: new Map(), families: new Set() };
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) /.exec(line);
    if (type) out.families.add(type[1]);
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.samples.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

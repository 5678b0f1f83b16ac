/** How numbers, SLOs and text appear in reports (HTML and JUnit alike). */
import type { Measurement, Slo } from '../run/record.js';


function trimmed(value: number, decimals: number): string {
  return value.toFixed(decimals).replace(/\.?0+$/, '');
}

function fixed(value: number, decimals: number, trim: boolean): string {
  return trim ? trimmed(value, decimals) : value.toFixed(decimals);
}

/**
 * A measured value with millisecond precision and a fixed number of decimals so table
 * columns line up: 14.054 → "14.1 ms", 1043.247 → "1.043 s", 1060 → "1.060 s".
 * With `trim`, trailing zeros go (for SLO thresholds: "15 s", "100 ms").
 */
export function formatValue(value: number, unit: Measurement['unit'] = 'ms', trim = false): string {
  if (unit === 'count') return trimmed(value, 2);
  if (unit === 'ratio') return `${trimmed(value * 100, 2)} %`;
  const abs = Math.abs(value);
  if (abs >= 1000) return `${fixed(value / 1000, 3, trim)} s`;
  if (abs >= 10) return `${fixed(value, 1, trim)} ms`;
  return `${fixed(value, 2, trim)} ms`;
}

export function formatSlo(slo: Slo | undefined, unit: Measurement['unit'] = 'ms'): string {
  return slo ? `${slo.op} ${formatValue(slo.value, unit, true)}` : 'none';
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML and XML content and attribute values, and drops the control
 * characters XML 1.0 cannot carry at all (a daemon's stray output must not make
 * junit.xml unreadable).
 */
export function escapeMarkup(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Milliseconds → "1 min 30.1 s" style duration for run lengths. */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${trimmed(s, 1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${trimmed(s - m * 60, 1)} s`;
}

/** The statistic a measurement's SLO is judged on, and its value (max when the record does not say). */
export function judgedStatistic(m: Measurement): { stat: 'p50' | 'p95' | 'max'; value: number } {
  const stat = m.sloOn ?? 'max';
  return { stat, value: m[stat] };
}

import test from 'ava';
import { parsePrometheusText } from './prometheus-text.js';

const text = `# HELP bgpdns_dns_decision_cache_total Ordering decision cache lookups.
# TYPE bgpdns_dns_decision_cache_total counter
bgpdns_dns_decision_cache_total{result="hit"} 42
# HELP bgpdns_dns_decision_cache_flushes_total Whole decision cache flushes.
# TYPE bgpdns_dns_decision_cache_flushes_total counter
# HELP bgpdns_dns_sorter_defective 1 while the sorter is skipped.
# TYPE bgpdns_dns_sorter_defective gauge
bgpdns_dns_sorter_defective 0
`;

test('samples by name{labels}, and every declared family, also one without a sample', (t) => {
  const m = parsePrometheusText(text);
  t.deepEqual([...m.samples], [
    ['bgpdns_dns_decision_cache_total{result="hit"}', 42],
    ['bgpdns_dns_sorter_defective', 0],
  ]);
  t.deepEqual([...m.families].sort(), ['bgpdns_dns_decision_cache_flushes_total', 'bgpdns_dns_decision_cache_total', 'bgpdns_dns_sorter_defective']);
});

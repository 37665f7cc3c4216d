// The text exposition renderer (shared/metrics.ts): HELP and TYPE lines, label and help escaping,
// histograms with cumulative buckets ending in +Inf — checked line by line, and read back by a real
// parser (python3-prometheus-client) so what a scraper sees is what was meant.

import { describe, expect, it } from 'vitest';
import { escapeLabelValue, renderMetricsText, unreachableFamilies, type MetricFamily } from '../../../shared/metrics.js';
import { parsePrometheusText, prometheusParserMissing } from '../../helpers/prometheus-parser.js';

const tricky = 'a "quoted" \\back\\slash\nand a new line';

const families: MetricFamily[] = [
  { name: 'procd_up', help: 'Whether it answered.', type: 'gauge', samples: [{ labels: {}, value: 1 }] },
  { name: 'procd_example_gauge', help: 'CPU with a \\ and a\nsecond line', type: 'gauge', samples: [{ labels: { job: '7', name: tricky }, value: 12.5 }] },
  { name: 'procd_restarts_total', help: 'Restarts.', type: 'counter', samples: [{ labels: {}, value: 3 }] },
  {
    name: 'procd_rpc_duration_seconds',
    help: 'Latency.',
    type: 'histogram',
    samples: [{ labels: { method: 'status' }, buckets: [{ le: 0.001, count: 2 }, { le: 0.01, count: 5 }], count: 6, sum: 0.75 }],
  },
];

describe('renderMetricsText', () => {
  it('writes HELP and TYPE before each family, one line per sample, and ends with a newline', () => {
    const text = renderMetricsText(families);
    expect(text.split('\n').slice(0, 6)).toEqual([
      '# HELP procd_up Whether it answered.',
      '# TYPE procd_up gauge',
      'procd_up 1',
      '# HELP procd_example_gauge CPU with a \\\\ and a\\nsecond line',
      '# TYPE procd_example_gauge gauge',
      'procd_example_gauge{job="7",name="a \\"quoted\\" \\\\back\\\\slash\\nand a new line"} 12.5',
    ]);
    expect(text).toContain('# TYPE procd_restarts_total counter\nprocd_restarts_total 3\n');
    expect(text.endsWith('\n')).toBe(true);
    expect(renderMetricsText([])).toBe('');
  });

  it('escapes backslash, double quote and line feed in label values, nothing else', () => {
    expect(escapeLabelValue('plain-name_1.x')).toBe('plain-name_1.x');
    expect(escapeLabelValue('a"b')).toBe('a\\"b');
    expect(escapeLabelValue('a\\b')).toBe('a\\\\b');
    expect(escapeLabelValue('a\nb')).toBe('a\\nb');
    expect(escapeLabelValue('\\n')).toBe('\\\\n');
  });

  it('writes a histogram as cumulative buckets, then le="+Inf" with the count, then _sum and _count', () => {
    const lines = renderMetricsText(families.slice(3)).trimEnd().split('\n');
    expect(lines).toEqual([
      '# HELP procd_rpc_duration_seconds Latency.',
      '# TYPE procd_rpc_duration_seconds histogram',
      'procd_rpc_duration_seconds_bucket{method="status",le="0.001"} 2',
      'procd_rpc_duration_seconds_bucket{method="status",le="0.01"} 5',
      'procd_rpc_duration_seconds_bucket{method="status",le="+Inf"} 6',
      'procd_rpc_duration_seconds_sum{method="status"} 0.75',
      'procd_rpc_duration_seconds_count{method="status"} 6',
    ]);
  });

  it('refuses buckets that are not cumulative, and names Prometheus cannot read', () => {
    const hist = (buckets: { le: number; count: number }[], count: number): MetricFamily[] => [{ name: 'h', help: 'h', type: 'histogram', samples: [{ labels: {}, buckets, count, sum: 0 }] }];
    expect(() => renderMetricsText(hist([{ le: 1, count: 3 }, { le: 2, count: 2 }], 3))).toThrow(/cumulative/);
    expect(() => renderMetricsText(hist([{ le: 1, count: 3 }], 2))).toThrow(/count 2 is below/);
    expect(() => renderMetricsText([{ name: 'procd-up', help: '', type: 'gauge', samples: [] }])).toThrow(/bad metric name/);
    expect(() => renderMetricsText([{ name: 'x', help: '', type: 'gauge', samples: [{ labels: { 'job id': '1' }, value: 1 }] }])).toThrow(/bad label name/);
    expect(() => renderMetricsText([{ name: 'x', help: '', type: 'gauge', samples: [{ labels: { __name__: 'y' }, value: 1 }] }])).toThrow(/bad label name/);
  });

  it('says procd_up 0 when no daemon answers', () => {
    expect(renderMetricsText(unreachableFamilies())).toContain('\nprocd_up 0\n');
  });
});

const missing = prometheusParserMissing();
describe.skipIf(missing !== null)(`a real parser reads it back (python3-prometheus-client)${missing ? ` — skipped: ${missing}` : ''}`, () => {
  it('label values with quotes, backslashes and new lines come back exactly; HELP, TYPE and histogram samples too', () => {
    const parsed = parsePrometheusText(renderMetricsText(families));
    expect(parsed.map((f) => [f.name, f.type])).toEqual([
      ['procd_up', 'gauge'],
      ['procd_example_gauge', 'gauge'],
      ['procd_restarts', 'counter'],
      ['procd_rpc_duration_seconds', 'histogram'],
    ]);
    const cpu = parsed[1]!;
    expect(cpu.documentation).toBe('CPU with a \\ and a\nsecond line');
    expect(cpu.samples).toEqual([{ name: 'procd_example_gauge', labels: { job: '7', name: tricky }, value: 12.5 }]);
    expect(parsed[3]!.samples.map((s) => [s.name, s.labels.le ?? null, s.value])).toEqual([
      ['procd_rpc_duration_seconds_bucket', '0.001', 2],
      ['procd_rpc_duration_seconds_bucket', '0.01', 5],
      ['procd_rpc_duration_seconds_bucket', '+Inf', 6],
      ['procd_rpc_duration_seconds_sum', null, 0.75],
      ['procd_rpc_duration_seconds_count', null, 6],
    ]);
  });

  it('the parser refuses a malformed text (so the checks above can fail)', () => {
    expect(() => parsePrometheusText('procd_up{job="unterminated} 1\n')).toThrow(/refused/);
  });
});

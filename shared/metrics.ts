// Prometheus metrics (issue 16): the families the daemon's `metrics` method answers, and the pure
// renderer of the text exposition format 0.0.4 that `procd metrics` prints and a scraper reads
// (the dashboard's `/metrics` too: `renderMetricsText((await client.metrics()).families)`).
// Plain data and functions only: no schema library, safe for any client.

/** What Prometheus should answer with a rendered page. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The RPC latency histogram's upper bounds, in seconds (fixed: a status round trip is ~0.3 ms, a long wait minutes). */
export const RPC_LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

export type MetricLabels = Record<string, string>;

export interface MetricSample {
  labels: MetricLabels;
  value: number;
}

export interface HistogramSample {
  labels: MetricLabels;
  /** Cumulative counts per upper bound, ascending; the +Inf bucket is `count`. */
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

export type MetricFamily =
  | { name: string; help: string; type: 'gauge' | 'counter'; samples: MetricSample[] }
  | { name: string; help: string; type: 'histogram'; samples: HistogramSample[] };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The text exposition format (0.0.4) of these families: HELP and TYPE lines, then the samples. */
export function renderMetricsText(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`bad metric name: ${JSON.stringify(f.name)}`);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    if (f.type === 'histogram') {
      for (const s of f.samples) {
        let previous = 0;
        for (const b of s.buckets) {
          if (b.count < previous) throw new Error(`${f.name}: bucket counts must be cumulative (le=${b.le}: ${b.count} < ${previous})`);
          previous = b.count;
          lines.push(`${f.name}_bucket${labelText({ ...s.labels, le: formatValue(b.le) })} ${formatValue(b.count)}`);
        }
        if (s.count < previous) throw new Error(`${f.name}: count ${s.count} is below its last bucket's ${previous}`);
        lines.push(`${f.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${formatValue(s.count)}`);
        lines.push(`${f.name}_sum${labelText(s.labels)} ${formatValue(s.sum)}`, `${f.name}_count${labelText(s.labels)} ${formatValue(s.count)}`);
      }
    } else {
      for (const s of f.samples) lines.push(`${f.name}${labelText(s.labels)} ${formatValue(s.value)}`);
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** What a scraper should see when no daemon answers (the dashboard's `/metrics` with the daemon down). */
export function unreachableFamilies(): MetricFamily[] {
  return [{ name: 'procd_up', help: 'Whether the procd daemon answered (1) or not (0).', type: 'gauge', samples: [{ labels: {}, value: 0 }] }];
}

function labelText(labels: MetricLabels): string {
  const entries = Object.entries(labels);
  if (!entries.length) return '';
  return `{${entries
    .map(([k, v]) => {
      if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new Error(`bad label name: ${JSON.stringify(k)}`);
      return `${k}="${escapeLabelValue(v)}"`;
    })
    .join(',')}}`;
}

/** Label values escape backslash, double quote and line feed (the format's only escapes). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

import { formatBytes, formatDuration } from '../../../shared/duration.js';
import type { TrendBucket, TrendsResult } from '../../../shared/trends.js';
import { flag, str, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { localTime } from '../format-time.js';
import type { Output } from '../output.js';
import { durationOption } from '../parse.js';
import { sparkline, wantsAscii } from '../sparkline.js';

/** One chart line: its label, the figure of each bucket, and how to print one figure. */
interface Series {
  label: string;
  value: (b: TrendBucket) => number | null;
  text: (n: number) => string;
}

const count = (n: number) => String(Math.round(n));
const percent = (n: number) => `${Math.round(n * 100)}%`;
const cpu = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)}%`;
const SERIES: Series[] = [
  { label: 'started', value: (b) => b.started, text: count },
  { label: 'failures', value: (b) => b.failures, text: count },
  { label: 'failure rate', value: (b) => b.failureRate, text: percent },
  { label: 'avg duration', value: (b) => b.avgDurationMs, text: formatDuration },
  { label: 'p95 duration', value: (b) => b.p95DurationMs, text: formatDuration },
  { label: 'avg cpu', value: (b) => b.avgCpuPercent, text: cpu },
  { label: 'avg memory', value: (b) => b.avgRssBytes, text: (n) => formatBytes(Math.round(n)) },
  { label: 'time sinks', value: (b) => b.timeSinks, text: count },
  { label: 'stuck', value: (b) => b.stuck, text: count },
  { label: 'restarts', value: (b) => b.restarts, text: count },
];

/** trends: the history per bucket, as one chart line per figure (or a table, or JSON). */
export const command: CommandDef = {
  async run({ values, out, client }) {
    const sinceMs = durationOption('since', str(values, 'since'), { min: 1 });
    const bucketMs = durationOption('bucket', str(values, 'bucket'), { min: 1000 });
    const r = await (await client()).trends({ ...(sinceMs !== undefined ? { sinceMs } : {}), ...(bucketMs !== undefined ? { bucketMs } : {}) });
    if (out.json) out.printJson(r);
    else if (flag(values, 'table')) printTable(out, r);
    else printCharts(out, r, wantsAscii());
    return EXIT.ok;
  },
};

/** Room a chart line leaves for its summary (`max 1h02m03s, last 59m58s`). */
const SUMMARY_ROOM = 30;

function printCharts(out: Output, r: TrendsResult, ascii: boolean): void {
  const width = Math.max(...SERIES.map((s) => s.label.length));
  // One character per bucket: the newest that fit the terminal (`--table` and --json have them all).
  const fit = Math.max(10, out.width - width - 4 - SUMMARY_ROOM);
  const shown = r.buckets.slice(-fit);
  const n = shown.length;
  const cut = r.buckets.length - n;
  out.out(`${localTime(r.since)} → ${localTime(r.until)}, ${r.buckets.length} buckets of ${formatDuration(r.bucketMs)} (oldest left)`);
  if (cut > 0) out.out(`the newest ${n} fit the terminal (${cut} older: --table, or a larger --bucket)`);
  for (const s of SERIES) {
    const values = shown.map(s.value);
    const known = values.filter((v): v is number => v !== null);
    const summary = known.length ? `max ${s.text(Math.max(...known))}, last ${values[n - 1] === null ? '-' : s.text(values[n - 1]!)}` : 'nothing measured';
    out.out(`${s.label.padEnd(width)}  ${sparkline(values, ascii)}  ${summary}`);
  }
}

function printTable(out: Output, r: TrendsResult): void {
  const rows = r.buckets.map((b) => [localTime(b.start), ...SERIES.map((s) => (s.value(b) === null ? '-' : s.text(s.value(b)!)))]);
  const head = ['bucket', ...SERIES.map((s) => s.label)];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [head, ...rows]) out.out(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
}

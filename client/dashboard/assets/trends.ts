// Trend charts from GET /api/trends over a chosen range: failure rate, average duration, CPU and
// memory, each an inline SVG line (no chart library: four lines do not need one). Re-read when a
// job ends, at most every few seconds.

import { api } from './api.js';
import { byId, el, showError } from './dom.js';
import { formatBytes, formatCpu, formatDuration } from './format.js';
import { lineGeometry } from './chart.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 300;
const H = 60;
const MIN_GAP_MS = 5000;
export const RANGES: Readonly<Record<string, string>> = { '1h': '5m', '6h': '15m', '24h': '1h', '7d': '6h' };

interface Bucket {
  start: number;
  failureRate: number | null;
  avgDurationMs: number | null;
  avgCpuPercent: number | null;
  avgRssBytes: number | null;
}

const SERIES: readonly { key: keyof Bucket; title: string; format: (n: number) => string }[] = [
  { key: 'failureRate', title: 'failure rate', format: (n) => `${Math.round(n * 100)}%` },
  { key: 'avgDurationMs', title: 'average duration', format: (n) => formatDuration(n) },
  { key: 'avgCpuPercent', title: 'average CPU', format: (n) => formatCpu(n) },
  { key: 'avgRssBytes', title: 'average memory', format: (n) => formatBytes(n) },
];

let last = 0;
let timer: ReturnType<typeof setTimeout> | null = null;

export function buildTrends(): void {
  byId<HTMLSelectElement>('trend-range').addEventListener('change', () => {
    last = 0;
    scheduleTrends();
  });
}

export function scheduleTrends(): void {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    last = Date.now();
    const range = byId<HTMLSelectElement>('trend-range').value;
    api<{ buckets: Bucket[] }>(`/api/trends?since=${encodeURIComponent(range)}&bucket=${encodeURIComponent(RANGES[range] ?? '5m')}`).then((t) => renderTrends(t.buckets), showError);
  }, Math.max(0, last + MIN_GAP_MS - Date.now()));
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function renderTrends(buckets: Bucket[]): void {
  const charts = SERIES.map((s) => {
    const values = buckets.map((b) => b[s.key] as number | null);
    const g = lineGeometry(values, W, H);
    const figure = el('figure', 'trend');
    figure.dataset.series = s.key;
    const chart = svg('svg', { viewBox: `-2 -2 ${W + 4} ${H + 4}`, role: 'img', 'aria-label': s.title, preserveAspectRatio: 'none' });
    chart.append(svg('line', { x1: '0', y1: String(H), x2: String(W), y2: String(H), class: 'axis' }));
    if (g.path) chart.append(svg('path', { d: g.path, class: 'trend-line' }));
    for (const d of g.dots) chart.append(svg('circle', { cx: String(d.x), cy: String(d.y), r: '2', class: 'trend-dot' }));
    const latest = [...values].reverse().find((v) => v !== null) ?? null;
    const caption = el('figcaption', '', `${s.title}: ${latest === null ? 'no runs' : s.format(latest)}${g.max > 0 ? ` (max ${s.format(g.max)})` : ''}`);
    figure.append(caption, chart);
    return figure;
  });
  byId('trends').replaceChildren(...charts);
}

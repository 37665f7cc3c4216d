// Recommendations (GET /api/analyze) by priority with the command that acts on each, and the time
// sinks and bottlenecks. Re-read when flags change, at most every few seconds.

import { api } from './api.js';
import { byId, el, showError } from './dom.js';
import { formatBytes, formatCpu, formatDuration } from './format.js';
import { byPriority } from './model.js';

const MIN_GAP_MS = 5000;

interface Analysis {
  recommendations: { priority: string; reason: string; command: string }[];
  timeSinks: { jobId: number; name: string; command: string; elapsedMs: number; expectedMs: number; ratio: number; severity: string }[];
  bottlenecks: { jobId: number; name: string; command: string; cpuPercent: number | null; rssBytes: number; over: string[]; severity: string }[];
}

let last = 0;
let timer: ReturnType<typeof setTimeout> | null = null;

/** Reads the analysis now, or soon when it was read a moment ago. */
export function scheduleAnalysis(): void {
  if (timer) return;
  const wait = Math.max(0, last + MIN_GAP_MS - Date.now());
  timer = setTimeout(() => {
    timer = null;
    last = Date.now();
    api<Analysis>('/api/analyze').then(renderAnalysis, showError);
  }, wait);
}

function renderAnalysis(a: Analysis): void {
  const recs = byId('recommendations');
  const items = byPriority(a.recommendations).map((r) => {
    const li = el('li', `rec prio-${r.priority}`);
    li.append(el('span', `badge prio prio-${r.priority}`, r.priority), el('span', 'reason', r.reason));
    if (r.command) li.append(el('code', 'rec-command', r.command));
    return li;
  });
  recs.replaceChildren(...(items.length ? items : [el('li', 'none', 'No recommendations: nothing needs you.')]));

  const sinks = a.timeSinks.map((t) => {
    const li = el('li', `sev-${t.severity}`);
    li.append(el('strong', '', `${t.jobId} ${t.name}`), document.createTextNode(` ${formatDuration(t.elapsedMs)}, ${t.ratio.toFixed(1)}× its expected ${formatDuration(t.expectedMs)} `), el('code', '', t.command));
    return li;
  });
  byId('time-sinks').replaceChildren(...(sinks.length ? sinks : [el('li', 'none', 'none')]));

  const necks = a.bottlenecks.map((b) => {
    const li = el('li', `sev-${b.severity}`);
    li.append(el('strong', '', `${b.jobId} ${b.name}`), document.createTextNode(` CPU ${formatCpu(b.cpuPercent) || '?'}, ${formatBytes(b.rssBytes)} (over: ${b.over.join(', ')}) `), el('code', '', b.command));
    return li;
  });
  byId('bottlenecks').replaceChildren(...(necks.length ? necks : [el('li', 'none', 'none')]));
}

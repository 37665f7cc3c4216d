// The job page: one job's process tree, its timeline, and this run against its baseline (what
// its command usually takes), from GET /api/jobs/:id?tree=true&timeline=true; re-read on the
// job's events, at most once a second.

import { api } from './api.js';
import { byId, el, showError } from './dom.js';
import { formatBytes, formatCpu, formatDuration, label } from './format.js';
import { commandText, elapsedMs, type JobRow } from './model.js';
import { treeRows, type ProcessNode } from './tree.js';

interface JobDetail extends JobRow {
  tree?: ProcessNode[];
  timeline?: { at: number; kind: string; run: number; detail: string; by?: string }[];
  baseline?: { runs: number; medianMs: number; p90Ms: number };
  runs?: { current: number; earlier: { run: number; state: string; outcome: string; exitCode: number | null; durationMs: number; endedAt: number; then: string }[] };
}

const MIN_GAP_MS = 1000;
let shown: number | null = null;
let last = 0;
let timer: ReturnType<typeof setTimeout> | null = null;

export function buildDetail(): void {
  byId('detail-close').addEventListener('click', () => {
    shown = null;
    byId('detail').hidden = true;
  });
}

export function openDetail(id: number): void {
  shown = id;
  last = 0;
  byId('detail').hidden = false;
  byId('detail').dataset.job = String(id);
  detailNews(id);
}

/** A job's news: re-read the page when it is the one shown. */
export function detailNews(id: number): void {
  if (shown !== id || timer) return;
  timer = setTimeout(() => {
    timer = null;
    last = Date.now();
    api<JobDetail>(`/api/jobs/${id}?tree=true&timeline=true`).then((d) => d.id === shown && renderDetail(d), showError);
  }, Math.max(0, last + MIN_GAP_MS - Date.now()));
}

function renderDetail(job: JobDetail): void {
  byId('detail-title').textContent = `job ${job.id} (${job.name}): ${label(job.state.kind)}`;
  const facts = byId('detail-facts');
  const elapsed = elapsedMs(job, Date.now());
  const fact = (k: string, v: string) => [el('dt', '', k), el('dd', '', v)];
  const baseline = job.baseline
    ? `usually ${formatDuration(job.baseline.medianMs)} (p90 ${formatDuration(job.baseline.p90Ms)}, ${job.baseline.runs} runs)${elapsed !== null && job.baseline.medianMs > 0 ? `; this run ${(elapsed / job.baseline.medianMs).toFixed(1)}× that` : ''}`
    : 'no baseline yet (fewer than 3 successful runs)';
  facts.replaceChildren(...fact('command', commandText(job)), ...fact('owner', job.owner?.name ?? ''), ...fact('elapsed', formatDuration(elapsed)), ...fact('baseline', baseline));

  const rows = treeRows(job.tree ?? []).map(({ node, depth }) => {
    const tr = el('tr');
    const cmd = el('td', 'command', `${'  '.repeat(depth)}${depth ? '└ ' : ''}${node.command}`);
    tr.append(el('td', 'num', String(node.pid)), el('td', '', node.state), el('td', 'num', formatCpu(node.cpuPercent)), el('td', 'num', formatBytes(node.rssBytes)), cmd);
    return tr;
  });
  byId<HTMLTableElement>('detail-tree').tBodies[0]!.replaceChildren(...rows);
  byId('detail-tree-empty').hidden = rows.length > 0;

  const entries = (job.timeline ?? []).map((t) => {
    const li = el('li', `tl tl-${t.kind}`);
    li.append(el('time', '', new Date(t.at).toLocaleTimeString()), el('span', 'badge', label(t.kind)), el('span', '', ` run ${t.run}: ${t.detail}${t.by ? ` (by ${t.by})` : ''}`));
    return li;
  });
  byId('detail-timeline').replaceChildren(...entries);

  const current = el('li', 'run-current', `run ${job.runs?.current ?? 1} (this one): ${label(job.state.kind)}, ${formatDuration(elapsed)}`);
  const earlier = [...(job.runs?.earlier ?? [])].reverse().map((r) =>
    el('li', `run state-${r.state}`, `run ${r.run}: ${label(r.state)} (${label(r.outcome)}${r.exitCode !== null ? `, exit ${r.exitCode}` : ''}) after ${formatDuration(r.durationMs)}, ended ${new Date(r.endedAt).toLocaleTimeString()}, then ${label(r.then)}`),
  );
  byId('detail-runs').replaceChildren(current, ...earlier);
}

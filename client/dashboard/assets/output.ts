// The output viewer for one job: its last N lines (GET /api/jobs/:id/output?tail=N&stream=),
// stdout/stderr/both, a search, and follow (re-read when the job has news, and every few seconds
// while it lives). Every line is built from spans whose text is set with textContent; ANSI colours
// become classes (ansi.ts), every other escape is dropped.

import { api } from './api.js';
import { byId, el, showError } from './dom.js';
import { LIVE, type JobRow } from './model.js';
import { searchLines, toLines, type OutputChunk, type OutputLine } from './output-lines.js';

const FOLLOW_MS = 2000;

interface OutputResult {
  chunks: OutputChunk[];
  state: string;
}

let job: JobRow | null = null;
let lines: OutputLine[] = [];
let timer: ReturnType<typeof setInterval> | null = null;
let inFlight = false;
let again = false;

const panel = () => byId<HTMLElement>('output');
const pre = () => byId<HTMLElement>('output-lines');
const streamSel = () => byId<HTMLSelectElement>('output-stream');
const tailInput = () => byId<HTMLInputElement>('output-tail');
const searchInput = () => byId<HTMLInputElement>('output-search');
const followBox = () => byId<HTMLInputElement>('output-follow');

export function buildOutput(): void {
  streamSel().addEventListener('change', () => void refresh());
  tailInput().addEventListener('change', () => void refresh());
  searchInput().addEventListener('input', () => draw());
  followBox().addEventListener('change', () => followTimer());
  byId('output-close').addEventListener('click', () => {
    job = null;
    panel().hidden = true;
    followTimer();
  });
}

export function openOutput(target: JobRow): void {
  job = target;
  panel().hidden = false;
  panel().dataset.job = String(target.id);
  byId('output-title').textContent = `output of job ${target.id} (${target.name})`;
  lines = [];
  draw();
  followTimer();
  void refresh();
}

/** A job's news (an event): re-read its output when it is the one shown and follow is on. */
export function outputNews(id: number, state?: string): void {
  if (!job || job.id !== id || !followBox().checked) return;
  if (state) job = { ...job, state: { ...job.state, kind: state } };
  void refresh();
}

function followTimer(): void {
  if (timer) clearInterval(timer);
  timer = null;
  if (job && followBox().checked && LIVE.has(job.state.kind)) timer = setInterval(() => void refresh(), FOLLOW_MS);
}

async function refresh(): Promise<void> {
  if (!job) return;
  if (inFlight) return void (again = true);
  inFlight = true;
  const id = job.id;
  try {
    const tail = Math.max(1, Math.min(100_000, Number(tailInput().value) || 200));
    const res = await api<OutputResult>(`/api/jobs/${id}/output?tail=${tail}&stream=${encodeURIComponent(streamSel().value)}`);
    if (job?.id !== id) return;
    lines = toLines(res.chunks);
    job = { ...job, state: { ...job.state, kind: res.state } };
    panel().dataset.loaded = 'true';
    draw();
    if (!LIVE.has(res.state)) followTimer();
  } catch (err) {
    showError(err);
  } finally {
    inFlight = false;
    if (again) {
      again = false;
      void refresh();
    }
  }
}

function draw(): void {
  const box = pre();
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  const shown = searchLines(lines, searchInput().value);
  box.replaceChildren(...shown.map(lineNode));
  byId('output-count').textContent = `${shown.length} of ${lines.length} lines`;
  if (atBottom || followBox().checked) box.scrollTop = box.scrollHeight;
}

function lineNode(line: OutputLine): HTMLElement {
  const div = el('div', `line line-${line.stream}`);
  for (const seg of line.segments) {
    if (seg.classes.length === 0) div.append(document.createTextNode(seg.text));
    else div.append(el('span', seg.classes.join(' '), seg.text));
  }
  return div;
}

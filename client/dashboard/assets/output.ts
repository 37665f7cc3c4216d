// The output viewer for one job: its last N lines (GET /api/jobs/:id/output?tail=N&stream=),
// stdout/stderr/both, a search, and follow: long-polls from the answer's cursor
// (?after=CURSOR&waitMs=) and appends only what is new, each stream's unfinished line kept apart.
// Every line is built from spans whose text is set with textContent; ANSI colours become classes
// (ansi.ts), every other escape is dropped.

import { api } from './api.js';
import { byId, el, showError } from './dom.js';
import { LIVE, type JobRow } from './model.js';
import { LineAssembler, searchLines, type OutputLine, type WireChunk } from './output-lines.js';

/** How long one follow request waits for new output on the server (the daemon allows up to 60 s). */
const FOLLOW_WAIT_MS = 20_000;

interface OutputResult {
  chunks: WireChunk[];
  cursor: { run: number; stdout: number; stderr: number };
  eof: boolean;
  state: string;
}

let job: JobRow | null = null;
let assembler = new LineAssembler();
let lines: OutputLine[] = [];
let partial: OutputLine[] = [];
/** Where the next follow read starts (`RUN.STDOUT.STDERR`); null before the first read. */
let cursor: string | null = null;
let eof = false;
/** Bumped by every new view (another job, stream or tail, closed): older answers are dropped. */
let view = 0;
let following: AbortController | null = null;

const panel = () => byId<HTMLElement>('output');
const box = () => byId<HTMLElement>('output-lines');
const streamSel = () => byId<HTMLSelectElement>('output-stream');
const tailInput = () => byId<HTMLInputElement>('output-tail');
const searchInput = () => byId<HTMLInputElement>('output-search');
const followBox = () => byId<HTMLInputElement>('output-follow');

export function buildOutput(): void {
  streamSel().addEventListener('change', () => void load());
  tailInput().addEventListener('change', () => void load());
  searchInput().addEventListener('input', () => draw());
  followBox().addEventListener('change', () => (followBox().checked ? follow() : stopFollowing()));
  byId('output-close').addEventListener('click', () => {
    job = null;
    view++;
    stopFollowing();
    panel().hidden = true;
  });
}

export function openOutput(target: JobRow): void {
  job = target;
  panel().hidden = false;
  panel().dataset.job = String(target.id);
  byId('output-title').textContent = `output of job ${target.id} (${target.name})`;
  void load();
}

/** A job's news (an event): when it is the one shown and lives again (a restart, the daemon back), follow again. */
export function outputNews(id: number, state?: string): void {
  if (!job || job.id !== id) return;
  if (state) job = { ...job, state: { ...job.state, kind: state } };
  if (state && LIVE.has(state) && followBox().checked && !following && cursor !== null) {
    eof = false;
    follow();
  }
}

const outputPath = (id: number, query: string) => `/api/jobs/${id}/output?${query}&stream=${encodeURIComponent(streamSel().value)}`;

/** The last N lines afresh, then follow from where they end. */
async function load(): Promise<void> {
  if (!job) return;
  const mine = ++view;
  stopFollowing();
  const id = job.id;
  try {
    const tail = Math.max(1, Math.min(100_000, Number(tailInput().value) || 200));
    const res = await api<OutputResult>(outputPath(id, `tail=${tail}`));
    if (mine !== view) return;
    assembler = new LineAssembler();
    lines = assembler.pushWire(res.chunks);
    took(res);
    panel().dataset.loaded = 'true';
    draw();
    if (followBox().checked) follow();
  } catch (err) {
    if (mine === view) showError(err);
  }
}

/** Long-polls from the cursor while follow is on and the output may grow; appends each answer. */
function follow(): void {
  if (!job || following || eof || cursor === null) return;
  const mine = view;
  const id = job.id;
  const abort = new AbortController();
  following = abort;
  void (async () => {
    try {
      while (mine === view && !abort.signal.aborted && !eof) {
        const res = await api<OutputResult>(outputPath(id, `after=${cursor}&waitMs=${FOLLOW_WAIT_MS}`), { signal: abort.signal });
        if (mine !== view || abort.signal.aborted) return;
        const fresh = assembler.pushWire(res.chunks);
        took(res);
        append(fresh);
      }
    } catch (err) {
      // Stopped on purpose, or the daemon is away: news of the job (outputNews) follows again.
      if (mine === view && !abort.signal.aborted) showError(err);
    } finally {
      if (following === abort) following = null;
    }
  })();
}

function stopFollowing(): void {
  following?.abort();
  following = null;
}

function took(res: OutputResult): void {
  cursor = `${res.cursor.run}.${res.cursor.stdout}.${res.cursor.stderr}`;
  eof = res.eof;
  partial = assembler.partial();
  panel().dataset.cursor = cursor;
  if (job) job = { ...job, state: { ...job.state, kind: res.state } };
}

/** New complete lines go at the end; the unfinished ones shown before are replaced. */
function append(fresh: OutputLine[]): void {
  lines.push(...fresh);
  if (searchInput().value.trim() !== '') return draw();
  const b = box();
  const atBottom = b.scrollTop + b.clientHeight >= b.scrollHeight - 4;
  for (const node of [...b.querySelectorAll('.line-partial')]) node.remove();
  b.append(...fresh.map((l) => lineNode(l, false)), ...partial.map((l) => lineNode(l, true)));
  count(lines.length + partial.length, lines.length + partial.length);
  if (atBottom || followBox().checked) b.scrollTop = b.scrollHeight;
}

function draw(): void {
  const b = box();
  const atBottom = b.scrollTop + b.clientHeight >= b.scrollHeight - 4;
  const search = searchInput().value;
  const shown = searchLines(lines, search);
  const shownPartial = searchLines(partial, search);
  b.replaceChildren(...shown.map((l) => lineNode(l, false)), ...shownPartial.map((l) => lineNode(l, true)));
  count(shown.length + shownPartial.length, lines.length + partial.length);
  if (atBottom || followBox().checked) b.scrollTop = b.scrollHeight;
}

function count(shown: number, all: number): void {
  byId('output-count').textContent = `${shown} of ${all} lines`;
}

function lineNode(line: OutputLine, unfinished: boolean): HTMLElement {
  const div = el('div', `line line-${line.stream}${unfinished ? ' line-partial' : ''}`);
  for (const seg of line.segments) {
    if (seg.classes.length === 0) div.append(document.createTextNode(seg.text));
    else div.append(el('span', seg.classes.join(' '), seg.text));
  }
  return div;
}

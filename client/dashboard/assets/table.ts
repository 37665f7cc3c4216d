// The job table: one row per job (sorted and filtered by model.ts), headers that sort on click,
// actions per row. Rebuilt at most once per animation frame however many events arrive.

import { act, currentSession } from './api.js';
import { el, showError } from './dom.js';
import { formatBytes, formatCpu, formatDuration, label } from './format.js';
import { actionsFor, commandText, cpuOf, elapsedMs, filterJobs, rssOf, sortJobs, type JobRow, type SortKey, type SortOrder } from './model.js';

export const COLUMNS: readonly { key: SortKey | null; title: string }[] = [
  { key: 'id', title: 'id' },
  { key: 'name', title: 'name' },
  { key: 'owner', title: 'owner' },
  { key: 'state', title: 'state' },
  { key: 'health', title: 'health' },
  { key: 'command', title: 'command' },
  { key: 'elapsed', title: 'elapsed' },
  { key: 'cpu', title: 'CPU' },
  { key: 'memory', title: 'memory' },
  { key: null, title: 'ports' },
  { key: null, title: 'flags' },
  { key: null, title: '' },
];

export interface TableOptions {
  table: HTMLTableElement;
  filter: HTMLInputElement;
  jobs: () => Iterable<JobRow>;
  onLogs: (job: JobRow) => void;
  onDetails: (id: number) => void;
}

let order: SortOrder = { key: 'id', descending: true };
let options: TableOptions;
let scheduled = false;

export function buildTable(opts: TableOptions): void {
  options = opts;
  const tr = el('tr');
  for (const col of COLUMNS) {
    const th = el('th', col.key ? 'sortable' : '', col.title);
    if (col.key) {
      const key = col.key;
      th.dataset.sort = key;
      th.tabIndex = 0;
      const sortBy = () => {
        order = { key, descending: order.key === key ? !order.descending : key === 'id' };
        renderTable();
      };
      th.addEventListener('click', sortBy);
      th.addEventListener('keydown', (e) => void ((e.key === 'Enter' || e.key === ' ') && sortBy()));
    }
    tr.append(th);
  }
  opts.table.tHead?.replaceChildren(tr);
  opts.filter.addEventListener('input', () => renderTable());
  // One listener for every row's buttons (rows are rebuilt often; their buttons carry no closures).
  opts.table.tBodies[0]!.addEventListener('click', onRowClick);
}

function onRowClick(e: MouseEvent): void {
  const button = (e.target as Element).closest('button[data-action]');
  const id = Number(button?.closest('tr')?.getAttribute('data-id'));
  if (!(button instanceof HTMLButtonElement) || !Number.isInteger(id)) return;
  const verb = button.dataset.action!;
  if (verb === 'details') return options.onDetails(id);
  if (verb === 'logs') {
    const job = [...options.jobs()].find((j) => j.id === id);
    if (job) options.onLogs(job);
    return;
  }
  button.disabled = true;
  act(id, verb).catch((err: unknown) => {
    button.disabled = false;
    showError(err);
  });
}

/** Asks for a redraw on the next frame (many events in one frame make one redraw). */
export function scheduleTable(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    renderTable();
  });
}

export function renderTable(): void {
  const now = Date.now();
  const all = [...options.jobs()];
  const rows = sortJobs(filterJobs(all, options.filter.value), order, now);
  const tbody = options.table.tBodies[0]!;
  tbody.replaceChildren(...rows.map((job) => renderRow(job, now)));
  for (const th of options.table.tHead?.querySelectorAll<HTMLElement>('th[data-sort]') ?? []) {
    th.setAttribute('aria-sort', th.dataset.sort === order.key ? (order.descending ? 'descending' : 'ascending') : 'none');
  }
  const empty = document.getElementById('empty');
  if (empty) empty.hidden = all.length > 0;
}

function renderRow(job: JobRow, now: number): HTMLTableRowElement {
  const tr = el('tr');
  tr.dataset.id = String(job.id);
  tr.dataset.state = job.state.kind;
  const cell = (text: string, cls?: string) => {
    const td = el('td', cls, text);
    tr.append(td);
    return td;
  };
  cell(String(job.id), 'id num');
  const name = cell('', 'name');
  const open = el('button', 'name-link', job.name);
  open.type = 'button';
  open.dataset.action = 'details';
  open.title = 'process tree, timeline, baseline';
  name.append(open);
  cell(job.owner?.name ?? '', 'owner');
  cell(label(job.state.kind), `state state-${job.state.kind}`);
  const health = cell(job.health ? String(job.health.score) : '', 'health num');
  if (job.health && job.health.score < 100) {
    health.classList.add(job.health.score < 50 ? 'health-bad' : 'health-warn');
    health.title = job.health.reasons.map((r) => r.why).join('\n');
  }
  const command = cell(commandText(job), 'command');
  command.title = command.textContent ?? '';
  cell(formatDuration(elapsedMs(job, now)), 'elapsed num');
  cell(formatCpu(cpuOf(job)), 'cpu num');
  cell(formatBytes(rssOf(job)), 'memory num');
  const ports = cell('', 'ports');
  for (const p of job.ports ?? []) {
    if (p.protocol !== 'tcp') continue;
    const a = el('a', 'port', String(p.port));
    a.href = `http://127.0.0.1:${p.port}/`;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    ports.append(a);
  }
  const flags = cell('', 'flags');
  for (const f of job.flags ?? []) flags.append(el('span', `badge badge-${f.kind} sev-${f.severity ?? 'medium'}`, label(f.kind)));
  const actions = cell('', 'actions');
  for (const verb of [...actionsFor(job, currentSession().readOnly), 'logs']) actions.append(actionButton(verb));
  return tr;
}

function actionButton(verb: string): HTMLButtonElement {
  const b = el('button', verb, verb);
  b.type = 'button';
  b.dataset.action = verb;
  return b;
}
